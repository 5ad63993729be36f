#!/usr/bin/env bash
# End-to-end: the local demo as a user runs it, and the examples the demo does not apply.
#   - hack/demo.sh (in its own folder, DEMO_BAKE_SECONDS=5, free ports, as root: real
#     fraud-server pods) exits 0 with short progress output; it curls a prediction from each
#     cloud, 2.1.0 then 2.2.0, and shows the load's answers moving eks first with no failure;
#     both copies of the FraudModel are Ready on 2.2.0; eks moved before gke,
#     and gke only once eks had served the version ready for the bake time; every command the
#     demo prints next works (a prediction, a rollout of 2.3.0, then 2.4.0 whose model file does
#     not match its checksum, rolled back everywhere);
#     README.md's retry of the failed version works, and its spec.traffic example is accepted
#     and annotates the Services for ExternalDNS; `hack/demo.sh down` stops every process.
#   - examples/kubeconfig-eks-gke.yaml and examples/clusters-eks-gke.yaml, pointed at two
#     kube-emulators (only server and CA changed), with stand-ins for the aws and
#     gke-gcloud-auth-plugin exec plugins: kubectl and tandem-operator reach both clusters
#     through the plugins and the FraudModel becomes Ready.
# examples/fraudmodel.yaml and examples/clusters-local.yaml are the demo's own;
# examples/values-{eks,gke}.yaml are rendered and applied by hack/e2e-helm.sh.
# Logs: .build/test-logs/e2e-demo*.log.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME with a decimal point
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
[[ -x $KUBECTL ]] || die "kubectl missing at $KUBECTL"
[[ $(id -u) -eq 0 ]] || die "e2e-demo runs the demo's real pods: it needs root"
command -v curl >/dev/null || die "curl is missing (apt-get install curl)"
command -v jq >/dev/null || die "jq is missing (apt-get install jq)"
LOG_DIR="$REPO_ROOT/.build/test-logs"
mkdir -p "$LOG_DIR"
rm -f "$LOG_DIR"/e2e-demo*.log
WORK=$(mktemp -d)
export DEMO_DIR="$WORK/demo" DEMO_BAKE_SECONDS=5 DEMO_METRICS_PORT=0 DEMO_HEALTH_PORT=0 KUBECTL
export KUBECACHEDIR="$WORK/kube-cache"
cleanup() {
  bash hack/demo.sh down >/dev/null 2>&1 || true
  stop_background
  rm -rf "$WORK"
}
trap cleanup EXIT
BAKE=$DEMO_BAKE_SECONDS
# expect_true DESCRIPTION COMMAND...: passes if COMMAND exits 0.
expect_true() {
  local description=$1
  shift
  if "$@" >/dev/null 2>&1; then pass "$description"; else fail "$description"; fi
}
MODEL=fraud-detector
EKS_REGISTRY=123456789012.dkr.ecr.us-east-1.amazonaws.com
GKE_REGISTRY=us-central1-docker.pkg.dev/my-gcp-project/my-repo

# ---- the demo ----
step "hack/demo.sh with DEMO_BAKE_SECONDS=$BAKE (output: .build/test-logs/e2e-demo.log)"
demo_rc=0
timeout 1500 bash hack/demo.sh >"$LOG_DIR/e2e-demo.log" 2>&1 || demo_rc=$?
expect_equal "hack/demo.sh exits 0" 0 "$demo_rc"
if [[ $demo_rc -ne 0 ]]; then
  tail -n 15 "$LOG_DIR/e2e-demo.log" | sed 's/^/       | /'
  summary e2e-demo
  exit 1
fi
demo_out=$(cat "$LOG_DIR/e2e-demo.log")
lines=$(wc -l <<<"$demo_out")
expect_true "its output is short: $lines lines, under 80" test "$lines" -lt 80
expect_equal "its output is progress lines, timelines and commands only (no build, server or error lines)" "" \
  "$(grep -vE '^(==> |    |  [^ ]|Try next:$|Stop everything: |$)' <<<"$demo_out" | head -3 || true)"
expect_output "it names the kubeconfig with both contexts" "kubeconfig with contexts eks and gke: $DEMO_DIR/kubeconfig" -- \
  printf '%s\n' "$demo_out"
expect_output "it applies examples/fraudmodel.yaml with the bake it was given" \
  "examples/fraudmodel.yaml \(2\.1\.0, bakeSeconds $BAKE\) to eks and gke" -- printf '%s\n' "$demo_out"
