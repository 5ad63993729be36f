#!/usr/bin/env bash
# End-to-end: tandem-operator, started as a process, against two kube-emulators (eks and gke)
# that simulate workloads — issue #7's definition of done. The real kubectl applies the CRD and
# a FraudModel to both clusters; the checks read Deployments, Services, events, the operator's
# /metrics and the emulators' request counters:
#   - initial rollout, per-cluster registries, the Deployment and Service the operator writes;
#   - a version bump that reaches gke only after eks served it ready for bakeSeconds, with
#     ExternalDNS weights draining each cluster while it moves;
#   - an image that never pulls: rollback of every cluster, phase Degraded;
#   - a restarted operator writes nothing to a converged fleet;
#   - gke's API server gone: eks still reconciled, gke `reachable: false`;
#   - deleting the FraudModel collects its objects, and the operator leaves them deleted;
#   - an invalid configuration file is refused with the file and field named.
#
# Usage: hack/e2e-operator.sh
# Env:   KUBE_EMULATOR_BIN, TANDEM_OPERATOR_BIN  built binaries (default: swift build's debug
#        folder, built there if missing); E2E_OPERATOR_LOGS  where the processes' logs go
#        (default .build/test-logs/e2e-operator)
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a decimal point
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

command -v jq >/dev/null || die "jq is missing (apt-get install jq)"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"

WORK=$(mktemp -d)
LOGS="${E2E_OPERATOR_LOGS:-$REPO_ROOT/.build/test-logs/e2e-operator}"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
FIXTURE="$REPO_ROOT/hack/fixtures/fraudmodel-e2e.yaml"
NAME=fraud-detector
BAKE_SECONDS=5
EKS_REGISTRY=123456789012.dkr.ecr.us-east-1.amazonaws.com
GKE_REGISTRY=us-central1-docker.pkg.dev/my-gcp-project/my-repo
OPERATOR_AGENT=tandem-kube-client/
WEIGHT_KEY=external-dns.kubernetes.io/aws-weight

# ---- binaries: those of `swift build` (hack/test.sh builds them), built here only if missing ----
BIN_DIR=$(swift_bin_path debug)
ensure_built() {
  local product=$1 binary=$2
  [[ -x "$binary" ]] && return 0
  step "building $product (log: $LOGS/build-$product.log)"
  flock /tmp/tandem-swift.lock swift build --product "$product" >"$LOGS/build-$product.log" 2>&1 \
    || { tail -n 20 "$LOGS/build-$product.log"; die "building $product failed"; }
}
export KUBE_EMULATOR_BIN="${KUBE_EMULATOR_BIN:-$BIN_DIR/kube-emulator}"
TANDEM_OPERATOR_BIN="${TANDEM_OPERATOR_BIN:-$BIN_DIR/tandem-operator}"
ensure_built kube-emulator "$KUBE_EMULATOR_BIN"
ensure_built tandem-operator "$TANDEM_OPERATOR_BIN"

k() { "$KUBECTL" "$@"; }

# ---- processes ----
# emulator CLUSTER: starts that cluster's emulator; sets <CLUSTER>_URL and <CLUSTER>_PID.
emulator() {
  local cluster=$1 upper
  upper=$(tr '[:lower:]' '[:upper:]' <<<"$cluster")
  start_emulator "$LOGS/$cluster.log" --listen 127.0.0.1:0 --name "$cluster" --admin --simulate-workloads \
    --pod-ready-seconds 1 --unpullable-images 'bad' --kubeconfig-out "$KUBECONFIG" --context "$cluster"
  printf -v "${upper}_URL" '%s' "$EMULATOR_URL"
  printf -v "${upper}_PID" '%s' "$EMULATOR_PID"
}

