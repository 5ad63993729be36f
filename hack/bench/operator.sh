#!/usr/bin/env bash
# Benchmark of tandem-operator (release build), issue #7: two kube-emulators (eks, gke) with
# --simulate-workloads and N FraudModels apiece (examples/fraudmodel.yaml as fm-000.., 1 replica,
# bakeSeconds 0), created before the operator starts. Reports:
#   - time from operator start to every FraudModel in both clusters having status.phase Ready
#   - API requests per reconcile up to then (emulator counters for user agent
#     tandem-kube-client / controller_runtime_reconcile_total)
#   - operator writes over --idle-seconds once everything is Ready (goal: 0 besides the Lease)
#   - modelVersion patch in eks -> that Deployment's image change, p50 / p90 (goal p50 < 50 ms),
#     one FraudModel at a time, --patch-gap seconds apart so each rollout settles first
#   - the operator's peak RSS, VmHWM (goal < 80 MB)
#   - CPU seconds of the operator and of both emulators per phase (they share the machine)
# Loopback only; every wait is bounded. Medians over --runs (fresh clusters each run).
#   hack/bench/operator.sh [--models 500] [--idle-seconds 60] [--settle-seconds 5] [--samples 20]
#                          [--patch-gap 2] [--runs 1] [--workers N] [--no-leader-elect]
#                          [--pod-ready-seconds 1] [--poll-interval 1] [--ready-timeout 600]
#                          [--keep-logs DIR]
# Env: PYTHON (default .venv/bin/python, else python3; standard library only).
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

MODELS=500
IDLE_SECONDS=60
SETTLE_SECONDS=5
SAMPLES=20
PATCH_GAP=2
POLL_INTERVAL=1
RUNS=1
WORKERS=""
LEADER_ELECT=1
POD_READY_SECONDS=1
READY_TIMEOUT=600
KEEP_LOGS=""

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --models) MODELS=$2; shift 2 ;;
    --idle-seconds) IDLE_SECONDS=$2; shift 2 ;;
    --settle-seconds) SETTLE_SECONDS=$2; shift 2 ;;
    --samples) SAMPLES=$2; shift 2 ;;
    --patch-gap) PATCH_GAP=$2; shift 2 ;;
    --poll-interval) POLL_INTERVAL=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --workers) WORKERS=$2; shift 2 ;;
    --no-leader-elect) LEADER_ELECT=0; shift ;;
    --pod-ready-seconds) POD_READY_SECONDS=$2; shift 2 ;;
    --ready-timeout) READY_TIMEOUT=$2; shift 2 ;;
    --keep-logs) KEEP_LOGS=$2; shift 2 ;;
    -h | --help) usage 0 ;;
    *) warn "unknown argument: $1"; usage 2 ;;
  esac
done
(( SAMPLES <= MODELS )) || die "--samples ($SAMPLES) must not exceed --models ($MODELS)"

