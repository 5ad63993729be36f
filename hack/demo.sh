#!/usr/bin/env bash
# The local demo: two emulated clusters, eks and gke, and tandem-operator serving one FraudModel
# from both; then a new model version rolled out eks first and gke after the bake time.
# As root, every replica is a real fraud-server process (kube-emulator --run-pods) behind each
# cloud's loopback load balancer: the demo curls a prediction from each cloud and shows the
# answers of a steady load (hack/load.py) moving from 2.1.0 to 2.2.0 cloud by cloud. Without root,
# pods are simulated (DEMO_PODS=simulated forces that).
#   hack/demo.sh        build, start everything, roll out, leave it running, print what to type next
#   hack/demo.sh down   stop everything the demo started
#   hack/demo.sh down eks   stop one cloud only (its API server, pods and load balancer)
# Progress goes to the terminal; build, emulator and operator logs go to .demo/*.log.
# Environment:
#   DEMO_BAKE_SECONDS  rollout.bakeSeconds applied with examples/fraudmodel.yaml (default 10,
#                      so that the demo takes under a minute; the example itself says 30)
#   DEMO_VERSION       the version rolled out after examples/fraudmodel.yaml's (default 2.2.0)
#   DEMO_METRICS_PORT  the operator's /metrics port (default 18080; 0 picks a free one)
#   DEMO_HEALTH_PORT   the operator's /healthz and /readyz port (default 18081; 0 picks one)
#   DEMO_DIR           where the kubeconfig, pids and logs go (default .demo; another folder gets
#                      its own copy of examples/clusters-local.yaml pointing at its kubeconfig)
#   KUBECTL            the kubectl to run (default: kubectl)
#   DEMO_PODS          real (default as root) or simulated (default otherwise)
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME and printf with a decimal point
source "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"
# The demo's progress is its output: on stdout, in order with the timelines.
step() { printf '==> %s\n' "$*"; }

DEMO_DIR="${DEMO_DIR:-$REPO_ROOT/.demo}"
mkdir -p "$DEMO_DIR"
DEMO_DIR="$(cd "$DEMO_DIR" && pwd)"
KUBECONFIG_FILE="$DEMO_DIR/kubeconfig"
BAKE="${DEMO_BAKE_SECONDS:-10}"
NEW_VERSION="${DEMO_VERSION:-2.2.0}"
METRICS_PORT="${DEMO_METRICS_PORT:-18080}"
HEALTH_PORT="${DEMO_HEALTH_PORT:-18081}"
KUBECTL="${KUBECTL:-kubectl}"
CLUSTERS=(eks gke)
MODEL=fraud-detector   # metadata.name in examples/fraudmodel.yaml (namespace default)
PODS="${DEMO_PODS:-$([[ $(id -u) -eq 0 ]] && echo real || echo simulated)}"
[[ $PODS == real || $PODS == simulated ]] || die "DEMO_PODS must be real or simulated, not '$PODS'"
[[ $PODS == simulated || $(id -u) -eq 0 ]] || die "DEMO_PODS=real needs root: pods run in their own namespaces"
PYTHON="$REPO_ROOT/.venv/bin/python"
# The model file of each version the demo serves, trained by hack/fixtures/make_models.py: A an
# XGBoost and B a LightGBM fraud classifier, with visibly different answers. A version is a whole
# revision: moving between them changes image, file, format and checksum together. 2.4.0 carries
# B's file under A's checksum: the version that fails.
FIXTURES=Tests/FraudServingTests/Fixtures
MODEL_A=$FIXTURES/xgboost_binary.json
MODEL_B=$FIXTURES/lightgbm_binary.txt
SHA_A=$(sha256sum "$MODEL_A" | cut -d' ' -f1)
SHA_B=$(sha256sum "$MODEL_B" | cut -d' ' -f1)

# Shown as ./.demo/… when DEMO_DIR is the default.
show() { printf '%s' "${1/#$REPO_ROOT\//./}"; }

# running PID: the process exists and has not exited (an exited child of a parent that does not
# reap it stays as a zombie).
running() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

