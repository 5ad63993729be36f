#!/usr/bin/env bash
# End-to-end: the Helm chart proven to run, not only to render. tandem-operator is installed with
# the Helm library into each of two `kube-emulator --run-pods` clusters, where it runs as a Pod
# (the chart's ServiceAccount, in-cluster configuration, the clusters ConfigMap and the peer's
# kubeconfig Secret): eks's instance manages eks and observes gke, gke's manages gke and observes
# eks — the topology in which losing a cloud never stops the other from reconciling. Real
# fraud-server pods then serve 2.1.0 and move to 2.2.0 eks first, gke after the bake.
# Logs: .build/test-logs/e2e-helm-pods/.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fleet.sh"
cd "$REPO_ROOT"

[[ $(id -u) -eq 0 ]] || die "e2e-helm-pods needs root (kube-emulator --run-pods)"
PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
"$PYTHON" -c 'import helm_python' 2>/dev/null || die "helm-python-sdk missing: .venv/bin/pip install -r hack/requirements-helm.txt"
WORK=$(mktemp -d)
LOGS="$REPO_ROOT/.build/test-logs/e2e-helm-pods"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
export HELM_CACHE_HOME="$WORK/helm/cache" HELM_CONFIG_HOME="$WORK/helm/config" HELM_DATA_HOME="$WORK/helm/data"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
BIN="$(swift_bin_path debug)"
NAME=fraud-detector
NS=tandem-system
k() { "$KUBECTL" "$@"; }

# ---- images: fraud-server 2.1.0 and 2.2.0, and tandem-operator at the chart's appVersion ----
FIXTURES=Tests/FraudServingTests/Fixtures
for entry in "$FIXTURES/xgboost_binary.json 2.1.0" "$FIXTURES/lightgbm_binary.txt 2.2.0"; do
  # shellcheck disable=SC2086 # "file version"
  FRAUD_SERVER="$BIN/fraud-server" bash hack/build-image.sh --catalog "$WORK/catalog.yaml" --no-docker $entry >>"$LOGS/build-image.log"
done
APP_VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/tandem-operator/Chart.yaml)
cat >>"$WORK/catalog.yaml" <<YAML
- image: tandem-operator:$APP_VERSION
  command: [/usr/local/bin/tandem-operator]
  workingDir: /
  files:
    /usr/local/bin/tandem-operator: $BIN/tandem-operator
YAML
SHA_A=$(sha256sum "$FIXTURES/xgboost_binary.json" | cut -d' ' -f1)
SHA_B=$(sha256sum "$FIXTURES/lightgbm_binary.txt" | cut -d' ' -f1)

step "two clouds that run pods; each cloud's pods may reach the other's API server (--pod-egress)"
expect_failure "a malformed --pod-egress is refused, naming the flag" 'pod-egress must be an IPv4 CIDR such as 10.202.255.1/32, got 10.300.0.1/32' -- \
  "$BIN/kube-emulator" --run-pods --pod-egress 10.300.0.1/32 --state-dir "$WORK/refused"
declare -A TOKEN HOST_ADDRESS PORT CIDR=([eks]=10.251.0.0/16 [gke]=10.252.0.0/16)
HOST_ADDRESS=([eks]=10.251.255.1 [gke]=10.252.255.1)
for pair in "eks gke" "gke eks"; do
  read -r cluster peer <<<"$pair"
  TOKEN[$cluster]="$cluster-$RANDOM$RANDOM$RANDOM"
  start_emulator "$LOGS/$cluster.log" --listen 127.0.0.1:0 --name "$cluster" --tls --token "${TOKEN[$cluster]}" \
    --kubeconfig-out "$KUBECONFIG" --context "$cluster" --run-pods --image-catalog "$WORK/catalog.yaml" --state-dir "$WORK/state-$cluster" \
    --pod-cidr "${CIDR[$cluster]}" --pod-egress "${HOST_ADDRESS[$peer]}/32"
  PORT[$cluster]="${EMULATOR_URL##*:}"
done