expect_output "it starts tandem-operator with a copy of examples/clusters-local.yaml" \
  "tandem-operator --config $DEMO_DIR/clusters-local.yaml" -- printf '%s\n' "$demo_out"
expect_equal "it prints kubectl get fm from both contexts, twice" 4 \
  "$(grep -cE '^ +\$ kubectl --context (eks|gke) get fm$' <<<"$demo_out" || true)"
expect_equal "the last two tables say Ready 2/2 serving 2.2.0" 2 \
  "$(grep -cE "^ +$MODEL +2\.2\.0 +2\.2\.0 +Ready +2/2 " <<<"$demo_out" || true)"
expect_output "it tells how to stop it" 'hack/demo.sh down' -- printf '%s\n' "$demo_out"
answers=$(grep -E '^    \{"predictions":\[[01]\],"probabilities":\[[0-9.e-]+\],"model_version":"[0-9.]+"\}$' <<<"$demo_out" || true)
expect_equal "it curls a prediction from each cloud, after 2.1.0 and after 2.2.0" "2.1.0 2.1.0 2.2.0 2.2.0" \
  "$(sed -E 's/.*"model_version":"([0-9.]+)".*/\1/' <<<"$answers" | xargs)"
expect_equal "2.1.0 (XGBoost) and 2.2.0 (LightGBM) answer with different probabilities" 2 \
  "$(grep -oE '"probabilities":\[[0-9.e-]+\]' <<<"$answers" | sort -u | wc -l)"
load_total=$(sed -n 's/^  total: //p' <<<"$demo_out")
expect_output "the load during the rollout: no failed request" '"non2xx": 0, "errors": 0, "no_record": 0' -- printf '%s\n' "$load_total"
expect_output "its table shows eks answering 2.2.0 while gke still answers 2.1.0" 'eks/2\.2\.0 [0-9]+  gke/2\.1\.0 [0-9]+$' -- \
  printf '%s\n' "$demo_out"

export KUBECONFIG="$DEMO_DIR/kubeconfig"
for cluster in eks gke; do
  expect_equal "[$cluster] the FraudModel is Ready 2/2 serving 2.2.0" "Ready 2.2.0 2/2" \
    "$("$KUBECTL" --context "$cluster" get fm "$MODEL" -o 'jsonpath={.status.phase} {.status.servingVersion} {.status.readyClusters}')"
  expect_equal "[$cluster] it was applied from examples/fraudmodel.yaml, then moved to 2.2.0's LightGBM file" "fraud-detection lightgbm_text $BAKE" \
    "$("$KUBECTL" --context "$cluster" get fm "$MODEL" -o \
      'jsonpath={.metadata.labels.app\.kubernetes\.io/part-of} {.spec.model.format} {.spec.rollout.bakeSeconds}')"
done
expect_equal "eks's Deployment runs its registry's image of 2.2.0, 3/3 ready" "$EKS_REGISTRY/$MODEL:2.2.0 3" \
  "$("$KUBECTL" --context eks get deployment "$MODEL" -o 'jsonpath={.spec.template.spec.containers[0].image} {.status.readyReplicas}')"
expect_equal "gke's Deployment runs its registry's image of 2.2.0, 3/3 ready" "$GKE_REGISTRY/$MODEL:2.2.0 3" \
  "$("$KUBECTL" --context gke get deployment "$MODEL" -o 'jsonpath={.spec.template.spec.containers[0].image} {.status.readyReplicas}')"
expect_output "the operator runs with both clusters managed" 'clusters=eks\(manage\),gke\(manage\)' -- \
  cat "$DEMO_DIR/operator.log"

# at FILE CLUSTER EVENT: the epoch time of a rollout timeline line.
at() { awk -v c="$2" -v e="$3" '$2 == c && $3 == e { print $1 }' "$1"; }
# is_true AWK_CONDITION: exits 0 when the condition holds.
is_true() { awk "BEGIN { exit !($1) }"; }
for version in 2.1.0 2.2.0; do
  timeline="$DEMO_DIR/rollout-$version.tsv"
  eks_moved=$(at "$timeline" eks moved) eks_ready=$(at "$timeline" eks ready) gke_moved=$(at "$timeline" gke moved)
  if [[ -z $eks_moved || -z $eks_ready || -z $gke_moved ]]; then
    fail "[$version] the timeline has eks moved, eks ready and gke moved ($(tr '\n' ' ' <"$timeline"))"
    continue
  fi
  gap=$(awk -v a="$gke_moved" -v b="$eks_ready" 'BEGIN { printf "%.1f", a - b }')
  expect_true "[$version] eks moved before gke" is_true "$eks_moved < $gke_moved"
  # Status times have whole seconds, so the operator's bake may end up to 1 s early; the
  # demo polls every 0.25 s.
  expect_true "[$version] gke moved ${gap} s after eks was ready: the bake ($BAKE s), within 1.5 s early to 8 s late" \
    is_true "$gap >= $BAKE - 1.5 && $gap <= $BAKE + 8"
