#!/usr/bin/env bash
# End-to-end parity on models nobody has seen before: trains FRESH XGBoost and LightGBM
# models (a different seed from the committed fixtures), serves each with the
# fraud-server binary on 127.0.0.1 (a free port), and checks that /predict and
# /v2/.../infer match the libraries' own predictions within 1e-6. Also the seed's path: a
# pickled scikit-learn model converted by hack/convert-sklearn.py and served as ONNX, against
# the estimator's predict_proba (1e-5). And the MODEL_SHA256 integrity gate, and that SIGTERM exits 0.
#
# Usage: hack/e2e-serving.sh
# Env:   PYTHON          python with hack/fixtures/requirements.txt (default .venv/bin/python)
#        FRAUD_SERVER    a built fraud-server binary (default: build .build/debug/fraud-server)
#        E2E_SEED        training seed (default 20251)
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
SEED=${E2E_SEED:-20251}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraud-e2e.XXXXXX")
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf 'e2e-serving: %s\n' "$*"; }

if ! "$PYTHON" -c 'import xgboost, lightgbm, numpy, pandas' 2>/dev/null; then
    log "$PYTHON lacks the fixture libraries; pip install -r hack/fixtures/requirements.txt"
    exit 1
fi

if [[ -z "${FRAUD_SERVER:-}" ]]; then
    log "building fraud-server (debug)"
    flock /tmp/tandem-swift.lock swift build --product fraud-server >"$WORK/build.log" 2>&1 || {
        tail -40 "$WORK/build.log"
        exit 1
    }
    FRAUD_SERVER=.build/debug/fraud-server
fi

log "training fresh models (seed $SEED) in $WORK/models"
"$PYTHON" hack/fixtures/make_models.py --out "$WORK/models" --seed "$SEED" --holdout-rows 300 2>"$WORK/train.log" || {
    cat "$WORK/train.log"
    exit 1
}

# start_server LOGFILE ARGS... — starts fraud-server on a free port; sets SERVER_PID and PORT.
start_server() {
    local logfile=$1
    shift
    # Created here: the background job opens it only when it runs, which on a loaded machine
    # can be after the first read below.
    : >"$logfile"
    "$FRAUD_SERVER" --host 127.0.0.1 --port 0 --log-format json "$@" >"$logfile" 2>&1 &
    SERVER_PID=$!
    PORT=""
    local deadline=$((SECONDS + 30))
    while [[ -z "$PORT" ]]; do
        if ((SECONDS > deadline)) || ! kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server did not start; its log:"
            cat "$logfile"
            exit 1
        fi
        PORT=$(sed -n 's/.*"msg":"listening".*"port":"\([0-9]*\)".*/\1/p' "$logfile" | head -1)
        [[ -n "$PORT" ]] || sleep 0.1
    done
}

# stop_server — SIGTERM, then require exit status 0 within 20 s.
stop_server() {
    kill -TERM "$SERVER_PID"
    local deadline=$((SECONDS + 20))
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        if ((SECONDS > deadline)); then
            log "server did not exit within 20 s of SIGTERM"
            exit 1
        fi
        sleep 0.1
    done
    local status=0
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    if ((status != 0)); then
        log "server exited $status after SIGTERM (expected 0)"
        exit 1
    fi
}

failures=0
for model in xgboost_binary.json xgboost_reglogistic.json xgboost_regression.json xgboost_multiclass.json \
    lightgbm_binary.txt lightgbm_regression.txt lightgbm_zero_missing.txt lightgbm_no_missing.txt; do
    stem=${model%.*}
    start_server "$WORK/$stem.log" --model-path "$WORK/models/$model" --model-version "e2e-$SEED"
    if ! "$PYTHON" hack/fixtures/check_parity.py --url "http://127.0.0.1:$PORT" --dir "$WORK/models" --model "$stem"; then
        failures=$((failures + 1))
    fi
    stop_server
done

