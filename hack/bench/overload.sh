#!/usr/bin/env bash
# Overload benchmark: how fraud-server's liveness probe and memory hold up while it is
# saturated — CLIENTS connections sending 10,000-row /predict batches back to back, then a
# flood of maximal (4 MB) V2 bodies — against an idle baseline. Optionally the same against
# another build (BASELINE_SERVER, e.g. one built from an older commit) for a before/after.
#
# Usage: hack/bench/overload.sh
# Env:   FRAUD_SERVER     a release fraud-server binary (default: build .build/release/fraud-server)
#        BASELINE_SERVER  another fraud-server binary to run the same cases against (optional)
#        DURATION         seconds per loaded case (default 10)    CLIENTS  connections (default 16)
# Prints, per server and case: answers by status, liveness p50/p99/max (ms) and the
# server's peak RSS. Every load is bounded by DURATION; nothing leaves 127.0.0.1.
set -euo pipefail
source "$(dirname "$0")/../lib/common.sh"
cd "$REPO_ROOT"

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}
MODEL=Tests/FraudServingTests/Fixtures/xgboost_binary.json
HOLDOUT=Tests/FraudServingTests/Fixtures/holdout.csv
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/fraud-overload.XXXXXX")
trap 'stop_background; rm -rf "$SCRATCH"' EXIT

if [[ -z "${FRAUD_SERVER:-}" ]]; then
    step "building fraud-server (release; log: $SCRATCH/build.log)"
    flock /tmp/tandem-swift.lock swift build -c release --product fraud-server >"$SCRATCH/build.log" 2>&1 ||
        { tail -40 "$SCRATCH/build.log"; die "the release build failed"; }
    FRAUD_SERVER=$(swift_bin_path release)/fraud-server
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The load and the prober: one Python process, stdlib only. Prints one JSON line.
cat >"$SCRATCH/load.py" <<'PY'
import http.client, json, sys, threading, time

port, pid, mode, duration, clients, holdout = sys.argv[1:7]
port, pid, duration, clients = int(port), int(pid), float(duration), int(clients)
rows = [line for line in open(holdout).read().splitlines() if ",," not in line and not line.startswith(",") and not line.endswith(",")]
if mode == "predict":
    path = "/predict"
    body = ("[" + ",".join("[" + rows[i % len(rows)] + "]" for i in range(10_000)) + "]").encode()
elif mode == "v2flood":
    path = "/v2/models/fraud-detector/infer"
    data = "0," * 1_999_999 + "0"
    body = ('{"inputs":[{"name":"x","shape":[10000,30],"datatype":"FP32","data":[' + data + "]}]}").encode()
else:
    path, body, clients = None, None, 0

statuses, errors, latencies, peak_rss = {}, [0], [], [0]
lock = threading.Lock()
end = time.monotonic() + duration

def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0

def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < end:
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
        except Exception:
            with lock:
                errors[0] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

def prober():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < end:
        start = time.perf_counter()
        conn.request("GET", "/v2/health/live")
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        peak_rss[0] = max(peak_rss[0], rss_kib())
        time.sleep(0.02)

threads = [threading.Thread(target=worker) for _ in range(clients)] + [threading.Thread(target=prober)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
latencies.sort()
def pct(p):
    return latencies[min(len(latencies) - 1, int(p * len(latencies)))]
print(json.dumps({"statuses": statuses, "errors": errors[0], "probes": len(latencies), "p50": pct(0.50),
                  "p99": pct(0.99), "max": latencies[-1], "peak_rss_mib": peak_rss[0] / 1024}))
PY

# run_cases NAME BINARY — starts the server, runs idle, predict and v2flood, prints rows.
run_cases() {
    local name=$1 binary=$2 port pid
    port=$(free_port)
    "$binary" --model-path "$MODEL" --host 127.0.0.1 --port "$port" --log-format text >"$SCRATCH/$name.log" 2>&1 &
    pid=$!
    BACKGROUND_PIDS+=("$pid")
    local deadline=$((SECONDS + 60))
    until curl -sf -o /dev/null "http://127.0.0.1:$port/v2/health/ready"; do
        ((SECONDS < deadline)) || die "$name did not come up (log: $SCRATCH/$name.log)"
        sleep 0.2
    done
    for mode in idle predict v2flood; do
        local seconds=$DURATION
        [[ $mode != idle ]] || seconds=3
        step "$name: $mode for ${seconds}s"
        python3 "$SCRATCH/load.py" "$port" "$pid" "$mode" "$seconds" "$CLIENTS" "$HOLDOUT" >"$SCRATCH/$name-$mode.json"
        python3 - "$name" "$mode" "$SCRATCH/$name-$mode.json" <<'PY'
import json, sys
name, mode, path = sys.argv[1:4]
r = json.load(open(path))
answers = " ".join(f"{status}:{count}" for status, count in sorted(r["statuses"].items())) or "-"
print(f"{name:<10} {mode:<8} {answers:<22} {r['errors']:>6} {r['probes']:>7} {r['p50']:>9.2f} {r['p99']:>9.2f} "
      f"{r['max']:>9.2f} {r['peak_rss_mib']:>8.0f}")
PY
    done >>"$SCRATCH/table.txt"
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

run_cases fraud "$FRAUD_SERVER"
if [[ -n "${BASELINE_SERVER:-}" ]]; then run_cases baseline "$BASELINE_SERVER"; fi

printf '\n%s clients, %ss per loaded case, %s cores; liveness probed every 20 ms on its own connection\n' \
    "$CLIENTS" "$DURATION" "$(nproc)"
printf '%-10s %-8s %-22s %6s %7s %9s %9s %9s %8s\n' server case 'answers (status:n)' errors probes \
    'live p50' 'live p99' 'live max' 'RSS MiB'
cat "$SCRATCH/table.txt"