OPERATOR_PID=""
OPERATOR_RUNS=0
# start_operator: runs `tandem-operator run` on $WORK/clusters.yaml, its log in $LOGS; waits for
# its metrics and health ports (30 s at most) and sets METRICS_URL and HEALTH_URL.
start_operator() {
  OPERATOR_RUNS=$((OPERATOR_RUNS + 1))
  OPERATOR_LOG="$LOGS/operator-$OPERATOR_RUNS.log"
  "$TANDEM_OPERATOR_BIN" run --config "$WORK/clusters.yaml" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
    --log-format text --graceful-shutdown-seconds 5 >"$OPERATOR_LOG" 2>&1 &
  OPERATOR_PID=$!
  BACKGROUND_PIDS+=("$OPERATOR_PID")
  local deadline=$((SECONDS + 30)) metrics="" health=""
  while [[ -z "$metrics" || -z "$health" ]]; do
    kill -0 "$OPERATOR_PID" 2>/dev/null || { cat "$OPERATOR_LOG" >&2; die "tandem-operator exited early"; }
    (( SECONDS < deadline )) || die "tandem-operator did not listen within 30s (log: $OPERATOR_LOG)"
    sleep 0.1
    metrics=$(sed -n 's/.*endpoint=metrics port=\([0-9]*\).*/\1/p' "$OPERATOR_LOG" | head -1)
    health=$(sed -n 's/.*endpoint=health port=\([0-9]*\).*/\1/p' "$OPERATOR_LOG" | head -1)
  done
  METRICS_URL="http://127.0.0.1:$metrics/metrics"
  HEALTH_URL="http://127.0.0.1:$health"
}

# stop_process PID: SIGTERM, SIGKILL after 20 s; its exit code in STOPPED_RC.
stop_process() {
  kill -TERM "$1" 2>/dev/null || true
  local deadline=$((SECONDS + 20))
  while kill -0 "$1" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  STOPPED_RC=0
  wait "$1" 2>/dev/null || STOPPED_RC=$?
}

# ---- reading the clusters ----
url_of() { local var; var="$(tr '[:lower:]' '[:upper:]' <<<"$1")_URL"; printf '%s' "${!var}"; }
api() { curl -sf --max-time 5 "$(url_of "$1")$2"; }
deployment_path="/apis/apps/v1/namespaces/default/deployments/$NAME"
service_path="/api/v1/namespaces/default/services/$NAME"
model_path="/apis/tandem.dev/v1alpha1/namespaces/default/fraudmodels/$NAME"

fm() { k --context "$1" get fm "$NAME" -o "jsonpath=$2"; }
deploy() { k --context "$1" get deployment "$NAME" -o "jsonpath=$2"; }
image_of() { deploy "$1" '{.spec.template.spec.containers[0].image}'; }

# deployment_state CLUSTER: "<template version> <ready|notready> <image>" of the Deployment; ready
# means the controller saw the newest spec and every replica is updated and ready.
deployment_state() {
  api "$1" "$deployment_path" | jq -r '[.spec.template.metadata.labels["app.kubernetes.io/version"] // "-",
    (if (.status.observedGeneration // 0) >= .metadata.generation and (.status.updatedReplicas // 0) == .spec.replicas
        and (.status.readyReplicas // 0) == .spec.replicas and (.status.replicas // 0) == .spec.replicas
     then "ready" else "notready" end),
    .spec.template.spec.containers[0].image] | join(" ")' 2>/dev/null || echo "- unreachable -"
}
weight_of() { api "$1" "$service_path" | jq -r --arg key "$WEIGHT_KEY" '.metadata.annotations[$key] // "none"' 2>/dev/null || echo "-"; }

# fleet_is CLUSTER PHASE VERSION: the copy in CLUSTER has that phase and serving version.
fleet_is() { [[ "$(fm "$1" '{.status.phase} {.status.servingVersion}')" == "$2 $3" ]]; }
deployment_serves() { [[ "$(deployment_state "$1")" == "$2 ready "* ]]; }
weight_is() { [[ "$(weight_of "$1")" == "$2" ]]; }
cluster_row() { fm "$1" "{.status.clusters[?(@.name==\"$2\")].$3}"; }
row_is() { [[ "$(cluster_row "$1" "$2" "$3")" == "$4" ]]; }
absent() { ! k --context "$1" get "$2" "$NAME" >/dev/null 2>&1; }
replicas_are() { [[ "$(deploy "$1" '{.spec.replicas}')" == "$2" ]]; }
images() { printf '%s %s' "$(image_of eks)" "$(image_of gke)"; }
# fm_row_matches CLUSTER REGEX: a row of `kubectl get fm` in CLUSTER matches REGEX.
fm_row_matches() { k --context "$1" get fm | grep -Eq "$2"; }

# sample_fleet FILE SECONDS STOP...: every ~0.3 s appends "time eksVersion eksReady eksImage
# gkeVersion gkeReady gkeImage eksWeight gkeWeight eksPhase" to FILE until STOP succeeds
# (given the line just written) or SECONDS pass.
sample_fleet() {
  local file=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds)) line phase
  : >"$file"
  while (( SECONDS < deadline )); do
    phase=$(api eks "$model_path" | jq -r '.status.phase // "-"' 2>/dev/null || echo -)
    line="$EPOCHREALTIME $(deployment_state eks) $(deployment_state gke) $(weight_of eks) $(weight_of gke) $phase"
    printf '%s\n' "$line" >>"$file"
    if "$@" "$line"; then return 0; fi
    sleep 0.3
  done
  return 1
}

