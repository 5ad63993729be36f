#!/usr/bin/env bash
# ONNX inference micro-benchmark: fraud-server's native ONNX inference (`fraud-server benchmark`)
# against onnxruntime (CPUExecutionProvider, intra_op_num_threads=1, inter_op_num_threads=1,
# sequential; hack/bench/onnx_runtime.py) on the same ONNX models and rows, both pinned to CPU 0,
# for single rows and batches of 1,000. Prints ns/row and the ratios: each side reports the median
# of REPEATS timings, the script runs ROUNDS rounds (models and sides interleaved, against drift on
# a noisy machine) and prints the median of the rounds, and the range of the ratios.
#
# Models: the committed fixtures in Tests/FraudServingTests/Fixtures/onnx (6-tree ensembles and
# linear pipelines) and two production-sized ones trained fresh with a fixed seed
# (hack/bench/sklearn_models.py: RandomForest 100 trees of depth 8, HistGradientBoosting 200
# iterations) and converted by hack/convert-sklearn.py into a temporary folder.
# Rows: Tests/FraudServingTests/Fixtures/onnx/inputs_complete.csv (120 rows x 30, no missing value).
#
# Usage: hack/bench/onnx.sh [MODEL.onnx...]   (default: the fixtures and the two large models)
# Env:   PYTHON (default .venv/bin/python), FRAUD_SERVER (default: build release),
#        SINGLE_CALLS (100000), BATCH_CALLS (200), REPEATS (7), BATCH (1000): passed to both sides
#        (the first three are fraud-server benchmark's defaults); ROUNDS (3). About 3 min a round.
set -euo pipefail

cd "$(dirname "$0")/../.."
source hack/lib/common.sh
PYTHON=${PYTHON:-.venv/bin/python}
FIXTURES=Tests/FraudServingTests/Fixtures/onnx
ROWS=$FIXTURES/inputs_complete.csv
SINGLE_CALLS=${SINGLE_CALLS:-100000}
BATCH_CALLS=${BATCH_CALLS:-200}
REPEATS=${REPEATS:-7}
BATCH=${BATCH:-1000}
ROUNDS=${ROUNDS:-3}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraud-bench-onnx.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

release_fraud_server "$WORK/build.log"

MODELS=("$@")
if [[ ${#MODELS[@]} -eq 0 ]]; then
    for name in random_forest random_forest_multiclass gradient_boosting hist_gradient_boosting xgboost lightgbm \
        logistic_regression ridge_regressor; do
        MODELS+=("$FIXTURES/$name.onnx")
    done
    step "training the production-sized models (fixed seed) and converting them with hack/convert-sklearn.py"
    "$PYTHON" hack/bench/sklearn_models.py --out "$WORK" random_forest_100 hist_gradient_200
    for name in random_forest_100 hist_gradient_200; do
        "$PYTHON" hack/convert-sklearn.py "$WORK/$name.pkl" "$WORK/$name.onnx" >/dev/null
        MODELS+=("$WORK/$name.onnx")
    done
fi

timing=(--rows "$ROWS" --batch "$BATCH" --single-calls "$SINGLE_CALLS" --batch-calls "$BATCH_CALLS" --repeats "$REPEATS")
for ((round = 1; round <= ROUNDS; round++)); do
    for model in "${MODELS[@]}"; do
        step "round $round/$ROUNDS, $(basename "$model"): fraud-server benchmark, then onnxruntime (CPU 0, one thread each)"
        taskset -c 0 "$FRAUD_SERVER" benchmark --model-path "$model" "${timing[@]}" >>"$WORK/swift.jsonl"
        OMP_NUM_THREADS=1 taskset -c 0 "$PYTHON" hack/bench/onnx_runtime.py --model "$model" "${timing[@]}" >>"$WORK/ort.jsonl"
    done
done

"$PYTHON" - "$WORK/swift.jsonl" "$WORK/ort.jsonl" "$(nproc)" "$ROUNDS" <<'PY'
import json, os, sys
from statistics import median
swift = [json.loads(line) for line in open(sys.argv[1])]
ort = [json.loads(line) for line in open(sys.argv[2])]
models = list(dict.fromkeys(s["model"] for s in swift))
print(f"\nfraud-server benchmark vs onnxruntime {ort[0]['onnxruntime']} (CPUExecutionProvider, 1 intra/1 inter-op thread, "
      f"sequential), both pinned to CPU 0 of {sys.argv[3]}; ns/row, median of {sys.argv[4]} rounds")
print(f"{'model':26}{'trees':>6} |{'single row':>11}{'ort':>8}{'ratio':>8}{'range':>12} |"
      f"{'batch 1000':>11}{'ort':>7}{'ratio':>7}{'range':>12}")
for model in models:
    s = [x for x in swift if x["model"] == model]
    o = [x for x in ort if x["model"] == model]
    row = f"{os.path.basename(model).removesuffix('.onnx'):26}{s[0]['trees'] or '-':>6} |"
    for key, width, digits in (("single_row_ns", 8, 1), ("batch_ns_per_row", 7, 2)):
        ratios = [b[key] / a[key] for a, b in zip(s, o)]
        spread = f"{min(ratios):.{digits}f}-{max(ratios):.{digits}f}"
        row += (f"{median(x[key] for x in s):>11.0f}{median(x[key] for x in o):>{width}.0f}"
                f"{median(ratios):>7.{digits}f}x{spread:>12} |")
    print(row.rstrip(" |"))
print("ratio = onnxruntime / fraud-server per round, its median and range (higher: fraud-server faster);"
      " goals: >= 5x single row, >= 1x batch of 1000")
PY