done
expect_output "the operator's log: eks's Deployment moved to 2.2.0 before gke's" '^eks gke$' -- \
  bash -c "grep -E 'image=[^ ]*:2\.2\.0 kind=Deployment' '$DEMO_DIR/operator.log' | grep -oE 'cluster=(eks|gke)' | cut -d= -f2 | uniq | xargs"

# ---- the commands the demo prints next ----
step "the commands the demo prints next (log: .build/test-logs/e2e-demo-next.log)"
sed -n '/^Try next:$/,/^Stop everything/p' <<<"$demo_out" | sed -e '1d' -e '$d' -e 's/^  //' \
  | sed '/^# Stop one cloud/,$d' | grep -v '^tail -f ' >"$WORK/next.sh"
expect_true "the demo prints at least 10 commands" test "$(grep -cv '^#' "$WORK/next.sh")" -ge 10
next_rc=0
timeout 400 bash -e -x "$WORK/next.sh" >"$LOG_DIR/e2e-demo-next.log" 2>&1 || next_rc=$?
expect_equal "every one of them succeeds (bash -e)" 0 "$next_rc"
[[ $next_rc -eq 0 ]] || tail -n 15 "$LOG_DIR/e2e-demo-next.log" | sed 's/^/       | /'
next_out=$(cat "$LOG_DIR/e2e-demo-next.log")
expect_output "get fm,deployments,pods lists the FraudModel, its Deployment and 3 pods" "deployment.apps/$MODEL" -- \
  printf '%s\n' "$next_out"
expect_output "describe shows both clusters' rows" 'Region: +us-central1' -- printf '%s\n' "$next_out"
expect_output "the metrics endpoint counts successful reconciles" \
  '^controller_runtime_reconcile_total\{.*result="success".*\} [1-9]' -- printf '%s\n' "$next_out"
expect_equal "both waits are met" 2 "$(grep -c 'condition met' <<<"$next_out" || true)"
expect_output "the events tell the failed rollout" 'RolloutFailed.*2\.4\.0 failed: eks' -- \
  printf '%s\n' "$next_out"
expect_output "the prediction command answers" '"model_version":"2\.2\.0"' -- printf '%s\n' "$next_out"
expect_output "and the rollback" 'RolledBack +fraudmodel/fraud-detector +rolled back to 2\.3\.0' -- printf '%s\n' "$next_out"
for cluster in eks gke; do
  expect_equal "[$cluster] after the failed rollout: Degraded, serving 2.3.0, 2.4.0 failed" "Degraded 2.3.0 2.4.0" \
    "$("$KUBECTL" --context "$cluster" get fm "$MODEL" -o 'jsonpath={.status.phase} {.status.servingVersion} {.status.failedVersion}')"
  expect_output "[$cluster] its Deployment is back on 2.3.0" ':2\.3\.0$' -- \
    "$KUBECTL" --context "$cluster" get deployment "$MODEL" -o 'jsonpath={.spec.template.spec.containers[0].image}'
done

# ---- README.md's commands that need the demo's clusters ----
step "README.md: retrying a failed version; the traffic example"
# 2.4.0 failed on a checksum its file does not have; the right one (and the default progress
# deadline instead of the demo's 20 s) is a new revision of 2.4.0.
SHA_B=$(sha256sum Tests/FraudServingTests/Fixtures/lightgbm_binary.txt | cut -d' ' -f1)
for cluster in eks gke; do
  "$KUBECTL" --context "$cluster" patch fm "$MODEL" --type merge \
    -p "{\"spec\":{\"modelSHA256\":\"$SHA_B\",\"rollout\":{\"progressDeadlineSeconds\":300}}}" >/dev/null
done
retry=$(grep -E '^ *for c in eks gke; do kubectl --context .c annotate fm fraud-detector tandem\.dev/retry=' README.md | sed 's/^ *//' || true)
expect_output "README.md shows the retry command" 'tandem.dev/retry' -- printf '%s\n' "$retry"
expect_output "it runs" 'annotated' -- bash -c "$retry"
for cluster in eks gke; do
  expect_output "[$cluster] the retried version 2.4.0 gets served with the checksum of its file" 'condition met' -- \
    "$KUBECTL" --context "$cluster" wait "fm/$MODEL" --for jsonpath='{.status.servingVersion}'=2.4.0 --timeout 120s