# count_samples FILE COLUMN VALUE: how many samples have VALUE in COLUMN.
count_samples() { awk -v column="$2" -v value="$3" '$column == value { n++ } END { print n + 0 }' "$1"; }

count_samples_both_drained() { awk '$8 == "0" && $9 == "0" { n++ } END { print n + 0 }' "$1"; }

# writes_by_operator CLUSTER [RESOURCE]: create/update/patch/delete requests the operator made,
# by the emulator's counters.
writes_by_operator() {
  api "$1" /_emulator/counters | jq --arg agent "$OPERATOR_AGENT" --arg resource "${2:-}" '[.items[]
    | select((.userAgent | startswith($agent)) and (.verb | IN("create", "update", "patch", "delete"))
             and ($resource == "" or .resource == $resource)) | .count] | add // 0'
}
# creates_by_operator CLUSTER: objects other than events the operator created, by a create or a
# server-side apply answered 201 Created.
creates_by_operator() {
  api "$1" /_emulator/counters | jq --arg agent "$OPERATOR_AGENT" '[.items[]
    | select((.userAgent | startswith($agent)) and .resource != "events"
             and (.verb == "create" or (.verb == "patch" and .code == 201))) | .count] | add // 0'
}
reads_by_operator() {
  api "$1" /_emulator/counters | jq --arg agent "$OPERATOR_AGENT" '[.items[]
    | select((.userAgent | startswith($agent)) and (.verb | IN("get", "list", "watch"))) | .count] | add // 0'
}
reset_counters() { curl -sf --max-time 5 -X DELETE "$(url_of "$1")/_emulator/counters" >/dev/null; }
# fleet_status CLUSTER: the copy's status without its per-copy fields (generation, local replicas).
fleet_status() { api "$1" "$model_path" | jq -S '.status | del(.observedGeneration, .replicas, .conditions[]?.observedGeneration)'; }
copies_agree() { [[ "$(fleet_status eks)" == "$(fleet_status gke)" ]]; }
# quiet CLUSTER: the operator writes nothing to CLUSTER for a second.
quiet() { reset_counters "$1" && sleep 1 && [[ $(writes_by_operator "$1") == 0 ]]; }
patch_both() {
  local cluster
  for cluster in eks gke; do k --context "$cluster" patch fm "$NAME" --type merge -p "$1" >/dev/null; done
}

# ---- the clusters ----
cat >"$WORK/clusters.yaml" <<'YAML'
clusters:
- name: eks
  provider: aws
  region: us-east-1
  kubeconfig: kubeconfig
  context: eks
  registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
  mode: manage
- name: gke
  provider: gcp
  region: us-central1
  kubeconfig: kubeconfig
  context: gke
  registry: gcr.io/overridden-by-the-fraudmodel
  mode: manage
YAML

