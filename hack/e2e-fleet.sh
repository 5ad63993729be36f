#!/usr/bin/env bash
# End-to-end: predictions served by real fraud-server pods in two emulated clouds, under steady
# load, through a rollout, a failed version and a cloud outage (issue: predictions end to end).
#
#   - eks and gke are kube-emulators with --run-pods: every replica is a fraud-server process in
#     its own network namespace, behind the cluster's loopback LoadBalancer address;
#   - tandem-operator runs as a process and manages both; the real kubectl applies the CRD and
#     the FraudModel to both clusters;
#   - hack/load.py sends a bounded, steady load through each cloud's load balancer, choosing the
#     cloud per request the way Route 53 would from the records ExternalDNS would publish;
#   - 2.1.0 (XGBoost) -> 2.2.0 (LightGBM, another file, format and checksum): 0 failed requests,
#     the answering version moves eks first, gke after bake;
#   - 2.3.0 whose file does not match its checksum: never answers, every cloud ends on 2.2.0
#     with 2.2.0's checksum, file and format;
#   - Failover, eks PRIMARY: eks's emulator killed under load; requests move to gke, and the
#     number that failed in between is reported.
#
# Usage: hack/e2e-fleet.sh     (root: pods are real processes in namespaces)
# Env:   E2E_FLEET_LOGS  where logs and the load tables go (default .build/test-logs/e2e-fleet)
set -euo pipefail
export LC_ALL=C
source "$(dirname "$0")/lib/common.sh"
source "$(dirname "$0")/lib/fleet.sh"
cd "$REPO_ROOT"

[[ $(id -u) -eq 0 ]] || die "e2e-fleet needs root (kube-emulator --run-pods)"
WORK=$(mktemp -d)
LOGS="${E2E_FLEET_LOGS:-$REPO_ROOT/.build/test-logs/e2e-fleet}"
rm -rf "$LOGS"
mkdir -p "$LOGS"
trap 'stop_background; rm -rf "$WORK"' EXIT
export KUBECONFIG="$WORK/kubeconfig"
export KUBECACHEDIR="$WORK/cache"
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
PYTHON="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
BIN="$(swift_bin_path debug)"
NAME=fraud-detector
BAKE=5
RATE=40
k() { "$KUBECTL" "$@"; }

# ---- images: one catalog entry per version (hack/build-image.sh), the same in both clouds ----
FIXTURES="$REPO_ROOT/Tests/FraudServingTests/Fixtures"
XGB="$FIXTURES/xgboost_binary.json"
LGBM="$FIXTURES/lightgbm_binary.txt"
for entry in "$XGB 2.1.0" "$LGBM 2.2.0" "$XGB 2.3.0"; do
  # shellcheck disable=SC2086 # "file version"
  FRAUD_SERVER="$BIN/fraud-server" bash hack/build-image.sh --catalog "$WORK/catalog.yaml" --no-docker $entry >>"$LOGS/build-image.log"
done
SHA_210=$(sha256sum "$XGB" | cut -d' ' -f1)
SHA_220=$(sha256sum "$LGBM" | cut -d' ' -f1)
WRONG_SHA=$(printf '0%.0s' {1..64})

step "two clouds that run pods for real, and the operator"
for cluster in eks gke; do
  start_emulator "$LOGS/$cluster.log" --listen 127.0.0.1:0 --name "$cluster" --admin --kubeconfig-out "$KUBECONFIG" \
    --context "$cluster" --run-pods --image-catalog "$WORK/catalog.yaml" --state-dir "$WORK/state-$cluster"
  printf -v "${cluster^^}_PID" '%s' "$EMULATOR_PID"
done
cat >"$WORK/clusters.yaml" <<YAML
clusters:
- name: eks
  provider: aws
  region: us-east-1
  kubeconfig: $KUBECONFIG
  context: eks
  registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com
- name: gke
  provider: gcp
  region: us-central1
  kubeconfig: $KUBECONFIG
  context: gke
  registry: us-central1-docker.pkg.dev/my-gcp-project/my-repo
