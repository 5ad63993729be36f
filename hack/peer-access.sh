#!/usr/bin/env bash
# Creates, in a peer cluster, the least-privilege identity tandem-operator uses to reach it, and
# writes a kubeconfig for that identity: the pattern Argo CD uses for the clusters it manages.
# Store the kubeconfig as the Secret the Helm chart mounts (kubeconfigSecret.name), and the
# operator image needs no cloud CLI (no aws, no gke-gcloud-auth-plugin).
#
# Usage: hack/peer-access.sh [options] CONTEXT NAMESPACE
#   CONTEXT    the peer cluster's context in your kubeconfig (you need admin rights there)
#   NAMESPACE  where the ServiceAccount and its token Secret live in the peer cluster
#
# Options:
#   -o, --output FILE        write the kubeconfig to FILE (mode 600) instead of stdout
#   --name NAME              cluster, user and context name in the kubeconfig; it must match the
#                            member's `context` in values.clusters (default: CONTEXT)
#   --server URL             the peer's API server URL as the operator reaches it
#                            (default: the server of CONTEXT)
#   --mode manage|observe    manage (default): read and write FraudModels, Deployments,
#                            Services, events, read pods; observe: read them only
#   --watch-namespace NS     grant access in NS only (Role and RoleBinding) instead of
#                            cluster-wide (ClusterRole); run tandem-operator with --namespace NS
#   --service-account NAME   the ServiceAccount's name (default: tandem-operator-peer)
#   --timeout SECONDS        how long to wait for the token controller (default: 60)
#
# Environment:
#   PEER_ACCESS_TOKEN  a bearer token to use instead of the one the token controller writes into
#                      the Secret. Only for API servers without a token controller (the
#                      project's kube-emulator, which does not populate service-account token
#                      Secrets); EKS and GKE never need it. When set, the script does not wait.
#   KUBECTL            the kubectl to run (default: kubectl)
#
# Example (the GKE cluster's access, stored in the EKS cluster for the operator there):
#   hack/peer-access.sh gke tandem-system > gke.kubeconfig
#   kubectl --context eks -n tandem-system create secret generic tandem-peers \
#     --from-file=kubeconfig=gke.kubeconfig
#
# Running it again is safe: every object is server-side applied, and the token is reused.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2; exit 2; }

output="" name="" server="" mode=manage watch_namespace="" service_account=tandem-operator-peer
timeout=60
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
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout must be a whole number of seconds, not '$timeout'"
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
  model_verbs='["get", "list", "watch", "patch", "update"]'
  owned_verbs='["get", "list", "watch", "create", "patch", "delete"]'
  event_rules='
  - apiGroups: [""]
    resources: ["events"]
    verbs: ["create", "patch"]
  - apiGroups: ["events.k8s.io"]
    resources: ["events"]
    verbs: ["create", "patch"]'
else
  model_verbs='["get", "list", "watch"]'
  owned_verbs='["get", "list", "watch"]'
  event_rules=''
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
    resources: ["fraudmodels", "fraudmodels/status"]
    verbs: $model_verbs
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: $owned_verbs
  - apiGroups: [""]
    resources: ["services"]
    verbs: $owned_verbs
  - apiGroups: [""]
    resources: ["pods"]
    verbs: ["get", "list", "watch"]$event_rules
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
---
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

# The token controller fills .data.token (and ca.crt) shortly after the Secret is created.
if [[ -n ${PEER_ACCESS_TOKEN:-} ]]; then
  step "peer-access: using PEER_ACCESS_TOKEN instead of the token controller's token"
  token=$PEER_ACCESS_TOKEN
else
  step "peer-access: waiting up to ${timeout}s for the token in Secret $namespace/$token_secret"
  token=""
  deadline=$((SECONDS + timeout))
  while :; do
    encoded=$(kube -n "$namespace" get secret "$token_secret" -o 'jsonpath={.data.token}')
    if [[ -n $encoded ]]; then
      token=$(base64 -d <<<"$encoded")
      break
    fi
    if (( SECONDS >= deadline )); then
      die "no token in Secret $namespace/$token_secret after ${timeout}s: the cluster's token controller did not fill it (for an API server without one, such as kube-emulator, set PEER_ACCESS_TOKEN)"
    fi
    sleep 1
  done
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
    token: $token
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
  (umask 077 && write_kubeconfig >"$output")
  step "peer-access: wrote kubeconfig (context $name) to $output"
else
  write_kubeconfig
fi
