#!/usr/bin/env bash
# Download-to-ready benchmark (MODEL_URI): fraud-server (release) started with
# MODEL_URI=s3://bench/KEY against moto's S3 on 127.0.0.1, timed from process start to the
# first 200 from /v2/health/ready (download, SHA-256 check, parse); side by side with the Python
# way (boto3 download_file + xgboost Booster.load_model in a fresh interpreter, timed from its
# start), for a ~590 KB and a ~50 MB XGBoost model.
#
# Usage: hack/bench/model-download.sh
# Env:   PYTHON        python with hack/requirements-objectstore.txt and xgboost (default .venv/bin/python)
#        FRAUD_SERVER  a release fraud-server binary (default: build .build/release/fraud-server)
#        RUNS          runs per case (default 5)
# Prints the median seconds per case and the Python/fraud-server ratio. Nothing leaves 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"
VENV_BIN=$(dirname "$PYTHON")
RUNS=${RUNS:-5}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/download-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf 'bench: %s\n' "$*" >&2; }

if [[ -z "${FRAUD_SERVER:-}" ]]; then
    log "building fraud-server (release)"
    flock /tmp/tandem-swift.lock swift build -c release --product fraud-server >"$WORK/build.log" 2>&1 || {
        tail -40 "$WORK/build.log"
        exit 1
    }
    FRAUD_SERVER=.build/release/fraud-server
fi
free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.4f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

log "training the two models"
"$PYTHON" hack/bench/model_download.py make "$WORK"
MOTO_PORT=$(free_port)
"$VENV_BIN/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" >"$WORK/moto.log" 2>&1 &
PIDS+=($!)
ENDPOINT="http://127.0.0.1:$MOTO_PORT"
deadline=$((SECONDS + 30))
until curl -sf -o /dev/null "$ENDPOINT/moto-api/"; do
    ((SECONDS < deadline)) || { log "moto did not start"; cat "$WORK/moto.log" >&2; exit 1; }
    sleep 0.2
done
"$PYTHON" hack/bench/model_download.py upload "$ENDPOINT" "$WORK/model-small.json" "$WORK/model-large.json"

# fraud_server_ready KEY SHA: seconds from start to ready.
fraud_server_ready() {
    local port start now pid
    port=$(free_port)
    start=$EPOCHREALTIME
    MODEL_URI="s3://bench/$1" MODEL_SHA256="$2" AWS_ENDPOINT_URL_S3="$ENDPOINT" AWS_REGION=us-east-1 \
        AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_EC2_METADATA_DISABLED=true \
        "$FRAUD_SERVER" --host 127.0.0.1 --port "$port" --log-format text >"$WORK/server.log" 2>&1 &
    pid=$!
    until curl -sf -o /dev/null "http://127.0.0.1:$port/v2/health/ready"; do
        kill -0 "$pid" 2>/dev/null || { log "fraud-server exited"; cat "$WORK/server.log" >&2; exit 1; }
        now=$EPOCHREALTIME
        awk -v s="$start" -v n="$now" 'BEGIN { exit !(n - s > 120) }' && { log "fraud-server not ready in 120 s"; cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.005
    done
    now=$EPOCHREALTIME
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    awk -v s="$start" -v n="$now" 'BEGIN { printf "%.4f\n", n - s }'
}

printf '%-22s %10s %14s %14s %8s\n' model bytes fraud-server python ratio
for name in small large; do
    file="$WORK/model-$name.json"
    bytes=$(stat -c %s "$file")
    sha=$(sha256sum "$file" | cut -d' ' -f1)
    : >"$WORK/swift-$name.txt"
    : >"$WORK/python-$name.txt"
    for _ in $(seq "$RUNS"); do
        fraud_server_ready "model-$name.json" "$sha" >>"$WORK/swift-$name.txt"
        "$PYTHON" hack/bench/model_download.py peer "$ENDPOINT" "model-$name.json" >>"$WORK/python-$name.txt"
    done
    swift=$(median <"$WORK/swift-$name.txt")
    python=$(median <"$WORK/python-$name.txt")
    printf '%-22s %10s %13ss %13ss %7sx\n' "model-$name.json" "$bytes" "$swift" "$python" \
        "$(awk -v a="$python" -v b="$swift" 'BEGIN { printf "%.1f", a / b }')"
done