YAML
"$BIN/tandem-operator" run --config "$WORK/clusters.yaml" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 \
  --log-format text >"$LOGS/operator.log" 2>&1 &
BACKGROUND_PIDS+=("$!")

# fraudmodel VERSION SHA PATH FORMAT POLICY: the FraudModel applied to both clouds.
fraudmodel() {
  local traffic
  if [[ $5 == Failover ]]; then traffic="policy: Failover
    primary: eks"; else traffic="policy: Weighted
    weights: {eks: 50, gke: 50}"; fi
  fraudmodel_manifest "$1" "$2" "$3" "$4" "  replicas: 2
  rollout: {strategy: Sequential, order: [eks, gke], bakeSeconds: $BAKE, progressDeadlineSeconds: 25, onFailure: RollbackAll}
  traffic:
    hostname: fraud.api.example.com
    $traffic"
}
for cluster in eks gke; do k --context "$cluster" apply -f crds/tandem.dev_fraudmodels.yaml >/dev/null; done
eventually "the CRD is served in both clouds" 20 bash -c "'$KUBECTL' --context eks get fm && '$KUBECTL' --context gke get fm" >/dev/null

step "the API server refuses a format fraud-server would refuse"
fraudmodel 2.1.0 "$SHA_210" /models/model.json xgboost-json Weighted >"$WORK/hyphenated.yaml"
expect_failure "spec.model.format outside the server's names is refused by the schema" \
  'spec.model.format: Unsupported value: "xgboost-json": supported values: "xgboost_json", "lightgbm_text"' -- \
  k --context eks apply -f "$WORK/hyphenated.yaml"