step "each cloud's access to the other (hack/peer-access.sh, the server as pods reach it)"
for pair in "eks gke" "gke eks"; do
  read -r home peer <<<"$pair"
  k --context "$home" create namespace "$NS" --dry-run=client -o yaml | k --context "$home" apply -f - >/dev/null
  # The peer credential is peer-access.sh's own: a bound TokenRequest token of its ServiceAccount,
  # read through tokenFile, so the observing operator runs under exactly the RBAC it grants.
  bash hack/peer-access.sh --server "https://${HOST_ADDRESS[$peer]}:${PORT[$peer]}" \
    -o "$WORK/$peer.peer.kubeconfig" "$peer" "$NS" 2>>"$LOGS/peer-access.log"
  k --context "$home" -n "$NS" create secret generic tandem-peers --from-file=kubeconfig="$WORK/$peer.peer.kubeconfig" \
    --from-file="$WORK/$peer.token" >/dev/null
done
expect_output "the peer kubeconfig names the peer's pod-network address" "server: https://${HOST_ADDRESS[gke]}:${PORT[gke]}" -- \
  cat "$WORK/gke.peer.kubeconfig"

# values HOME PEER HOME_PROVIDER PEER_PROVIDER: the chart values of HOME's instance.
values() {
  cat <<JSON
{"image": {"repository": "tandem-operator", "pullPolicy": "IfNotPresent"},
 "operator": {"logFormat": "text", "leaderElect": $([[ $1 == eks ]] && echo true || echo false)},
 "clusters": [
   {"name": "$1", "provider": "$3", "region": "r-$1", "inCluster": true, "registry": "registry.$1.example", "mode": "manage"},
   {"name": "$2", "provider": "$4", "region": "r-$2", "context": "$2", "registry": "registry.$2.example", "mode": "observe"}],
 "kubeconfigSecret": {"name": "tandem-peers"}}
JSON
}

step "helm install tandem-operator into each cloud (the Helm library)"
for pair in "eks gke aws gcp" "gke eks gcp aws"; do
  read -r home peer home_provider peer_provider <<<"$pair"
  values "$home" "$peer" "$home_provider" "$peer_provider" >"$WORK/values-$home.json"
  expect_output "[$home] helm install: deployed" 'deployed 1' -- "$PYTHON" - "$home" "$WORK/values-$home.json" <<'PY'
import json, os, sys
import helm_python as helm
context, values = sys.argv[1], json.load(open(sys.argv[2]))
with helm.Config(kubeconfig_path=os.environ["KUBECONFIG"], kube_context=context, namespace="tandem-system") as cfg:
    release = cfg.install("charts/tandem-operator", "tandem", values, namespace="tandem-system", create_namespace=True, timeout=60)
    print(release["status"], release["revision"])
PY
done
for cluster in eks gke; do
  eventually "[$cluster] the operator runs as a Pod and is Ready (its /readyz)" 90 bash -c \
    "'$KUBECTL' --context $cluster -n $NS get pods -l app.kubernetes.io/name=tandem-operator | grep -Eq '1/1 +Running'"
done
for cluster in eks gke; do
  POD=$(k --context "$cluster" -n "$NS" get pods -l app.kubernetes.io/name=tandem-operator -o jsonpath='{.items[0].metadata.name}')
  expect_output "[$cluster] its log: in-cluster for its own cloud, the peer through the Secret's kubeconfig" \
    "clusters=$cluster\(manage\),$( [[ $cluster == eks ]] && echo gke || echo eks)\(observe\)" -- k --context "$cluster" -n "$NS" logs "$POD"
  expect_output "[$cluster] it runs as the chart's ServiceAccount" '^tandem-tandem-operator$' -- \
    k --context "$cluster" -n "$NS" get pod "$POD" -o jsonpath='{.spec.serviceAccountName}'
done
# eks's instance elects a leader (leaderElect: true): the Lease is taken under the chart's Role.
EKS_POD=$(k --context eks -n "$NS" get pods -l app.kubernetes.io/name=tandem-operator -o jsonpath='{.items[0].metadata.name}')
eventually "[eks] the operator holds its leader Lease (the chart's Role on leases is enough)" 60 bash -c \
  "'$KUBECTL' --context eks -n $NS get leases -o jsonpath='{.items[*].spec.holderIdentity}' | grep -q '$EKS_POD'"

step "a FraudModel in both clouds: real fraud-server pods, 2.1.0 then 2.2.0"
SPEC="  replicas: 1
  rollout: {strategy: Sequential, order: [eks, gke], bakeSeconds: 5, progressDeadlineSeconds: 120}"