PYTHON=${PYTHON:-.venv/bin/python}
[[ -x "$PYTHON" ]] || PYTHON=python3
HELPER="$REPO_ROOT/hack/bench/operator_bench.py"
bench() { "$PYTHON" "$HELPER" "$@"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/operator-bench.XXXXXX")
cleanup() {
  stop_background
  if [[ -n "$KEEP_LOGS" ]]; then mkdir -p "$KEEP_LOGS" && cp -r "$WORK"/. "$KEEP_LOGS"/; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

build() {
  flock /tmp/tandem-swift.lock timeout 1200 swift build -c release "$@" >>"$WORK/build.log" 2>&1 \
    || { tail -n 20 "$WORK/build.log"; die "build failed"; }
}
step "building release binaries (log: $WORK/build.log)"
build --product kube-emulator
build --product tandem-operator
BIN="$(swift_bin_path release)"

# json_field FILE KEY: one top-level field of a one-line JSON result.
json_field() { "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# scrape METRICS_PORT FILE: the operator's /metrics.
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$1/metrics" >"$2"; }

# cpu_seconds PID...: user + system CPU time the processes have used so far, one line each.
cpu_seconds() {
  local pid
  for pid in "$@"; do awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / tck }' "/proc/$pid/stat"; done
}

# stop_pid PID: SIGTERM, then wait for it (bounded by the operator's --graceful-shutdown-seconds).
stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# print_breakdown FILE TITLE: the operator's requests by verb, resource and status code.
print_breakdown() {
  "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
print(f"  {sys.argv[2]}: {result['requests']} requests")
for kind, count in result["byKind"][:16]:
    print(f"    {count:>7}  {kind}")
PY
}

# run_once N: one full measurement with fresh clusters; writes $WORK/result-N.json.
run_once() {
  local run=$1 dir="$WORK/run-$1"
  mkdir -p "$dir"
  local urls=() emulator_pids=() cluster pid
  for cluster in eks gke; do
    KUBE_EMULATOR_BIN="$BIN/kube-emulator" start_emulator "$dir/$cluster.log" --name "$cluster" --admin \
      --simulate-workloads --pod-ready-seconds "$POD_READY_SECONDS" --history 100000 \
      --kubeconfig-out "$dir/kubeconfig" --context "$cluster"
    emulator_pids+=("$EMULATOR_PID")
    urls+=("$EMULATOR_URL")
  done
  local eks_url=${urls[0]}
  for cluster in eks gke; do
    kubectl --kubeconfig "$dir/kubeconfig" --context "$cluster" apply -f crds/tandem.dev_fraudmodels.yaml >>"$dir/kubectl.log"
  done
  kubectl --kubeconfig "$dir/kubeconfig" --context eks create --dry-run=client -o json \
    -f examples/fraudmodel.yaml >"$dir/template.json"
  bench populate --template "$dir/template.json" --count "$MODELS" "${urls[@]}" >"$dir/populate.json"
  step "run $run: $MODELS FraudModels in each of eks ($eks_url) and gke (${urls[1]}) in $(printf '%.1f' "$(json_field "$dir/populate.json" seconds)") s"

  cat >"$dir/clusters.yaml" <<YAML
clusters:
- {name: eks, provider: aws, region: us-east-1, kubeconfig: kubeconfig, context: eks, registry: 123456789012.dkr.ecr.us-east-1.amazonaws.com, mode: manage}
- {name: gke, provider: gcp, region: us-central1, kubeconfig: kubeconfig, context: gke, registry: us-central1-docker.pkg.dev/my-gcp-project/my-repo, mode: manage}
YAML
  local args=(run --config "$dir/clusters.yaml" --metrics-addr 127.0.0.1:0 --health-addr 127.0.0.1:0
    --log-format text --graceful-shutdown-seconds 5)
  [[ $LEADER_ELECT -eq 1 ]] && args+=(--leader-elect)
  [[ -n "$WORKERS" ]] && args+=(--max-concurrent-reconciles "$WORKERS")
  local started
  { echo 0; cpu_seconds "${emulator_pids[@]}"; } >"$dir/cpu-start.txt"  # the operator has not run yet
  started=$(date +%s.%N)
  "$BIN/tandem-operator" "${args[@]}" >"$dir/operator.out" 2>"$dir/operator.log" &
  local operator_pid=$!
  BACKGROUND_PIDS+=("$operator_pid")
  local deadline=$((SECONDS + 30)) metrics_port=""
  until [[ -n "$metrics_port" ]]; do
    kill -0 "$operator_pid" 2>/dev/null || { tail -n 20 "$dir/operator.log" >&2; die "tandem-operator exited early"; }
    (( SECONDS < deadline )) || die "tandem-operator did not report its metrics port within 30s"
    sleep 0.05
    metrics_port=$(sed -n 's/.*endpoint=metrics port=\([0-9]*\).*/\1/p' "$dir/operator.log" | head -1)
  done
  step "run $run: tandem-operator started (pid $operator_pid, metrics :$metrics_port); waiting for every FraudModel Ready"

  bench wait-ready --count "$MODELS" --since "$started" --timeout "$READY_TIMEOUT" --interval "$POLL_INTERVAL" "${urls[@]}" >"$dir/ready.json"
  bench counters "${urls[@]}" >"$dir/counters-ready.json"
  : >"$dir/metrics-start.txt"
  scrape "$metrics_port" "$dir/metrics-ready.txt"
  cpu_seconds "$operator_pid" "${emulator_pids[@]}" >"$dir/cpu-ready.txt"
  echo '{}' >"$dir/counters-empty.json"
  bench diff "$dir/counters-empty.json" "$dir/counters-ready.json" >"$dir/to-ready.json"
  bench metrics "$dir/metrics-start.txt" "$dir/metrics-ready.txt" >"$dir/metrics-to-ready.json"
  step "run $run: all Ready after $(printf '%.1f' "$(json_field "$dir/ready.json" seconds)") s; settling ${SETTLE_SECONDS} s, then ${IDLE_SECONDS} idle seconds"

  sleep "$SETTLE_SECONDS"
  bench counters "${urls[@]}" >"$dir/counters-idle-start.json"
  scrape "$metrics_port" "$dir/metrics-idle-start.txt"
  cpu_seconds "$operator_pid" "${emulator_pids[@]}" >"$dir/cpu-idle-start.txt"
  bench diff "$dir/counters-ready.json" "$dir/counters-idle-start.json" >"$dir/settle.json"
  sleep "$IDLE_SECONDS"
  bench counters "${urls[@]}" >"$dir/counters-idle-end.json"
  scrape "$metrics_port" "$dir/metrics-idle-end.txt"
  cpu_seconds "$operator_pid" "${emulator_pids[@]}" >"$dir/cpu-idle-end.txt"
  bench diff "$dir/counters-idle-start.json" "$dir/counters-idle-end.json" >"$dir/idle.json"
  bench metrics "$dir/metrics-idle-start.txt" "$dir/metrics-idle-end.txt" >"$dir/metrics-idle.json"

  step "run $run: $SAMPLES modelVersion patches in eks"
  bench patch --samples "$SAMPLES" --first 0 --version 2.2.0 --gap "$PATCH_GAP" "$eks_url" >"$dir/patch.json"
  scrape "$metrics_port" "$dir/metrics-patch-end.txt"
  cpu_seconds "$operator_pid" "${emulator_pids[@]}" >"$dir/cpu-patch-end.txt"
  bench metrics "$dir/metrics-idle-end.txt" "$dir/metrics-patch-end.txt" >"$dir/metrics-patch.json"

  awk '/^VmHWM/ { print $2 }' "/proc/$operator_pid/status" >"$dir/hwm-kb.txt"
  stop_pid "$operator_pid"
  for pid in "${emulator_pids[@]}"; do stop_pid "$pid"; done
  BACKGROUND_PIDS=()  # all stopped and reaped: never signal a recycled pid on exit

  "$PYTHON" - "$dir" >"$WORK/result-$run.json" <<'PY'
import json, sys
folder = sys.argv[1]
load = lambda name: json.load(open(f"{folder}/{name}.json"))
cpu = lambda name: [float(value) for value in open(f"{folder}/cpu-{name}.txt").read().split()]
number = lambda name: float(open(f"{folder}/{name}.txt").read())
def spent(start, end):
    """(operator, both emulators) CPU seconds between two samples."""
    before, after = cpu(start), cpu(end)
    return after[0] - before[0], sum(after[1:]) - sum(before[1:])
ready, to_ready, settle, idle, patch = load("ready"), load("to-ready"), load("settle"), load("idle"), load("patch")
metrics_ready, metrics_idle, metrics_patch = load("metrics-to-ready"), load("metrics-idle"), load("metrics-patch")
print(json.dumps({
    "readySeconds": ready["seconds"], "requests": to_ready["requests"], "reconciles": metrics_ready["reconciles"],
    "requestsPerReconcile": to_ready["requests"] / max(metrics_ready["reconciles"], 1),
    "writes": to_ready["writes"], "reconcileMeanMs": metrics_ready["reconcileMeanMs"] or 0,
    "queueWaitMeanMs": metrics_ready["queueWaitMeanMs"] or 0,
    "cpuToReady": spent("start", "ready")[0], "emulatorCpuToReady": spent("start", "ready")[1],
    "settleWrites": settle["writes"], "idleWrites": idle["writes"], "idleEventWrites": idle["eventWrites"], "idleLeaseWrites": idle["leaseWrites"],
    "idleReconciles": metrics_idle["reconciles"], "idleCpu": spent("idle-start", "idle-end")[0],
    "emulatorIdleCpu": spent("idle-start", "idle-end")[1],
    "p50": patch["p50"], "p90": patch["p90"], "patchReconcileMeanMs": metrics_patch["reconcileMeanMs"] or 0,
    "patchCpuMs": 1000 * spent("idle-end", "patch-end")[0] / patch["samples"],
    "emulatorPatchCpuMs": 1000 * spent("idle-end", "patch-end")[1] / patch["samples"],
    "patchReconciles": metrics_patch["reconciles"] / patch["samples"],
    "rssMiB": number("hwm-kb") / 1024,
}))
PY
  if [[ $run -eq 1 ]]; then
    print_breakdown "$dir/to-ready.json" "operator requests, start to all Ready (run 1)" >"$WORK/breakdown.txt"
    if [[ $(json_field "$dir/settle.json" requests) -gt 0 ]]; then
      print_breakdown "$dir/settle.json" "operator requests in the ${SETTLE_SECONDS} s after all Ready (run 1)" >>"$WORK/breakdown.txt"
    fi
    print_breakdown "$dir/idle.json" "operator requests over ${IDLE_SECONDS} idle seconds (run 1)" >>"$WORK/breakdown.txt"
    "$PYTHON" -c 'import json, sys; r = json.load(open(sys.argv[1])); print("  patch -> image change (ms, run 1):", " ".join(str(v) for v in r["ms"]))' \
      "$dir/patch.json" >>"$WORK/breakdown.txt"
  fi
}

for ((run = 1; run <= RUNS; run++)); do run_once "$run"; done

# Medians over the runs, then the table and the one-line summary.
"$PYTHON" - "$WORK" "$MODELS" "$IDLE_SECONDS" "$SETTLE_SECONDS" "$SAMPLES" "$RUNS" "$LEADER_ELECT" "${WORKERS:-default}" <<'PY'
import glob, json, statistics, sys
work, models, idle, settle, samples, runs, leader, workers = sys.argv[1:]
results = [json.load(open(path)) for path in sorted(glob.glob(f"{work}/result-*.json"))]
m = {key: statistics.median(result[key] for result in results) for key in results[0]}
lease = "with" if leader == "1" else "without"
print()
print(f"tandem-operator: {models} FraudModels x 2 clusters, {lease} leader election, workers {workers}, "
      f"median of {runs} run(s)")
print(f"  {'measurement':<46} {'result':>12}  goal")
table = [
    ("time from start to all Ready", f"{m['readySeconds']:.1f} s", ""),
    ("API requests / reconciles to all Ready", f"{m['requests']:.0f} / {m['reconciles']:.0f}", ""),
    ("API requests per reconcile", f"{m['requestsPerReconcile']:.2f}", ""),
    ("writes to all Ready", f"{m['writes']:.0f}", ""),
    ("mean reconcile / queue wait to all Ready", f"{m['reconcileMeanMs']:.1f} / {m['queueWaitMeanMs']:.0f} ms", ""),
    ("CPU to all Ready: operator / emulators", f"{m['cpuToReady']:.1f} / {m['emulatorCpuToReady']:.1f} s", ""),
    (f"writes in the {settle} s after all Ready", f"{m['settleWrites']:.0f}", ""),
    (f"writes over {idle} idle s (besides the Lease)", f"{m['idleWrites']:.0f}", "0"),
    ("  of which Event series flushes", f"{m['idleEventWrites']:.0f}", ""),
    (f"Lease writes / reconciles over {idle} idle s", f"{m['idleLeaseWrites']:.0f} / {m['idleReconciles']:.0f}", ""),
    (f"CPU over {idle} idle s: operator / emulators", f"{m['idleCpu']:.2f} / {m['emulatorIdleCpu']:.2f} s", ""),
    (f"patch -> eks image change p50 ({samples} samples)", f"{m['p50']:.1f} ms", "< 50 ms"),
    ("patch -> eks image change p90", f"{m['p90']:.1f} ms", ""),
    ("reconciles per patch / mean reconcile", f"{m['patchReconciles']:.1f} / {m['patchReconcileMeanMs']:.1f} ms", ""),
    ("CPU per patch: operator / emulators", f"{m['patchCpuMs']:.0f} / {m['emulatorPatchCpuMs']:.0f} ms", ""),
    ("peak RSS (VmHWM)", f"{m['rssMiB']:.1f} MiB", "< 80 MB"),
]
for name, value, goal in table:
    print(f"  {name:<46} {value:>12}  {goal}")
print()
print(f"summary: all Ready in {m['readySeconds']:.1f} s, {m['requestsPerReconcile']:.2f} requests/reconcile, "
      f"{m['idleWrites']:.0f} idle writes (+{m['idleLeaseWrites']:.0f} Lease), "
      f"patch->image p50 {m['p50']:.1f} ms / p90 {m['p90']:.1f} ms, peak RSS {m['rssMiB']:.1f} MiB")
PY
echo
cat "$WORK/breakdown.txt"