step "an invalid configuration is refused"
sed 's/provider: gcp/provider: azure/' "$WORK/clusters.yaml" >"$WORK/bad-clusters.yaml"
expect_failure "run exits non-zero naming the file and the field" 'bad-clusters\.yaml: clusters\[1\]\.provider: .*azure' -- \
  timeout 20 "$TANDEM_OPERATOR_BIN" run --config "$WORK/bad-clusters.yaml" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --log-format text

step "starting emulators eks and gke (simulated workloads) and the operator"
emulator eks
emulator gke
start_operator
for cluster in eks gke; do
  expect_output "[$cluster] CRD applied" 'fraudmodels.tandem.dev created' -- k --context "$cluster" apply -f crds/tandem.dev_fraudmodels.yaml
  expect_output "[$cluster] FraudModel applied" "fraudmodel.tandem.dev/$NAME created" -- k --context "$cluster" apply -f "$FIXTURE"
done

step "initial rollout"
for cluster in eks gke; do
  expect_output "[$cluster] kubectl wait --for=condition=Ready" 'condition met' -- \
    k --context "$cluster" wait --for=condition=Ready "fm/$NAME" --timeout=60s
done
expect_output "eks runs the operator configuration's registry" "^$EKS_REGISTRY/fraud-detector:2\.1\.0$" -- image_of eks
expect_output "gke runs the FraudModel's registry override" "^$GKE_REGISTRY/fraud-detector:2\.1\.0$" -- image_of gke
for cluster in eks gke; do
  expect_output "[$cluster] kubectl get fm: columns" '^NAME +VERSION +SERVING +PHASE +CLUSTERS +AGE$' -- k --context "$cluster" get fm
  expect_output "[$cluster] kubectl get fm: 2.1.0 2.1.0 Ready 2/2" "^$NAME +2\.1\.0 +2\.1\.0 +Ready +2/2 " -- k --context "$cluster" get fm
done

step "the Deployment and Service the operator wrote"
FM_UID=$(fm eks '{.metadata.uid}')
expect_output "owner reference to the FraudModel (controller)" "^FraudModel $NAME $FM_UID true$" -- \
  deploy eks '{.metadata.ownerReferences[0].kind} {.metadata.ownerReferences[0].name} {.metadata.ownerReferences[0].uid} {.metadata.ownerReferences[0].controller}'
expect_output "app.kubernetes.io labels" '^fraud-server fraud-detector 2\.1\.0 tandem-operator$' -- \
  deploy eks '{.metadata.labels.app\.kubernetes\.io/name} {.metadata.labels.app\.kubernetes\.io/instance} {.metadata.labels.app\.kubernetes\.io/version} {.metadata.labels.app\.kubernetes\.io/managed-by}'
expect_output "env MODEL_VERSION" '^2\.1\.0$' -- deploy eks '{.spec.template.spec.containers[0].env[?(@.name=="MODEL_VERSION")].value}'
expect_output "readiness probe /v2/health/ready" '^/v2/health/ready$' -- deploy eks '{.spec.template.spec.containers[0].readinessProbe.httpGet.path}'
expect_output "rolling update with maxUnavailable 0" '^RollingUpdate 0$' -- deploy eks '{.spec.strategy.type} {.spec.strategy.rollingUpdate.maxUnavailable}'
expect_output "replicas from the FraudModel" '^2 2$' -- deploy gke '{.spec.replicas} {.status.readyReplicas}'
for cluster in eks gke; do
  expect_output "[$cluster] Service exists, port 80 to http" "^ClusterIP 80 http $NAME$" -- \
    k --context "$cluster" get service "$NAME" -o 'jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app\.kubernetes\.io/instance}'
done
expect_output "status rows name each cluster's image" "^$EKS_REGISTRY/fraud-detector:2\.1\.0 $GKE_REGISTRY/fraud-detector:2\.1\.0$" -- \
  fm gke '{.status.clusters[0].image} {.status.clusters[1].image}'