apply_everywhere "$(fraudmodel_manifest 2.1.0 "$SHA_A" /models/model.json xgboost_json "$SPEC")"
wait_fleet_serves 2.1.0 120 "(each cloud's own operator wrote its Deployment)"
expect_output "eks's Deployment was written by the operator in eks, with eks's registry" '^registry\.eks\.example/fraud-detector:2\.1\.0 tandem-operator$' -- \
  k --context eks get deploy "$NAME" -o 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.labels.app\.kubernetes\.io/managed-by}'
apply_everywhere "$(fraudmodel_manifest 2.2.0 "$SHA_B" /models/model.txt lightgbm_text "$SPEC")"
wait_fleet_serves 2.2.0 150
EKS_MOVED=$(k --context eks get events -o json | jq -r '[.items[] | select(.reason == "ClusterPromoted" and (.message | test("eks: moving to 2.2.0")))][0] | .eventTime // .firstTimestamp // .metadata.creationTimestamp // ""')
GKE_MOVED=$(k --context gke get events -o json | jq -r '[.items[] | select(.reason == "ClusterPromoted" and (.message | test("gke: moving to 2.2.0")))][0] | .eventTime // .firstTimestamp // .metadata.creationTimestamp // ""')
expect_output "gke's operator moved gke only after eks's operator had moved eks (and eks baked)" 'yes' -- \
  bash -c "[[ -n '$EKS_MOVED' && -n '$GKE_MOVED' && '$EKS_MOVED' < '$GKE_MOVED' ]] && echo yes"

step "the chart's RBAC is exactly enough (RBAC enforced; the operator's ServiceAccount, by a token of its own)"
# as_operator CLUSTER ARGS...: kubectl as the chart's ServiceAccount in CLUSTER (server and CA
# from the context, no client certificate).
as_operator() {
  local cluster=$1 server ca_file
  shift
  server=$(k config view --raw --minify --flatten --context "$cluster" -o 'jsonpath={.clusters[0].cluster.server}')
  ca_file="$WORK/$cluster.ca"
  k config view --raw --minify --flatten --context "$cluster" -o 'jsonpath={.clusters[0].cluster.certificate-authority-data}' \
    | base64 -d >"$ca_file"
  KUBECONFIG=/dev/null "$KUBECTL" --server "$server" --certificate-authority "$ca_file" \
    --token "$(k --context "$cluster" -n "$NS" create token tandem-tandem-operator --duration=10m)" "$@"
}
for cluster in eks gke; do
  expect_equal "[$cluster] the operator's log has no Forbidden (nothing it does was refused)" 0 \
    "$(grep -ci 'forbidden' "$LOGS/peer-access.log" <(k --context "$cluster" -n "$NS" logs -l app.kubernetes.io/name=tandem-operator --tail=-1) \
      | awk -F: '{ sum += $NF } END { print sum + 0 }')"
done
for verb in "list fraudmodels.tandem.dev" "update fraudmodels.tandem.dev --subresource=status" "patch deployments.apps" \
  "create services" "watch pods" "create events.events.k8s.io"; do
  # shellcheck disable=SC2086 # "verb resource [flags]"
  expect_output "the operator may: $verb" '^yes' -- as_operator eks auth can-i $verb -n default
done
# No member has a serving identity here: no ServiceAccount access either.
for verb in "delete deployments.apps" "delete services" "patch fraudmodels.tandem.dev" "update fraudmodels.tandem.dev" \
  "create events" "list secrets" "create serviceaccounts"; do
  # shellcheck disable=SC2086 # "verb resource [flags]"
  expect_failure "the operator may not (and never needs to): $verb" '^no' -- as_operator eks auth can-i $verb -n default
done
expect_failure "the operator may not read even the peer kubeconfig Secret (the kubelet mounts it)" '^no' -- \
  as_operator eks auth can-i get secrets/tandem-peers -n "$NS"

for cluster in eks gke; do
  { k --context "$cluster" get fm,deploy,pods -A -o wide; k --context "$cluster" get fm "$NAME" -o yaml; } >"$LOGS/$cluster-state.txt" 2>&1 || true
  k --context "$cluster" -n "$NS" logs -l app.kubernetes.io/name=tandem-operator --tail=-1 >"$LOGS/$cluster-operator.log" 2>&1 || true
done
summary e2e-helm-pods
