#!/usr/bin/env bash
# Serving benchmark: the seed's FastAPI + Uvicorn server (the seed's code, 1 worker,
# the same XGBoost model loaded through joblib) against fraud-server (release build),
# side by side in one run, under the same wrk load on 127.0.0.1.
#
# Usage: hack/bench/serving.sh
# Env:   PYTHON        python with hack/fixtures/requirements.txt (default .venv/bin/python)
#        FRAUD_SERVER  a release fraud-server binary (default: build .build/release/fraud-server)
#        MODEL         the model fraud-server serves (default the committed xgboost_binary.json)
#        SEED_MODEL    the seed's model.pkl (default: MODEL, an XGBoost JSON, in XGBClassifier);
#                      hack/bench/serving-sklearn.sh passes a scikit-learn pickle and its ONNX
#        DURATION      seconds per wrk run (default 10)      RUNS  runs per case (default 3)
#        CONNECTIONS   wrk connections (default 32)          THREADS wrk threads (default 1)
# Prints requests/s, p50 and p99 (medians over RUNS) per server and body size, and the
# fraud-server/seed ratio. Every load is bounded by DURATION; nothing leaves 127.0.0.1.
set -euo pipefail

cd "$(dirname "$0")/../.."
source hack/lib/common.sh
PYTHON=${PYTHON:-.venv/bin/python}
# Absolute, without resolving the venv's symlink (which would leave the venv).
PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"
DURATION=${DURATION:-10}
RUNS=${RUNS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
MODEL=${MODEL:-Tests/FraudServingTests/Fixtures/xgboost_binary.json}
SEED_MODEL=${SEED_MODEL:-}
HOLDOUT=Tests/FraudServingTests/Fixtures/holdout.csv
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraud-bench.XXXXXX")
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf 'bench: %s\n' "$*" >&2; }

command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }

release_fraud_server "$WORK/build.log"

# The seed service, as the seed wrote it, and its model.pkl: SEED_MODEL, or the same XGBoost
# model wrapped in XGBClassifier and pickled with joblib.
mkdir -p "$WORK/seed"
cat >"$WORK/seed/main.py" <<'PY'
from fastapi import FastAPI
import joblib
import numpy as np

app = FastAPI()

model = joblib.load("model.pkl")

@app.post("/predict")
async def predict(data: list[list[float]]):
    predictions = model.predict(np.array(data))
    return {"predictions": predictions.tolist()}
PY
if [[ -n "$SEED_MODEL" ]]; then
    cp "$SEED_MODEL" "$WORK/seed/model.pkl"
else
    "$PYTHON" - "$MODEL" "$WORK/seed/model.pkl" <<'PY'
import sys, joblib, xgboost as xgb
classifier = xgb.XGBClassifier()
classifier.load_model(sys.argv[1])
joblib.dump(classifier, sys.argv[2])
PY
fi

# Request bodies: complete holdout rows (the seed's schema has no null).
"$PYTHON" - "$HOLDOUT" "$WORK" <<'PY'
import json, sys
rows = [[float(c) for c in line.split(",")] for line in open(sys.argv[1]).read().splitlines() if ",," not in line and not line.startswith(",") and not line.endswith(",")]
for n in (1, 100):
    body = json.dumps(rows[:n])
    lua = 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(body)
    open(f"{sys.argv[2]}/body{n}.lua", "w").write(lua)
    open(f"{sys.argv[2]}/body{n}.json", "w").write(body)
PY

wait_ready() { # URL BODYFILE
    local deadline=$((SECONDS + 60))
    until curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$2" "$1"; do
        ((SECONDS < deadline)) || { log "server at $1 did not come up"; exit 1; }
        sleep 0.2
    done
}

SEED_PORT=$(free_port)
(cd "$WORK/seed" && exec "$PYTHON" -m uvicorn main:app --host 127.0.0.1 --port "$SEED_PORT" --workers 1 --log-level warning) \
    >"$WORK/seed.log" 2>&1 &
PIDS+=($!)
SWIFT_PORT=$(free_port)
"$FRAUD_SERVER" --model-path "$MODEL" --host 127.0.0.1 --port "$SWIFT_PORT" --log-format text >"$WORK/swift.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$SEED_PORT/predict" "$WORK/body1.json"
wait_ready "http://127.0.0.1:$SWIFT_PORT/predict" "$WORK/body1.json"

# to_ms VALUE — converts wrk's "1.23ms" / "456.00us" / "1.02s" to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "%s", v }'
}

# run_wrk NAME PORT ROWS RUN — one bounded wrk run; appends "rps p50 p99" to NAME-ROWS.txt.
run_wrk() {
    local out="$WORK/wrk-$1-$3-$4.txt"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$WORK/body$3.lua" \
        "http://127.0.0.1:$2/predict" >"$out"
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
    errors=$(awk '/Non-2xx|Socket errors/ { print }' "$out")
    [[ -z "$errors" ]] || log "$1 $3-row run $4: $errors"
    echo "$rps $p50 $p99" >>"$WORK/$1-$3.txt"
    log "$1 $3-row run $4: $rps req/s, p50 ${p50} ms, p99 ${p99} ms"
}

for rows in 1 100; do
    for name in seed fraud-server; do
        port=$SEED_PORT
        [[ $name == seed ]] || port=$SWIFT_PORT
        wrk -t1 -c4 -d2s -s "$WORK/body$rows.lua" "http://127.0.0.1:$port/predict" >/dev/null # warm-up
    done
    for ((run = 1; run <= RUNS; run++)); do
        run_wrk seed "$SEED_PORT" "$rows" "$run"
        run_wrk fraud-server "$SWIFT_PORT" "$rows" "$run"
    done
done

printf '\nwrk -t%s -c%s -d%ss --latency, POST /predict, medians of %s runs, %s cores, model %s\n' \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$RUNS" "$(nproc)" "$(basename "$MODEL")"
printf '%-8s %-13s %12s %10s %10s\n' rows server 'req/s' 'p50 ms' 'p99 ms'
for rows in 1 100; do
    for name in seed fraud-server; do
        rps=$(awk '{ print $1 }' "$WORK/$name-$rows.txt" | median)
        p50=$(awk '{ print $2 }' "$WORK/$name-$rows.txt" | median)
        p99=$(awk '{ print $3 }' "$WORK/$name-$rows.txt" | median)
        printf '%-8s %-13s %12s %10s %10s\n' "$rows" "$name" "$rps" "$p50" "$p99"
        eval "rps_${name//-/_}=$rps"
    done
    # shellcheck disable=SC2154 # set by the eval above
    printf '%-8s ratio fraud-server/seed req/s: %sx\n' "$rows" "$(awk -v a="$rps_fraud_server" -v b="$rps_seed" 'BEGIN { printf "%.1f", a / b }')"
done
