#!/usr/bin/env bash
# Inference micro-benchmark: fraud-server's compiled trees against XGBoost's own
# inplace_predict on the same model and rows, both on ONE thread (nthread=1),
# for single rows and batches of 1,000. Prints ns/row and the ratios.
#
# Usage: hack/bench/inference.sh [MODEL]   (default: the committed xgboost_binary.json)
# Env:   PYTHON (default .venv/bin/python), FRAUD_SERVER (default: build release)
set -euo pipefail

cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-.venv/bin/python}
MODEL=${1:-Tests/FraudServingTests/Fixtures/xgboost_binary.json}
ROWS=Tests/FraudServingTests/Fixtures/holdout.csv
log() { printf 'bench: %s\n' "$*" >&2; }

if [[ -z "${FRAUD_SERVER:-}" ]]; then
    log "building fraud-server (release)"
    flock /tmp/tandem-swift.lock swift build -c release --product fraud-server >/dev/null
    FRAUD_SERVER=.build/release/fraud-server
fi

log "fraud-server benchmark (Swift, 1 thread)"
swift_json=$(taskset -c 0 "$FRAUD_SERVER" benchmark --model-path "$MODEL" --rows "$ROWS" --batch 1000)
log "xgboost inplace_predict (nthread=1)"
xgb_json=$(OMP_NUM_THREADS=1 taskset -c 0 "$PYTHON" hack/bench/inference_xgboost.py --model "$MODEL" --rows "$ROWS" --batch 1000)

"$PYTHON" - "$swift_json" "$xgb_json" <<'PY'
import json, sys
swift, xgb = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"model {swift['model']} ({swift['trees']} trees), one thread, medians")
print(f"{'':26}{'fraud-server':>14}{'xgboost':>14}{'speed-up':>10}")
print(f"{'single row (ns/row)':26}{swift['single_row_ns']:>14.0f}{xgb['single_row_ns']:>14.0f}{xgb['single_row_ns'] / swift['single_row_ns']:>9.1f}x")
print(f"{'batch of 1000 (ns/row)':26}{swift['batch_ns_per_row']:>14.1f}{xgb['batch_ns_per_row']:>14.1f}{xgb['batch_ns_per_row'] / swift['batch_ns_per_row']:>9.2f}x")
PY
