#!/usr/bin/env bash
# Pods that run for real: kube-emulator --run-pods (release) with fraud-server (release) pods.
# Measures pod create -> started / Ready (p50, p99) and the memory of N running pods and of the
# emulator itself (hack/bench/pods_bench.py). Needs root. Everything stays on this machine: the
# client talks to the emulator on 127.0.0.1, probes go to the emulator's own pod network.
#
# Usage: hack/bench/pods.sh [--latency-pods N] [--scale-pods N]   (defaults 20 and 100)
# Env:   PYTHON (default .venv/bin/python)
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

PYTHON=${PYTHON:-$REPO_ROOT/.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pods-bench.XXXXXX")
trap 'stop_background; rm -rf "$WORK"' EXIT

step "building kube-emulator and fraud-server (release; log in $WORK/build.log)"
flock /tmp/tandem-swift.lock swift build -c release --product kube-emulator >"$WORK/build.log" 2>&1
flock /tmp/tandem-swift.lock swift build -c release --product fraud-server >>"$WORK/build.log" 2>&1
BIN="$(swift_bin_path release)"
cat >"$WORK/catalog.yaml" <<YAML
images:
- image: fraud-detector:bench
  command: [$BIN/fraud-server]
  env: {MODEL_PATH: /models/model.json, LOG_FORMAT: json}
  files:
    /models/model.json: $REPO_ROOT/Tests/FraudServingTests/Fixtures/xgboost_binary.json
YAML
export KUBECONFIG="$WORK/kubeconfig"
KUBE_EMULATOR_BIN="$BIN/kube-emulator" start_emulator "$WORK/emulator.log" --name bench --run-pods --image-catalog "$WORK/catalog.yaml" \
  --kubeconfig-out "$KUBECONFIG" --state-dir "$WORK/state"
step "measuring (kube-emulator pid $EMULATOR_PID, $(nproc) cores)"
"$PYTHON" hack/bench/pods_bench.py "$EMULATOR_PID" "$BIN/fraud-server" "$@"