log "the seed's path: model.pkl -> hack/convert-sklearn.py -> model.onnx -> fraud-server"
mkdir -p "$WORK/seed"
"$PYTHON" - "$WORK/seed" "$SEED" <<'PY'
import json, sys
import joblib
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
out, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
x = rng.normal(size=(3000, 30)).astype(np.float32).astype(np.float64)
y = (x[:, 0] + 0.7 * x[:, 1] * x[:, 2] - 0.4 * x[:, 3] + rng.normal(scale=0.4, size=3000) > 0.6).astype(int)
joblib.dump(RandomForestClassifier(n_estimators=30, max_depth=7, random_state=seed).fit(x, y), f"{out}/random_forest.pkl")
joblib.dump(GradientBoostingClassifier(n_estimators=40, max_depth=3, random_state=seed).fit(x, y), f"{out}/gradient_boosting.pkl")
joblib.dump(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, y), f"{out}/logistic_regression.pkl")
joblib.dump(HistGradientBoostingClassifier(max_iter=40, max_depth=4, random_state=seed).fit(x, y), f"{out}/hist_gradient_boosting.pkl")
rows = rng.normal(size=(200, 30)).astype(np.float32).astype(np.float64)
json.dump(rows.tolist(), open(f"{out}/rows.json", "w"))
PY
for estimator in random_forest gradient_boosting hist_gradient_boosting logistic_regression; do
    if ! sha=$("$PYTHON" hack/convert-sklearn.py "$WORK/seed/$estimator.pkl" "$WORK/seed/$estimator.onnx" 2>>"$WORK/convert.log"); then
        log "$estimator: hack/convert-sklearn.py failed"
        cat "$WORK/convert.log"
        failures=$((failures + 1))
        continue
    fi
    start_server "$WORK/$estimator.log" --model-path "$WORK/seed/$estimator.onnx" --model-sha256 "$sha"
    if ! "$PYTHON" - "http://127.0.0.1:$PORT" "$WORK/seed/$estimator.pkl" "$WORK/seed/rows.json" "$estimator" <<'PY'; then
import json, sys, urllib.request
import joblib
import numpy as np
url, pickle, rows_file, name = sys.argv[1:]
rows = json.load(open(rows_file))
model = joblib.load(pickle)
expected = model.predict_proba(np.array(rows))[:, 1]
request = urllib.request.Request(url + "/predict", data=json.dumps(rows).encode(), headers={"Content-Type": "application/json"})
answer = json.load(urllib.request.urlopen(request, timeout=30))
gap = float(np.max(np.abs(np.array(answer["probabilities"]) - expected)))
labels = list(model.predict(np.array(rows)))
same = sum(int(a == b) for a, b in zip(answer["predictions"], labels))
print(f"{name} (model.pkl via ONNX): {len(rows)} rows max |Δ| /predict={gap:.3g} labels equal {same}/{len(rows)}")
sys.exit(0 if gap <= 1e-5 and same == len(rows) else 1)
PY
        failures=$((failures + 1))
    fi
    stop_server
done

log "a 25 MB body: Python's urllib (Connection: close) and requests (kept alive) read the 413"
start_server "$WORK/oversized.log" --model-path "$WORK/models/xgboost_binary.json"
if ! "$PYTHON" - "http://127.0.0.1:$PORT" <<'PY'; then
import sys, urllib.error, urllib.request
import requests
url = sys.argv[1] + "/predict"
body = b"0" * 25_000_000
headers = {"Content-Type": "application/json"}
for attempt in range(3):
    try:
        urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60)
        sys.exit("urllib: a 25 MB body was accepted")
    except urllib.error.HTTPError as error:
        if error.code != 413 or b"MAX_BODY_BYTES" not in error.read():
            sys.exit(f"urllib: {error.code} instead of a 413 naming MAX_BODY_BYTES")
with requests.Session() as session:
    for attempt in range(3):
        answer = session.post(url, data=body, headers=headers, timeout=60)
        if answer.status_code != 413 or "MAX_BODY_BYTES" not in answer.text:
            sys.exit(f"requests: {answer.status_code} instead of a 413 naming MAX_BODY_BYTES")
    if session.get(sys.argv[1] + "/v2/health/live", timeout=10).status_code != 200:
        sys.exit("requests: the connection that drained the body does not serve the next request")
print("urllib and requests: 3 + 3 oversized bodies answered 413")
PY
    failures=$((failures + 1))
fi
stop_server

log "integrity gate: a wrong MODEL_SHA256 keeps the server live but never ready"
MODEL_SHA256=$(printf '0%.0s' {1..64}) start_server "$WORK/integrity.log" --model-path "$WORK/models/xgboost_binary.json"
live=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/health/live")
ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v2/health/ready")
stop_server
if [[ "$live" != 200 || "$ready" != 503 ]]; then
    log "integrity gate: live=$live ready=$ready (expected 200 and 503)"
    failures=$((failures + 1))
elif ! grep -q 'expected_sha256' "$WORK/integrity.log"; then
    log "integrity gate: the log does not name both digests"
    failures=$((failures + 1))
fi

log "unsupported model: fails at start naming the file and the feature"
if "$FRAUD_SERVER" --model-path "$WORK/models/unsupported_xgboost_dart.json" --port 0 >"$WORK/dart.log" 2>&1; then
    log "a dart model started"
    failures=$((failures + 1))
elif ! grep -q "unsupported_xgboost_dart.json.*dart" "$WORK/dart.log"; then
    log "the dart error does not name the file and the feature:"
    cat "$WORK/dart.log"
    failures=$((failures + 1))
fi

if ((failures > 0)); then
    log "$failures check(s) failed"
    exit 1
fi
log "all parity, integrity and lifecycle checks passed"