# stop_demo [NAME...]: stops the processes whose pids the demo recorded (default: all, operator
# first), and waits for them (10 s each, then SIGKILL). A pid is only signalled while it runs one
# of the demo's programs.
stop_demo() {
  local name pidfile pid deadline names=("$@")
  [[ ${#names[@]} -gt 0 ]] || names=(operator "${CLUSTERS[@]}")
  for name in "${names[@]}"; do
    pidfile="$DEMO_DIR/$name.pid"
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    if running "$pid" && grep -qaE 'kube-emulator|tandem-operator' "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while running "$pid" && (( SECONDS < deadline )); do sleep 0.1; done
      if running "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$pidfile"
  done
}

if [[ "${1:-up}" == "down" ]]; then
  shift
  for name in "$@"; do [[ " ${CLUSTERS[*]} " == *" $name "* ]] || die "hack/demo.sh down: no cluster '$name' (${CLUSTERS[*]})"; done
  stop_demo "$@"
  if [[ $# -gt 0 ]]; then step "stopped $*"; else step "demo stopped"; fi
  exit 0
fi
[[ "${1:-up}" == "up" ]] || die "usage: hack/demo.sh [up|down]"
[[ $BAKE =~ ^[0-9]+$ ]] || die "DEMO_BAKE_SECONDS must be a whole number of seconds, not '$BAKE'"
command -v "$KUBECTL" >/dev/null || die "kubectl is missing (hack/install-deps.sh says where to get it)"

started=$SECONDS
stop_demo
rm -f "$KUBECONFIG_FILE" "$DEMO_DIR"/*.log "$DEMO_DIR"/*.out "$DEMO_DIR"/rollout-*.tsv
export KUBECONFIG="$KUBECONFIG_FILE"

# ---- build ----
# One build at a time on this machine (a shared lock), each product in turn.
swift_build() {
  if command -v flock >/dev/null; then
    flock /tmp/tandem-swift.lock timeout 1200 swift build "$@"
  else
    swift build "$@"
  fi
}
# The last successful build's stamp: when no source, manifest or pin is newer, a build would be
# a no-op, and the demo skips it.
BUILD_STAMP="$DEMO_DIR/build.stamp"
build_started=$SECONDS
BIN_DIR="$(swift build --show-bin-path)"
PRODUCTS=(kube-emulator tandem-operator)
[[ $PODS == real ]] && PRODUCTS+=(fraud-server)
if [[ -x "$BIN_DIR/kube-emulator" && -x "$BIN_DIR/tandem-operator" && ( $PODS == simulated || -x "$BIN_DIR/fraud-server" ) && -f "$BUILD_STAMP" \
      && -z "$(find Sources Package.swift Package.resolved -newer "$BUILD_STAMP" -print -quit 2>/dev/null)" ]]; then
  step "${PRODUCTS[*]} are up to date"
else
  touch "$BUILD_STAMP.new"   # before the build: sources changed during it are newer
  step "building ${PRODUCTS[*]} (log: $(show "$DEMO_DIR/build.log"))"
  for product in "${PRODUCTS[@]}"; do
    swift_build --product "$product" >>"$DEMO_DIR/build.log" 2>&1 \
      || { tail -n 20 "$DEMO_DIR/build.log" >&2; die "building $product failed (log: $DEMO_DIR/build.log)"; }
  done
  mv "$BUILD_STAMP.new" "$BUILD_STAMP"
fi
built=$SECONDS

# ---- two clusters ----
if [[ $PODS == real ]]; then
  # The image catalog: what each image runs (hack/build-image.sh --catalog), the same in both clouds.
  rm -f "$DEMO_DIR/catalog.yaml"
  for entry in "$MODEL_A 2.1.0" "$MODEL_B 2.2.0" "$MODEL_A 2.3.0" "$MODEL_B 2.4.0"; do
    # shellcheck disable=SC2086 # "file version"
    FRAUD_SERVER="$BIN_DIR/fraud-server" bash hack/build-image.sh --catalog "$DEMO_DIR/catalog.yaml" --no-docker $entry \
      >>"$DEMO_DIR/build.log" 2>&1 || die "writing the image catalog failed (log: $DEMO_DIR/build.log)"
  done
  WORKLOADS=(--run-pods --image-catalog "$DEMO_DIR/catalog.yaml")
  what="real fraud-server pods"
else
  WORKLOADS=(--simulate-workloads --pod-ready-seconds 2)
  what="workload simulation"
fi
for cluster in "${CLUSTERS[@]}"; do
  out="$DEMO_DIR/$cluster.out"
  nohup "$BIN_DIR/kube-emulator" --name "$cluster" --tls --client-ca-auth --admin \
    "${WORKLOADS[@]}" --state-dir "$DEMO_DIR/state-$cluster" --kubeconfig-out "$KUBECONFIG_FILE" --context "$cluster" \
    </dev/null >"$out" 2>"$DEMO_DIR/$cluster.log" &
  echo $! >"$DEMO_DIR/$cluster.pid"
  deadline=$((SECONDS + 30))
  until grep -qs '^listening ' "$out"; do
    running "$(cat "$DEMO_DIR/$cluster.pid")" || die "$cluster exited (log: $DEMO_DIR/$cluster.log)"
    (( SECONDS < deadline )) || die "$cluster did not start within 30s (log: $DEMO_DIR/$cluster.log)"
    sleep 0.1
  done
  step "cluster $cluster: kube-emulator $(sed -n 's/^listening //p' "$out") (TLS, client certificate, $what)"
done
step "kubeconfig with contexts eks and gke: $(show "$KUBECONFIG_FILE")"

# ---- the CRD and the FraudModel ----
# example_for_demo: examples/fraudmodel.yaml with the demo's bake; with real pods also the
# checksum of the file 2.1.0 serves and a spec.traffic (each cloud's Service a load balancer).
example_for_demo() {
  if [[ $PODS == real ]]; then
    sed -E -e "s/^( *bakeSeconds:).*/\1 $BAKE/" -e "s/^( *modelSHA256:).*/\1 \"$SHA_A\"/" examples/fraudmodel.yaml
    printf '  traffic:\n    hostname: fraud.api.example.com\n    policy: Weighted\n    weights: {eks: 50, gke: 50}\n'
  else
    sed -E "s/^( *bakeSeconds:).*/\1 $BAKE/" examples/fraudmodel.yaml
  fi
}
for cluster in "${CLUSTERS[@]}"; do
  "$KUBECTL" --context "$cluster" apply -f crds/tandem.dev_fraudmodels.yaml >>"$DEMO_DIR/kubectl.log" 2>&1 \
    || die "applying the CRD to $cluster failed (log: $DEMO_DIR/kubectl.log)"
  "$KUBECTL" --context "$cluster" wait --for condition=Established --timeout 30s \
    crd/fraudmodels.tandem.dev >>"$DEMO_DIR/kubectl.log" 2>&1 || die "the CRD is not established in $cluster"
  example_for_demo | "$KUBECTL" --context "$cluster" apply -f - >>"$DEMO_DIR/kubectl.log" 2>&1 \
    || die "applying examples/fraudmodel.yaml to $cluster failed (log: $DEMO_DIR/kubectl.log)"
done
FIRST_VERSION=$(sed -nE 's/^ *modelVersion: *"?([^"]*)"?$/\1/p' examples/fraudmodel.yaml)
if [[ $PODS == real ]]; then
  step "applied crds/tandem.dev_fraudmodels.yaml and examples/fraudmodel.yaml ($FIRST_VERSION, bakeSeconds $BAKE) to eks and gke, with its model file's modelSHA256 and Weighted traffic"
else
  step "applied crds/tandem.dev_fraudmodels.yaml and examples/fraudmodel.yaml ($FIRST_VERSION, bakeSeconds $BAKE) to eks and gke"
fi

# ---- the operator ----
CONFIG=examples/clusters-local.yaml
if [[ "$DEMO_DIR" != "$REPO_ROOT/.demo" ]]; then
  # The example names ../.demo/kubeconfig; another demo folder gets a copy naming its own.
  CONFIG="$DEMO_DIR/clusters-local.yaml"
  sed "s#\.\./\.demo/kubeconfig#$KUBECONFIG_FILE#" examples/clusters-local.yaml >"$CONFIG"
fi
nohup "$BIN_DIR/tandem-operator" run --config "$CONFIG" --log-format text \
  --metrics-addr "127.0.0.1:$METRICS_PORT" --health-addr "127.0.0.1:$HEALTH_PORT" \
  </dev/null >"$DEMO_DIR/operator.log" 2>&1 &
echo $! >"$DEMO_DIR/operator.pid"
deadline=$((SECONDS + 30))
until grep -qs 'endpoint=metrics port=' "$DEMO_DIR/operator.log"; do
  running "$(cat "$DEMO_DIR/operator.pid")" \
    || { tail -n 5 "$DEMO_DIR/operator.log" >&2; die "tandem-operator exited (log: $DEMO_DIR/operator.log)"; }
  (( SECONDS < deadline )) || die "tandem-operator did not start within 30s (log: $DEMO_DIR/operator.log)"
  sleep 0.1
done
METRICS_PORT=$(sed -nE 's/.*endpoint=metrics port=([0-9]+).*/\1/p' "$DEMO_DIR/operator.log" | head -1)
HEALTH_PORT=$(sed -nE 's/.*endpoint=health port=([0-9]+).*/\1/p' "$DEMO_DIR/operator.log" | head -1)
step "tandem-operator --config $(show "$CONFIG") (metrics :$METRICS_PORT, log: $(show "$DEMO_DIR/operator.log"))"

# ---- following a rollout ----
# cluster_state CLUSTER: "IMAGE UPDATED READY REPLICAS FM_PHASE FM_SERVING" of the Deployment and
# the FraudModel in CLUSTER; "-" for what does not exist yet. READY counts only once no pod of an
# older template is left (kubectl rollout status's rule, and the operator's).
cluster_state() {
  local deployment fm
  deployment=$("$KUBECTL" --context "$1" get deployment "$MODEL" -o \
    'jsonpath={.spec.template.spec.containers[0].image} {.status.updatedReplicas} {.status.readyReplicas} {.spec.replicas} {.status.replicas}' 2>/dev/null) \
    || deployment="- - - - -"
  fm=$("$KUBECTL" --context "$1" get fraudmodel "$MODEL" -o 'jsonpath={.status.phase} {.status.servingVersion}' 2>/dev/null) || fm=""
  read -r -a fm_fields <<<"$fm"
  read -r -a deployment_fields <<<"$deployment"
  # Old pods still running: not ready on the new template yet.
  [[ "${deployment_fields[4]:-0}" == "${deployment_fields[1]:-0}" ]] || deployment_fields[2]=0
  printf '%s %s %s %s %s %s\n' "${deployment_fields[0]:--}" "${deployment_fields[1]:-0}" "${deployment_fields[2]:-0}" \
    "${deployment_fields[3]:-0}" "${fm_fields[0]:--}" "${fm_fields[1]:--}"
}

# follow_rollout VERSION: prints, with timestamps, when each cluster's Deployment moves to VERSION
# and when all its pods are ready on it, until every copy of the FraudModel is Ready serving
# VERSION. Appends "EPOCH CLUSTER moved|ready" lines to $DEMO_DIR/rollout-VERSION.tsv.
follow_rollout() {
  local version=$1 timeline="$DEMO_DIR/rollout-$1.tsv" deadline=$((SECONDS + 2 * BAKE + 120))
  local -A moved=() ready=()
  local cluster image updated ready_count replicas phase serving now all_ready first_ready=""
  while (( SECONDS < deadline )); do
    all_ready=1
    for cluster in "${CLUSTERS[@]}"; do
      read -r image updated ready_count replicas phase serving < <(cluster_state "$cluster")
      now=$EPOCHREALTIME
      if [[ -z "${moved[$cluster]:-}" && "$image" == *":$version" ]]; then
        moved[$cluster]=$now
        printf '%s\t%s\tmoved\n' "$now" "$cluster" >>"$timeline"
        local note=""
        if [[ -n "$first_ready" ]]; then note=" ($(printf '%.0f' "$(bc_sub "$now" "$first_ready")") s after ${CLUSTERS[0]} was ready)"; fi
        printf '    %s  %-4s Deployment image -> %s%s\n' "$(date +%T)" "$cluster" "${image##*/}" "$note"
      fi
      if [[ -n "${moved[$cluster]:-}" && -z "${ready[$cluster]:-}" && "$replicas" != 0 \
            && "$updated" == "$replicas" && "$ready_count" == "$replicas" ]]; then
        ready[$cluster]=$now
        printf '%s\t%s\tready\n' "$now" "$cluster" >>"$timeline"
        [[ -n "$first_ready" ]] || first_ready=$now
        local next=""
        if [[ $cluster == "${CLUSTERS[0]}" ]]; then next="; baking ${BAKE} s before ${CLUSTERS[1]} moves"; fi
        printf '    %s  %-4s %s/%s pods ready on %s%s\n' "$(date +%T)" "$cluster" "$ready_count" "$replicas" "$version" "$next"
      fi
      [[ "$phase" == Ready && "$serving" == "$version" ]] || all_ready=0
    done
    if (( all_ready )); then
      printf '    %s  fleet Ready: eks and gke serve %s\n' "$(date +%T)" "$version"
      return 0
    fi
    sleep 0.25
  done
  die "the FraudModel is not Ready on $version after $((2 * BAKE + 120)) s (see: kubectl --context eks describe fraudmodel $MODEL; $DEMO_DIR/operator.log)"
}

# bc_sub A B: A - B for EPOCHREALTIME values.
bc_sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

show_fraudmodels() {
  local cluster
  for cluster in "${CLUSTERS[@]}"; do
    printf '    $ kubectl --context %s get fm\n' "$cluster"
    "$KUBECTL" --context "$cluster" get fm | sed 's/^/    /'
  done
}

# The address of each cloud's load balancer (real pods), and one transaction to score.
load_balancer() { "$KUBECTL" --context "$1" get service "$MODEL" -o 'jsonpath={.status.loadBalancer.ingress[0].ip}' 2>/dev/null; }
ROW="[[$(printf '0.5,%.0s' {1..29})0.5]]"
# curl_each_cloud: a prediction from each cloud's load balancer, command and answer.
curl_each_cloud() {
  local cluster address deadline
  for cluster in "${CLUSTERS[@]}"; do
    deadline=$((SECONDS + 30))
    until address=$(load_balancer "$cluster") && [[ -n $address ]]; do
      (( SECONDS < deadline )) || die "$cluster's Service got no load balancer address (log: $DEMO_DIR/$cluster.log)"
      sleep 0.25
    done
    printf "    \$ curl -s -d '%s' http://%s/predict     # %s\n" "${ROW:0:14}…" "$address" "$cluster"
    printf '    %s\n' "$(curl -s -m 5 -H 'content-type: application/json' -d "$ROW" "http://$address/predict")"
  done
}

step "first rollout of $FIRST_VERSION: eks first, gke after bakeSeconds ($BAKE s)"
follow_rollout "$FIRST_VERSION"
show_fraudmodels
if [[ $PODS == real ]]; then
  step "a prediction from each cloud"
  curl_each_cloud
fi

PATCH="{\"spec\":{\"modelVersion\":\"$NEW_VERSION\"}}"
[[ $PODS == real ]] && PATCH="{\"spec\":{\"modelVersion\":\"$NEW_VERSION\",\"modelSHA256\":\"$SHA_B\",\"model\":{\"path\":\"/models/model.txt\",\"format\":\"lightgbm_text\"}}}"
LOAD_PID=""
if [[ $PODS == real && -x $PYTHON ]]; then
  # Steady load through both load balancers during the rollout (stopped when it is done).
  "$PYTHON" hack/load.py --context eks --context gke --name "$MODEL" --rate 20 --duration 600 --changes \
    >"$DEMO_DIR/load-$NEW_VERSION.txt" 2>&1 &
  LOAD_PID=$!
  step "hack/load.py: 20 predictions/s, each to the cloud Route 53 would pick from the operator's ExternalDNS records"
fi
step "rolling out $NEW_VERSION: kubectl patch fm $MODEL --type merge -p '$PATCH' on eks and gke"
for cluster in "${CLUSTERS[@]}"; do
  "$KUBECTL" --context "$cluster" patch fm "$MODEL" --type merge -p "$PATCH" >>"$DEMO_DIR/kubectl.log" 2>&1 \
    || die "patching the FraudModel in $cluster failed (log: $DEMO_DIR/kubectl.log)"
done
follow_rollout "$NEW_VERSION"
show_fraudmodels
if [[ -n $LOAD_PID ]]; then
  sleep 2
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" || true
  step "what answered during the rollout (hack/load.py, the seconds where it changed; all: $(show "$DEMO_DIR/load-$NEW_VERSION.txt"))"
  sed 's/^/  /' "$DEMO_DIR/load-$NEW_VERSION.txt"
fi
if [[ $PODS == real ]]; then
  step "a prediction from each cloud: $NEW_VERSION's model answers"
  curl_each_cloud
fi

step "demo up in $((SECONDS - started)) s (build $((built - build_started)) s); everything keeps running"
# Every line below is a command (hack/e2e-demo.sh runs them all up to "Stop one cloud", and not tail -f).
cat <<MSG

Try next:
  export KUBECONFIG=$(show "$KUBECONFIG_FILE")
  kubectl --context eks get fm,deployments,pods
  kubectl --context gke describe fm $MODEL     # both clusters' status, the conditions, the events
  curl -s 127.0.0.1:$METRICS_PORT/metrics | grep '^controller_runtime_reconcile_total'
MSG
if [[ $PODS == real ]]; then
  cat <<MSG
  curl -s -H 'content-type: application/json' -d '$ROW' http://$(load_balancer eks)/predict
  # Roll out 2.3.0 (model A, XGBoost, again) with its file, format and checksum in both copies, then wait for gke.
  for c in eks gke; do kubectl --context \$c patch fm $MODEL --type merge -p '{"spec":{"modelVersion":"2.3.0","modelSHA256":"$SHA_A","model":{"path":"/models/model.json","format":"xgboost_json"}}}'; done
  kubectl --context gke wait fm/$MODEL --for jsonpath='{.status.servingVersion}'=2.3.0 --timeout 180s
  # A failed rollout: 2.4.0's model file does not match the checksum given, so its pods never turn ready; after 20 s every cluster rolls back to 2.3.0's whole revision.
  for c in eks gke; do kubectl --context \$c patch fm $MODEL --type merge -p '{"spec":{"modelVersion":"2.4.0","modelSHA256":"$SHA_A","model":{"path":"/models/model.txt","format":"lightgbm_text"},"rollout":{"progressDeadlineSeconds":20}}}'; done
  kubectl --context eks wait fm/$MODEL --for jsonpath='{.status.phase}'=Degraded --timeout 180s
  kubectl --context eks get fm; kubectl --context eks get events
  # Stop one cloud under load: requests move to gke once the health check on eks's record fails.
  $(show "$PYTHON") hack/load.py --context eks --context gke --duration 20 --changes & sleep 5; hack/demo.sh down eks; wait
MSG
else
  cat <<MSG
  # Roll out 2.3.0: patch both copies (the same manifest lives in each cluster), then wait for gke.
  for c in eks gke; do kubectl --context \$c patch fm $MODEL --type merge -p '{"spec":{"modelVersion":"2.3.0"}}'; done
  kubectl --context gke wait fm/$MODEL --for jsonpath='{.status.servingVersion}'=2.3.0 --timeout 120s
  # A failed rollout: gke cannot pull 2.4.0, so after 20 s every cluster rolls back to 2.3.0.
  kubectl --context gke create --raw /_emulator/images -f - <<<'{"unpullable":"fraud-detector:2.4.0"}'
  for c in eks gke; do kubectl --context \$c patch fm $MODEL --type merge -p '{"spec":{"modelVersion":"2.4.0","rollout":{"progressDeadlineSeconds":20}}}'; done
  kubectl --context eks wait fm/$MODEL --for jsonpath='{.status.phase}'=Degraded --timeout 180s
  kubectl --context eks get fm; kubectl --context eks get events
MSG
fi
cat <<MSG
  tail -f $(show "$DEMO_DIR/operator.log")
Stop everything: hack/demo.sh down
MSG