step "2.1.0 (XGBoost) in both clouds"
apply_everywhere "$(fraudmodel 2.1.0 "$SHA_210" /models/model.json xgboost_json Weighted)"
wait_fleet_serves 2.1.0 120 "with real pods"
for cluster in eks gke; do
  eventually "[$cluster] the Service has a load balancer address and its ExternalDNS weight" 30 \
    bash -c "'$KUBECTL' --context $cluster get svc $NAME -o jsonpath='{.status.loadBalancer.ingress[0].ip} {.metadata.annotations.external-dns\\.kubernetes\\.io/aws-weight}' | grep -Eq '^127\\.[0-9.]+ 50$'"
  LB=$(k --context "$cluster" get svc "$NAME" -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  ROW=$(python3 -c 'print(",".join(["0.5"] * 30))')
  expect_output "[$cluster] curl a prediction: 2.1.0 answers" '"model_version":"2.1.0"' -- \
    curl -sf -m 5 -H 'content-type: application/json' -d "[[$ROW]]" "http://$LB/predict"
done

# load SECONDS NAME [RATE [CONTEXT...]]: runs hack/load.py in the background (both clouds at
# $RATE by default); its table in $LOGS/NAME.txt, rows in $WORK/NAME.json.
load() {
  local seconds=$1 name=$2 rate=${3:-$RATE} contexts=("${@:4}") args=()
  ((${#contexts[@]})) || contexts=(eks gke)
  for context in "${contexts[@]}"; do args+=(--context "$context"); done
  "$PYTHON" hack/load.py "${args[@]}" --namespace default --name "$NAME" --rate "$rate" --duration "$seconds" \
    --json "$WORK/$name.json" >"$LOGS/$name.txt" 2>&1 &
  LOAD_PID=$!
  BACKGROUND_PIDS+=("$LOAD_PID")
}
total() { jq -r ".totals.$2" "$WORK/$1.json"; }

step "2.1.0 -> 2.2.0 (LightGBM) under steady load: $RATE requests/s, and 10/s pinned to eks while its pods roll"
# The pinned load is a client whose resolver still holds eks's address (a DNS TTL): it keeps
# sending to eks while eks's own pods are replaced, so only the pods' drain keeps it whole.
load 75 pinned 10 eks
PINNED_PID=$LOAD_PID
load 75 rollout
sleep 2
apply_everywhere "$(fraudmodel 2.2.0 "$SHA_220" /models/model.txt lightgbm_text Weighted)"
wait_fleet_serves 2.2.0 90
wait "$LOAD_PID" "$PINNED_PID" || true
cp "$WORK/rollout.json" "$WORK/pinned.json" "$LOGS/"
expect_equal "no request failed during the rollout (non-2xx)" 0 "$(total rollout non2xx)"
expect_equal "no connection error during the rollout" 0 "$(total rollout errors)"
expect_equal "every request found a record" 0 "$(total rollout no_record)"
expect_equal "pinned to eks while its pods rolled: no non-2xx and no connection error" 0 "$(( $(total pinned non2xx) + $(total pinned errors) ))"
expect_output "pinned to eks: answered by 2.1.0 then 2.2.0, so the load crossed eks's rolling update" 'yes' -- \
  bash -c "jq -e '([.rows[] | .versions[\"2.1.0\"] // 0] | add) > 0 and ([.rows[] | .versions[\"2.2.0\"] // 0] | add) > 0' '$WORK/pinned.json' >/dev/null && echo yes"
first_answer() { jq "[.rows[] | select(.answers[\"$2\"])][0].second // -1" "$WORK/$1.json"; }
last_answer() { jq "[.rows[] | select(.answers[\"$2\"])][-1].second // -1" "$WORK/$1.json"; }
EKS_NEW=$(first_answer rollout eks/2.2.0)
GKE_NEW=$(first_answer rollout gke/2.2.0)
EKS_OLD=$(last_answer rollout eks/2.1.0)
GKE_OLD=$(last_answer rollout gke/2.1.0)
echo "       2.2.0 first answered from eks at ${EKS_NEW}s, from gke at ${GKE_NEW}s; 2.1.0 last answered from eks at ${EKS_OLD}s, from gke at ${GKE_OLD}s"
expect_output "2.2.0 answers from eks first, and gke only after eks baked it ($BAKE s)" 'yes' -- \
  bash -c "(( $EKS_NEW >= 0 && $GKE_NEW >= $EKS_NEW + $BAKE )) && echo yes"
expect_output "every answer after the rollout is 2.2.0, from both clouds" 'yes' -- \
  bash -c "jq -e '[.rows[-5:][] | (.versions | keys) == [\"2.2.0\"] and (.clouds | length) == 2] | all' '$WORK/rollout.json' >/dev/null && echo yes"
for cluster in eks gke; do
  expect_output "[$cluster] the pods run 2.2.0's whole revision (file, format, checksum)" \
    "$SHA_220 model.txt lightgbm_text" -- bash -c "'$KUBECTL' --context $cluster get deploy $NAME -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}={.value}{\"\\n\"}{end}' | sed -n 's/^MODEL_PATH=\\/models\\///p; s/^MODEL_FORMAT=//p; s/^MODEL_SHA256=//p' | paste -sd' '"
done

step "2.3.0 whose model file does not match its checksum, under load"
load 70 failed
sleep 2
apply_everywhere "$(fraudmodel 2.3.0 "$WRONG_SHA" /models/model.json xgboost_json Weighted)"
for cluster in eks gke; do
  eventually "[$cluster] 2.3.0 is recorded as failed and the fleet is back on 2.2.0" 90 \
    bash -c "[[ \$('$KUBECTL' --context $cluster get fm $NAME -o 'jsonpath={.status.failedVersion} {.status.servingVersion} {.status.lastGoodVersion}') == '2.3.0 2.2.0 2.2.0' ]]"
done
wait "$LOAD_PID" || true
cp "$WORK/failed.json" "$LOGS/"
expect_equal "no request failed while 2.3.0 was tried and rolled back" 0 "$(( $(total failed non2xx) + $(total failed errors) ))"
expect_equal "2.3.0 never answered" 0 "$(jq '[.rows[].versions["2.3.0"] // 0] | add' "$WORK/failed.json")"
expect_output "rolled back, eks takes its share again: the last 5 seconds answered from both clouds" 'yes' -- \
  bash -c "jq -e '[.rows[-5:][] | (.clouds | length) == 2] | all' '$WORK/failed.json' >/dev/null && echo yes"
for cluster in eks gke; do
  expect_output "[$cluster] the rollback restored 2.2.0 with its own checksum, file and format" \
    "2.2.0 $SHA_220 model.txt lightgbm_text" -- bash -c "'$KUBECTL' --context $cluster get deploy $NAME -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}={.value}{\"\\n\"}{end}' | sed -n 's/^MODEL_VERSION=//p; s/^MODEL_PATH=\\/models\\///p; s/^MODEL_FORMAT=//p; s/^MODEL_SHA256=//p' | paste -sd' '"
done
expect_output "status.revisions records what each version ran with" "2.2.0=$SHA_220 2.1.0=$SHA_210" -- \
  bash -c "'$KUBECTL' --context gke get fm $NAME -o jsonpath='{range .status.revisions[*]}{.version}={.modelSHA256} {end}' | sed 's/ $//'"

step "Failover with eks PRIMARY; eks's emulator killed under load"
apply_everywhere "$(fraudmodel 2.2.0 "$SHA_220" /models/model.txt lightgbm_text Failover)"
eventually "eks's record is PRIMARY, gke's SECONDARY" 30 bash -c \
  "[[ \$('$KUBECTL' --context eks get svc $NAME -o jsonpath='{.metadata.annotations.external-dns\\.kubernetes\\.io/aws-failover}') == PRIMARY && \$('$KUBECTL' --context gke get svc $NAME -o jsonpath='{.metadata.annotations.external-dns\\.kubernetes\\.io/aws-failover}') == SECONDARY ]]"
load 30 outage
sleep 10
KILLED_AT=$(jq -n 'now')
kill -KILL "$EKS_PID"
eventually "gke sees eks unreachable and keeps its own record SECONDARY (one PRIMARY at a time)" 30 bash -c \
  "[[ \$('$KUBECTL' --context gke get fm $NAME -o 'jsonpath={.status.clusters[?(@.name==\"eks\")].phase}') == Unreachable ]] && [[ \$('$KUBECTL' --context gke get svc $NAME -o jsonpath='{.metadata.annotations.external-dns\\.kubernetes\\.io/aws-failover}') == SECONDARY ]]"
wait "$LOAD_PID" || true
cp "$WORK/outage.json" "$LOGS/"
OUTAGE_FAILURES=$(( $(total outage errors) + $(total outage non2xx) ))
SECONDS_FAILING=$(total outage seconds_with_failures)
echo "       eks killed at $(date -d "@${KILLED_AT%.*}" +%T): $OUTAGE_FAILURES requests failed in $SECONDS_FAILING second(s) at $RATE requests/s"
expect_output "traffic moved to gke: the last 10 seconds answered only from gke" 'yes' -- \
  bash -c "jq -e '[.rows[-10:][] | (.clouds | keys) == [\"gke\"] and .errors == 0 and .non2xx == 0] | all' '$WORK/outage.json' >/dev/null && echo yes"
# At most one second's worth of requests fails; a window under a second may straddle two
# of the table's one-second rows, so two adjacent rows may show failures.
expect_output "at most 1 second of failures ($OUTAGE_FAILURES requests at $RATE/s, in $SECONDS_FAILING row(s))" 'yes' -- \
  bash -c "(( $SECONDS_FAILING <= 2 && $OUTAGE_FAILURES <= $RATE )) && jq -e '[.rows | to_entries[] | select(.value.errors > 0 or .value.non2xx > 0) | .key] | (length == 0) or (.[-1] - .[0] <= 1)' '$WORK/outage.json' >/dev/null && echo yes"
expect_equal "never two PRIMARY records" 0 "$(total outage two_primaries)"

summary e2e-fleet
