#!/usr/bin/env bash
# Creates, in a peer cluster, the least-privilege identity tandem-operator uses to reach it, and
# writes a kubeconfig for that identity: the pattern Argo CD uses for the clusters it manages.
# Store the kubeconfig as the Secret the Helm chart mounts (kubeconfigSecret.name), and the
# operator image needs no cloud CLI (no aws, no gke-gcloud-auth-plugin).
#
# Usage: hack/peer-access.sh [options] CONTEXT NAMESPACE
#   CONTEXT    the peer cluster's context in your kubeconfig (you need admin rights there)
#   NAMESPACE  where the ServiceAccount lives in the peer cluster
#
# Options:
#   -o, --output FILE        write the kubeconfig to FILE and the token to NAME.token beside it
#                            (both mode 600); the kubeconfig reads the token from that file
#                            (tokenFile), so a rotated token needs no restart. Without -o, the
#                            kubeconfig goes to stdout with the token inline.
#   --name NAME              cluster, user and context name in the kubeconfig; it must match the
#                            member's `context` in values.clusters (default: CONTEXT)
#   --server URL             the peer's API server URL as the operator reaches it
#                            (default: the server of CONTEXT)
#   --mode observe|manage    observe (default): read FraudModels, Deployments, Services and
#                            pods, for a member the operator observes (`mode: observe`);
#                            manage: also write FraudModel status, apply Deployments and
#                            Services, record events (for a member it manages)
#   --serving-identity       with --mode manage, for a member whose serving pods get a cloud
#                            identity (`serving:` with serviceAccount, awsRoleArn or
#                            gcpServiceAccount): also read and apply ServiceAccounts (never delete)
#   --watch-namespace NS     grant access in NS only (Role and RoleBinding) instead of
#                            cluster-wide (ClusterRole); run tandem-operator with --namespace NS
#   --service-account NAME   the ServiceAccount's name (default: tandem-operator-peer)
#   --token-duration D       how long the bound token lives, as `kubectl create token --duration`
#                            takes it (default: 168h); the API server may shorten it (its
#                            --service-account-max-token-expiration): the script prints the expiry
#   --legacy-token           a never-expiring token from a kubernetes.io/service-account-token
#                            Secret instead, revoked only by deleting the Secret (not recommended)
#   --timeout SECONDS        how long --legacy-token waits for the token controller (default: 60)
#
# Environment:
#   KUBECTL            the kubectl to run (default: kubectl)
#
# Example (the GKE cluster's access, stored in the EKS cluster for the operator there):
#   hack/peer-access.sh -o gke.kubeconfig gke tandem-system
#   kubectl --context eks -n tandem-system create secret generic tandem-peers \
#     --from-file=kubeconfig=gke.kubeconfig --from-file=gke.token
#
# Rotation: run it again with the same arguments before the printed expiry (from a CronJob or
# CI), then replace the Secret (the same command, with --dry-run=client -o yaml | kubectl apply
# -f -). The kubelet refreshes the mounted Secret and the operator rereads the token file every
# minute: no restart. Running it again is safe: every object is server-side applied.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

output="" name="" server="" mode=observe watch_namespace="" service_account=tandem-operator-peer
timeout=60 token_duration=168h legacy_token=false serving_identity=false
positional=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -o|--output) output=${2:?--output needs a file}; shift 2 ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    --server) server=${2:?--server needs a URL}; shift 2 ;;
    --mode) mode=${2:?--mode needs manage or observe}; shift 2 ;;
    --watch-namespace) watch_namespace=${2:?--watch-namespace needs a namespace}; shift 2 ;;
    --service-account) service_account=${2:?--service-account needs a name}; shift 2 ;;
    --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
    --token-duration) token_duration=${2:?--token-duration needs a duration such as 24h}; shift 2 ;;
    --legacy-token) legacy_token=true; shift ;;
    --serving-identity) serving_identity=true; shift ;;
    -h|--help) usage ;;
    -*) printf 'peer-access: unknown option %s\n' "$1" >&2; usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