done
# The README's spec.traffic snippet, added to examples/fraudmodel.yaml (spec is its last key).
{
  sed -E -e "s/^  name: $MODEL$/  name: fraud-traffic/" -e 's/^( *bakeSeconds:).*/\1 0/' \
    -e "s/^( *modelSHA256:).*/\1 \"$(sha256sum Tests/FraudServingTests/Fixtures/xgboost_binary.json | cut -d' ' -f1)\"/" examples/fraudmodel.yaml
  sed -n '/^<!-- traffic example/,/^```$/p' README.md | sed -e '1,3d' -e '$d'
} >"$WORK/traffic.yaml"
expect_output "README.md's traffic snippet is there" 'hostname: fraud.api.example.com' -- cat "$WORK/traffic.yaml"
for cluster in eks gke; do
  expect_output "[$cluster] a FraudModel with it is accepted" 'fraud-traffic created' -- \
    "$KUBECTL" --context "$cluster" apply -f "$WORK/traffic.yaml"
done
for cluster in eks gke; do
  expect_output "[$cluster] and gets Ready" 'condition met' -- \
    "$KUBECTL" --context "$cluster" wait fm/fraud-traffic --for jsonpath='{.status.phase}'=Ready --timeout 90s
done
service=$("$KUBECTL" --context eks get service fraud-traffic -o json 2>/dev/null || echo '{}')
annotation() { jq -r --arg key "$1" '.metadata.annotations[$key] // "-"' <<<"$service"; }
expect_equal "eks's Service is a LoadBalancer" LoadBalancer "$(jq -r '.spec.type // "-"' <<<"$service")"
expect_equal "with the ExternalDNS hostname" fraud.api.example.com "$(annotation external-dns.kubernetes.io/hostname)"
expect_equal "the cluster's name as set-identifier" eks "$(annotation external-dns.kubernetes.io/set-identifier)"
expect_equal "its weight" 50 "$(annotation external-dns.kubernetes.io/aws-weight)"
expect_equal "the Route 53 health check id from service.annotations" 5f1c7a2e-0b7d-4a8e-9c3b-2d6f1e8a9b0c \
  "$(annotation external-dns.kubernetes.io/aws-health-check-id)"
expect_equal "and the AWS Load Balancer Controller's NLB annotation" external \
  "$(annotation service.beta.kubernetes.io/aws-load-balancer-type)"

# ---- hack/demo.sh down ----
step "hack/demo.sh down"
pids=()
for name in operator eks gke; do pids+=("$(cat "$DEMO_DIR/$name.pid")"); done
expect_output "hack/demo.sh down reports the demo stopped" 'demo stopped' -- bash hack/demo.sh down
running=0
for pid in "${pids[@]}"; do
  if kill -0 "$pid" 2>/dev/null && ! grep -q zombie "/proc/$pid/status" 2>/dev/null; then running=$((running + 1)); fi
done
expect_equal "the operator and both emulators are gone" 0 "$running"
expect_equal "no pid files remain" 0 "$(find "$DEMO_DIR" -name '*.pid' | wc -l)"

# ---- the real-shaped EKS and GKE examples, through exec plugins ----
step "examples/kubeconfig-eks-gke.yaml and examples/clusters-eks-gke.yaml with stand-in exec plugins"
BIN_DIR="$(swift_bin_path debug)"
export KUBE_EMULATOR_BIN="$BIN_DIR/kube-emulator"
export KUBECONFIG="$WORK/emulators.kubeconfig"
eks_token="eks-$RANDOM$RANDOM" gke_token="gke-$RANDOM$RANDOM"
start_emulator "$LOG_DIR/e2e-demo-eks.log" --name eks --tls --token "$eks_token" --simulate-workloads \
  --pod-ready-seconds 0.5 --kubeconfig-out "$KUBECONFIG" --context eks
start_emulator "$LOG_DIR/e2e-demo-gke.log" --name gke --tls --token "$gke_token" --simulate-workloads \
  --pod-ready-seconds 0.5 --kubeconfig-out "$KUBECONFIG" --context gke