expect_output "RolloutStarted event" 'RolloutStarted +fraudmodel/fraud-detector +rolling out 2\.1\.0' -- \
  k --context eks get events --field-selector involvedObject.name="$NAME"
expect_output "ClusterPromoted event names gke" 'ClusterPromoted +fraudmodel/fraud-detector +gke: moving to 2\.1\.0' -- k --context eks get events
expect_output "RolloutSucceeded event (events.k8s.io)" 'RolloutSucceeded' -- \
  k --context gke get events.events.k8s.io -o 'jsonpath={.items[*].reason}'

step "operator endpoints"
expect_output "/metrics: controller_runtime_reconcile_total" '^controller_runtime_reconcile_total\{' -- curl -sf --max-time 5 "$METRICS_URL"
expect_output "/metrics: rest_client_requests_total" '^rest_client_requests_total\{' -- curl -sf --max-time 5 "$METRICS_URL"
expect_output "/readyz" 'ok' -- curl -sf --max-time 5 "$HEALTH_URL/readyz"

step "traffic: ExternalDNS weights on each Service"
patch_both '{"spec":{"traffic":{"hostname":"fraud.api.example.com","policy":"Weighted","weights":{"eks":50,"gke":50}}}}'
eventually "eks Service gets aws-weight 50" 20 weight_is eks 50
eventually "gke Service gets aws-weight 50" 20 weight_is gke 50
expect_output "hostname and set-identifier annotations" '^fraud\.api\.example\.com eks$' -- \
  k --context eks get service "$NAME" -o 'jsonpath={.metadata.annotations.external-dns\.kubernetes\.io/hostname} {.metadata.annotations.external-dns\.kubernetes\.io/set-identifier}'

step "someone else labels the Deployment"
expect_output "kubectl label" 'labeled' -- k --context eks label deployment "$NAME" e2e.example.com/owner=payments-team

step "bump modelVersion to 2.2.0: eks first, gke after eks served it ready for ${BAKE_SECONDS}s"
both_ready_at_2_2_0() {
  local pattern='^[0-9.]+ 2\.2\.0 ready [^ ]+ 2\.2\.0 ready '
  [[ "$1" =~ $pattern ]]
}
patch_both '{"spec":{"modelVersion":"2.2.0"}}'
if sample_fleet "$LOGS/samples-2.2.0.txt" 60 both_ready_at_2_2_0; then
  pass "both clusters serve 2.2.0 ready"
else
  fail "both clusters serve 2.2.0 ready (samples: $LOGS/samples-2.2.0.txt)"