[[ ${#positional[@]} -eq 2 ]] || usage
context=${positional[0]}
namespace=${positional[1]}
name=${name:-$context}
[[ $mode == manage || $mode == observe ]] || die "--mode must be manage or observe, not '$mode'"
[[ $serving_identity == false || $mode == manage ]] \
  || die "--serving-identity needs --mode manage: only the operator that manages a member applies its serving ServiceAccounts"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout must be a whole number of seconds, not '$timeout'"
[[ $token_duration =~ ^([0-9]+(h|m|s))+$ ]] \
  || die "--token-duration must be a duration such as 24h or 90m, not '$token_duration'"
dns_label='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
[[ $namespace =~ $dns_label ]] || die "NAMESPACE '$namespace' is not a DNS label"
[[ $service_account =~ $dns_label ]] || die "--service-account '$service_account' is not a DNS label"
[[ -z $watch_namespace || $watch_namespace =~ $dns_label ]] \
  || die "--watch-namespace '$watch_namespace' is not a DNS label"

kubectl_bin=${KUBECTL:-kubectl}
kube() { "$kubectl_bin" --context "$context" "$@"; }

# The rules tandem-operator needs in a member cluster (the chart's ClusterRole minus leases,
# which live only in the cluster the operator runs in).
if [[ $mode == manage ]]; then
  owned_verbs='["get", "list", "watch", "create", "patch"]'
  write_rules='
  - apiGroups: ["tandem.dev"]
    resources: ["fraudmodels/status"]
    verbs: ["update"]
  - apiGroups: ["events.k8s.io"]
    resources: ["events"]
    verbs: ["create", "patch"]'
else
  owned_verbs='["get", "list", "watch"]'
  write_rules=''
fi
if [[ $serving_identity == true ]]; then
  write_rules+="
  - apiGroups: [\"\"]
    resources: [\"serviceaccounts\"]
    verbs: $owned_verbs"
fi
if [[ -n $watch_namespace ]]; then
  role_kind=Role
  role_namespace="
  namespace: $watch_namespace"
else
  role_kind=ClusterRole
  role_namespace=""
fi
role_name="tandem-operator-peer-$mode"
labels='
    app.kubernetes.io/name: tandem-operator
    app.kubernetes.io/component: peer-access
    app.kubernetes.io/managed-by: peer-access.sh'
token_secret="$service_account-token"

watched_namespace_object=""
if [[ -n $watch_namespace && $watch_namespace != "$namespace" ]]; then
  watched_namespace_object="apiVersion: v1
kind: Namespace
metadata:
  name: $watch_namespace
---"
fi

step "peer-access: context $context: ServiceAccount $namespace/$service_account, $role_kind $role_name ($mode)"
kube apply --server-side --field-manager=tandem-peer-access -f - >&2 <<EOF
apiVersion: v1
kind: Namespace
metadata:
  name: $namespace
---
$watched_namespace_object
apiVersion: v1
kind: ServiceAccount
metadata:
  name: $service_account
  namespace: $namespace
  labels:$labels
---
apiVersion: rbac.authorization.k8s.io/v1
kind: $role_kind
metadata:
  name: $role_name$role_namespace
  labels:$labels
rules:
  - apiGroups: ["tandem.dev"]
    resources: ["fraudmodels"]
    verbs: ["get", "list", "watch"]
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: $owned_verbs
  - apiGroups: [""]
    resources: ["services"]
    verbs: $owned_verbs
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch"]$write_rules
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ${role_kind}Binding
metadata:
  name: $role_name-$namespace-$service_account$role_namespace
  labels:$labels
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: $role_kind
  name: $role_name
subjects:
  - kind: ServiceAccount
    name: $service_account
    namespace: $namespace
EOF

if [[ $legacy_token == true ]]; then
  # The token controller fills .data.token (and ca.crt) shortly after the Secret is created.
  kube apply --server-side --field-manager=tandem-peer-access -f - >&2 <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: $token_secret
  namespace: $namespace
  labels:$labels
  annotations:
    kubernetes.io/service-account.name: $service_account
type: kubernetes.io/service-account-token
EOF
  step "peer-access: waiting up to ${timeout}s for the never-expiring token in Secret $namespace/$token_secret"
  token=""
  deadline=$((SECONDS + timeout))
  while :; do
    encoded=$(kube -n "$namespace" get secret "$token_secret" -o 'jsonpath={.data.token}')
    if [[ -n $encoded ]]; then
      token=$(base64 -d <<<"$encoded")
      break
    fi
    if (( SECONDS >= deadline )); then
      die "no token in Secret $namespace/$token_secret after ${timeout}s: the cluster's token controller did not fill it (drop --legacy-token for a bound token)"
    fi
    sleep 1
  done
  expiry="never (revoke it by deleting Secret $namespace/$token_secret)"
else
  step "peer-access: a bound token for $namespace/$service_account (TokenRequest, $token_duration)"
  # kubectl create token prints only the token; the TokenRequest itself also says when it
  # expires, which may be sooner than asked (--service-account-max-token-expiration).
  seconds=0
  rest=$token_duration
  while [[ $rest =~ ^([0-9]+)(h|m|s)(.*)$ ]]; do
    case ${BASH_REMATCH[2]} in h) factor=3600 ;; m) factor=60 ;; s) factor=1 ;; esac
    seconds=$((seconds + BASH_REMATCH[1] * factor))
    rest=${BASH_REMATCH[3]}
  done
  answer=$(kube create --raw "/api/v1/namespaces/$namespace/serviceaccounts/$service_account/token" -f - <<EOF
{"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": $seconds}}
EOF
  ) || die "the API server refused a token for $namespace/$service_account (TokenRequest: create serviceaccounts/token)"
  token=$(grep -oE '"token" *: *"[^"]+"' <<<"$answer" | sed -E 's/.*: *"([^"]+)"/\1/')
  expiry=$(grep -oE '"expirationTimestamp" *: *"[^"]+"' <<<"$answer" | sed -E 's/.*: *"([^"]+)"/\1/')
  [[ -n $token ]] || die "the TokenRequest for $namespace/$service_account returned no token"
  expiry=${expiry:-unknown}
fi

# The server and its CA, as the context knows them (--flatten inlines a CA file).
view() { kube config view --raw --minify --flatten -o "jsonpath=$1"; }
[[ -n $server ]] || server=$(view '{.clusters[0].cluster.server}')
[[ -n $server ]] || die "context $context has no server; pass --server URL"
ca_data=$(view '{.clusters[0].cluster.certificate-authority-data}')
insecure=$(view '{.clusters[0].cluster.insecure-skip-tls-verify}')
if [[ -n $ca_data ]]; then
  cluster_tls="certificate-authority-data: $ca_data"
elif [[ $insecure == true ]]; then
  warn "context $context skips TLS verification; so will the written kubeconfig"
  cluster_tls="insecure-skip-tls-verify: true"
else
  cluster_tls="# No CA in context $context: the system's trusted roots verify the server."
fi

write_kubeconfig() {
  cat <<EOF
# Access of tandem-operator to cluster $name (context $context), as ServiceAccount
# $namespace/$service_account ($role_kind $role_name). Written by hack/peer-access.sh.
# It holds a credential: store it only as a Secret.
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    server: $server
    $cluster_tls
users:
- name: $name-tandem-operator
  user:
    $user_credential
contexts:
- name: $name
  context:
    cluster: $name
    user: $name-tandem-operator
    namespace: ${watch_namespace:-$namespace}
current-context: $name
EOF
}

if [[ -n $output ]]; then
  token_file="$(dirname "$output")/$name.token"
  (umask 077 && printf '%s' "$token" >"$token_file")
  user_credential="tokenFile: $name.token"
  (umask 077 && write_kubeconfig >"$output")
  step "peer-access: wrote kubeconfig (context $name) to $output and its token to $token_file"
else
  user_credential="token: $token"
  write_kubeconfig
fi
step "peer-access: the token expires $expiry; run this script again before then"