mkdir -p "$WORK/examples" "$WORK/bin"
# Stand-ins that check the arguments the example passes and answer as the real plugins do.
credential='{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n'
cat >"$WORK/bin/aws" <<PLUGIN
#!/usr/bin/env bash
echo "\$*" >>"$WORK/aws.calls"
[[ "\$*" == "--region us-east-1 eks get-token --cluster-name fraud-eks --output json" && \$AWS_PROFILE == fraud-prod ]] || exit 3
printf '$credential' "$eks_token" "\$(date -u -d '+15 min' +%Y-%m-%dT%H:%M:%SZ)"
PLUGIN
cat >"$WORK/bin/gke-gcloud-auth-plugin" <<PLUGIN
#!/usr/bin/env bash
printf '%s\n' "\${KUBERNETES_EXEC_INFO:-no cluster info}" >>"$WORK/gke.calls"
printf '$credential' "$gke_token" "\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
PLUGIN
chmod +x "$WORK/bin/aws" "$WORK/bin/gke-gcloud-auth-plugin"
export PATH="$WORK/bin:$PATH"

# The examples, copied side by side; only each cluster's server and CA are changed (kubectl
# runs the exec plugin even for `config set`, hence after the stand-ins).
cp examples/clusters-eks-gke.yaml examples/kubeconfig-eks-gke.yaml "$WORK/examples/"
example_kubeconfig="$WORK/examples/kubeconfig-eks-gke.yaml"
for pair in "eks=arn:aws:eks:us-east-1:123456789012:cluster/fraud-eks" "gke=gke_my-project_us-central1_fraud-gke"; do
  context=${pair%%=*} cluster=${pair#*=}
  server=$("$KUBECTL" config view --raw -o "jsonpath={.clusters[?(@.name==\"$context\")].cluster.server}")
  ca=$("$KUBECTL" config view --raw -o "jsonpath={.clusters[?(@.name==\"$context\")].cluster.certificate-authority-data}")
  "$KUBECTL" --kubeconfig "$example_kubeconfig" config set-cluster "$cluster" --server "$server" >/dev/null
  "$KUBECTL" --kubeconfig "$example_kubeconfig" config set "clusters.$cluster.certificate-authority-data" "$ca" >/dev/null
done

for context in eks gke; do
  expect_output "[$context] kubectl reaches the cluster through the example's exec plugin" 'default +Active' -- \
    "$KUBECTL" --kubeconfig "$example_kubeconfig" --context "$context" get namespaces
  "$KUBECTL" --kubeconfig "$example_kubeconfig" --context "$context" apply -f crds/tandem.dev_fraudmodels.yaml >/dev/null \
    || fail "[$context] applying the CRD through the example's kubeconfig"
  sed -E 's/^( *bakeSeconds:).*/\1 0/' examples/fraudmodel.yaml \
    | "$KUBECTL" --kubeconfig "$example_kubeconfig" --context "$context" apply -f - >/dev/null \
    || fail "[$context] applying examples/fraudmodel.yaml through the example's kubeconfig"
done
: >"$WORK/aws.calls"
: >"$WORK/gke.calls"
"$BIN_DIR/tandem-operator" run --config "$WORK/examples/clusters-eks-gke.yaml" --log-format text \
  --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0 </dev/null >"$LOG_DIR/e2e-demo-operator.log" 2>&1 &
BACKGROUND_PIDS+=("$!")
for context in eks gke; do
  expect_output "[$context] tandem-operator with examples/clusters-eks-gke.yaml gets the FraudModel Ready on 2.1.0" \
    'condition met' -- "$KUBECTL" --kubeconfig "$example_kubeconfig" --context "$context" -n default wait "fm/$MODEL" \
    --for jsonpath='{.status.servingVersion}'=2.1.0 --timeout 90s
done
expect_output "README.md's kubectl --context gke -n default get fm, through the example's kubeconfig" \
  "^$MODEL +2\.1\.0 +2\.1\.0 +Ready +2/2 " -- "$KUBECTL" --kubeconfig "$example_kubeconfig" --context gke -n default get fm
expect_output "gke's Deployment uses the registry of clusters-eks-gke.yaml" "^$GKE_REGISTRY/$MODEL:2\.1\.0$" -- \
  "$KUBECTL" --context gke get deployment "$MODEL" -o 'jsonpath={.spec.template.spec.containers[0].image}'
expect_output "tandem-operator ran the aws plugin with the example's arguments and AWS_PROFILE" 'eks get-token --cluster-name fraud-eks' -- \
  cat "$WORK/aws.calls"
expect_output "tandem-operator gave gke-gcloud-auth-plugin the cluster in KUBERNETES_EXEC_INFO (provideClusterInfo)" '"server" *: *"https://127\.0\.0\.1' -- \
  cat "$WORK/gke.calls"

summary e2e-demo