fi
# Columns: 1 time, 2-4 eks version/ready/image, 5-7 gke version/ready/image, 8-9 weights, 10 phase.
timing=$(awk '
  $2 == "2.2.0" && $3 == "ready" && !eks { eks = $1 }
  $5 == "2.2.0" && !gke { gke = $1; eksReadyBefore = (eks != "") }
  $8 == "0" { eksDrained = 1 }
  $9 == "0" { gkeDrained = 1 }
  $8 == "0" && $9 == "0" { bothDrained = 1 }
  END { printf "%s %s %d %d %d %d\n", eks ? eks : "-", gke ? gke : "-", eksReadyBefore, eksDrained, gkeDrained, bothDrained }
' "$LOGS/samples-2.2.0.txt")
read -r eks_ready_at gke_moved_at eks_ready_before eks_drained gke_drained both_drained <<<"$timing"
expect_equal "gke's template changed only after eks served 2.2.0 ready" 1 "$eks_ready_before"
if [[ "$eks_ready_at" != - && "$gke_moved_at" != - ]]; then
  waited=$(awk -v a="$eks_ready_at" -v b="$gke_moved_at" 'BEGIN { printf "%.1f", b - a }')
  if awk -v w="$waited" -v bake="$BAKE_SECONDS" 'BEGIN { exit !(w >= bake - 1) }'; then
    pass "gke moved ${waited}s after eks was ready (bakeSeconds $BAKE_SECONDS, 1s tolerance)"
  else
    fail "gke moved ${waited}s after eks was ready, before bakeSeconds $BAKE_SECONDS (samples: $LOGS/samples-2.2.0.txt)"
  fi
else
  fail "no time for eks ready ($eks_ready_at) or gke moving ($gke_moved_at) (samples: $LOGS/samples-2.2.0.txt)"
fi
expect_equal "eks drained (aws-weight 0) while it rolled" 1 "$eks_drained"
expect_equal "gke drained (aws-weight 0) while it rolled" 1 "$gke_drained"
expect_equal "never both clusters drained at once" 0 "$both_drained"
eventually "eks weight back to 50" 20 weight_is eks 50
eventually "gke weight back to 50" 20 weight_is gke 50
for cluster in eks gke; do eventually "[$cluster] fleet Ready serving 2.2.0" 20 fleet_is "$cluster" Ready 2.2.0; done
expect_output "images carry each registry at 2.2.0" "^$EKS_REGISTRY/fraud-detector:2\.2\.0 $GKE_REGISTRY/fraud-detector:2\.2\.0$" -- images
expect_output "MODEL_VERSION follows" '^2\.2\.0$' -- deploy gke '{.spec.template.spec.containers[0].env[?(@.name=="MODEL_VERSION")].value}'
expect_output "someone else's label survived the rollout" '^payments-team 2\.2\.0$' -- \
  deploy eks '{.metadata.labels.e2e\.example\.com/owner} {.metadata.labels.app\.kubernetes\.io/version}'
expect_output "ClusterPromoted event for gke at 2.2.0" 'gke: moving to 2\.2\.0' -- k --context gke get events

step "restarting the operator: no write to a converged fleet"
eventually "the operator is quiet in eks (converged)" 20 quiet eks
eventually "the operator is quiet in gke (converged)" 20 quiet gke
for cluster in eks gke; do api "$cluster" "$model_path" >"$LOGS/$cluster-fraudmodel-before-restart.json" || true; done
eventually "both copies carry the same fleet status" 10 copies_agree
diff <(fleet_status eks) <(fleet_status gke) >"$LOGS/fleet-status-eks-vs-gke.diff" || true
stop_process "$OPERATOR_PID"
expect_equal "SIGTERM stops the operator with exit code 0" 0 "$STOPPED_RC"
reset_counters eks
reset_counters gke
start_operator
synced() { [[ $(grep -c 'caches synced' "$OPERATOR_LOG") -ge 2 ]]; }
# reconciled N: the operator's reconciles (by /metrics) are N or more.
reconciled() {
  local total
  total=$(curl -sf --max-time 5 "$METRICS_URL" | awk '/^controller_runtime_reconcile_total\{/ { n += $2 } END { print n + 0 }')
  (( total >= $1 ))
}
eventually "restarted operator synced both caches" 30 synced
eventually "restarted operator reconciled both copies" 30 reconciled 2
sleep 3 # a quiet window: the writes a wrong reconcile would make come within it
for cluster in eks gke; do
  api "$cluster" /_emulator/counters >"$LOGS/$cluster-counters-after-restart.json" || true
  api "$cluster" "$model_path" >"$LOGS/$cluster-fraudmodel-after-restart.json" || true
  expect_output "[$cluster] the restarted operator read the cluster" '^[1-9][0-9]*$' -- reads_by_operator "$cluster"
  expect_output "[$cluster] no create/update/patch/delete by the restarted operator" '^0$' -- writes_by_operator "$cluster"
done

step "an image that never pulls: rollback everywhere, phase Degraded"
rolled_back() {
  local pattern='^[0-9.]+ 2\.2\.0 ready [^ ]+ 2\.2\.0 ready [^ ]+ [^ ]+ [^ ]+ Degraded$'
  [[ "$1" =~ $pattern ]] && grep -q ' 3\.0\.0-bad ' "$LOGS/samples-bad.txt"
}
patch_both '{"spec":{"modelVersion":"3.0.0-bad"}}'
if sample_fleet "$LOGS/samples-bad.txt" 60 rolled_back; then
  pass "eks tried 3.0.0-bad, then every cluster is back on 2.2.0 and the fleet Degraded"
else
  fail "rollback to 2.2.0 with the fleet Degraded (samples: $LOGS/samples-bad.txt)"
fi
expect_output "eks's Deployment ran the bad image" "$EKS_REGISTRY/fraud-detector:3\.0\.0-bad" -- cat "$LOGS/samples-bad.txt"
expect_output "gke never moved to the bad version" '^0$' -- count_samples "$LOGS/samples-bad.txt" 5 3.0.0-bad
expect_output "eks rolled back, gke still on the last good version" "^$EKS_REGISTRY/fraud-detector:2\.2\.0 $GKE_REGISTRY/fraud-detector:2\.2\.0$" -- images
for cluster in eks gke; do
  eventually "[$cluster] kubectl get fm: 3.0.0-bad 2.2.0 Degraded" 20 fm_row_matches "$cluster" "^$NAME +3\.0\.0-bad +2\.2\.0 +Degraded +[0-9]/2 "
  expect_output "[$cluster] condition Degraded: RolloutFailed naming eks's ImagePullBackOff" '^True RolloutFailed .*eks: ImagePullBackOff on ' -- \
    fm "$cluster" '{.status.conditions[?(@.type=="Degraded")].status} {.status.conditions[?(@.type=="Degraded")].reason} {.status.conditions[?(@.type=="Degraded")].message}'
done
expect_output "failedVersion and lastGoodVersion" '^3\.0\.0-bad 2\.2\.0$' -- fm eks '{.status.failedVersion} {.status.lastGoodVersion}'
expect_output "RolloutFailed event" 'Warning +RolloutFailed' -- k --context eks get events
expect_output "gke kept its traffic while eks was drained" '^50$' -- weight_of gke
expect_output "never both clusters drained during the failed rollout" '^0$' -- count_samples_both_drained "$LOGS/samples-bad.txt"

step "restoring 2.2.0 on both copies"
patch_both '{"spec":{"modelVersion":"2.2.0"}}'
for cluster in eks gke; do eventually "[$cluster] fleet Ready serving 2.2.0 again" 30 fleet_is "$cluster" Ready 2.2.0; done
eventually "eks weight back to 50" 20 weight_is eks 50
eventually "gke weight 50" 20 weight_is gke 50

step "gke's API server stops"
stop_process "$GKE_PID"
eventually "eks's copy says gke reachable: false" 30 row_is eks gke reachable false
expect_output "eks's copy says eks reachable: true" '^true$' -- cluster_row eks eks reachable
expect_output "eks still ready" '^Ready$' -- cluster_row eks eks phase
expect_output "[eks] kubectl get fm: 1/2 clusters" "^$NAME +2\.2\.0 .* 1/2 " -- k --context eks get fm
k --context eks scale deployment "$NAME" --replicas=4 >/dev/null
eventually "the operator puts eks's replicas back to 2" 20 replicas_are eks 2
eventually "eks serves 2 ready replicas" 20 deployment_serves eks 2.2.0
expect_output "eks Service keeps its weight" '^50$' -- weight_of eks
eventually "the operator is quiet in eks once the drift is corrected" 20 quiet eks

step "deleting the FraudModel in eks"
reset_counters eks
expect_output "kubectl delete fm" 'deleted' -- k --context eks delete fm "$NAME"
eventually "the Deployment is collected (owner reference)" 20 absent eks deployment
eventually "the Service is collected (owner reference)" 20 absent eks service
sleep 3 # a quiet window in which the operator must not recreate them
expect_failure "the Deployment stays deleted" 'NotFound' -- k --context eks get deployment "$NAME"
expect_failure "the Service stays deleted" 'NotFound' -- k --context eks get service "$NAME"
expect_output "the operator recreated nothing in eks (no create, no apply answered 201)" '^0$' -- creates_by_operator eks
api eks /_emulator/counters >"$LOGS/eks-counters-after-delete.json" || true

if [[ $FAILED -gt 0 ]]; then warn "logs: $LOGS"; fi
summary "e2e-operator"
