#!/usr/bin/env bash
# Serving benchmark with a scikit-learn model: the seed's FastAPI + Uvicorn server loading a
# pickled scikit-learn model (joblib, model.predict) against fraud-server serving the same model
# converted to ONNX by hack/convert-sklearn.py, side by side under the same wrk load
# (hack/bench/serving.sh for each model: 1-row and 100-row bodies, medians of RUNS runs).
#
# Usage: hack/bench/serving-sklearn.sh [NAME...]
#        NAME: logistic_regression (StandardScaler + LogisticRegression) and random_forest_100
#        (RandomForestClassifier, 100 trees of depth 8) by default; see hack/bench/sklearn_models.py.
# Env:   PYTHON, FRAUD_SERVER, DURATION, RUNS, CONNECTIONS, THREADS as for hack/bench/serving.sh.
# Prints serving.sh's table per model, then one summary table with the fraud-server/seed ratios.
set -euo pipefail

cd "$(dirname "$0")/../.."
source hack/lib/common.sh
PYTHON=${PYTHON:-.venv/bin/python}
PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"
export PYTHON
NAMES=("$@")
[[ ${#NAMES[@]} -gt 0 ]] || NAMES=(logistic_regression random_forest_100)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fraud-bench-sklearn.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

release_fraud_server "$WORK/build.log"
export FRAUD_SERVER

step "training ${NAMES[*]} (scikit-learn, fixed seed) and converting to ONNX"
"$PYTHON" hack/bench/sklearn_models.py --out "$WORK" "${NAMES[@]}"
for name in "${NAMES[@]}"; do
    "$PYTHON" hack/convert-sklearn.py "$WORK/$name.pkl" "$WORK/$name.onnx" >/dev/null
done

for name in "${NAMES[@]}"; do
    step "serving.sh with $name: seed model.pkl vs fraud-server $name.onnx"
    MODEL="$WORK/$name.onnx" SEED_MODEL="$WORK/$name.pkl" hack/bench/serving.sh | tee "$WORK/$name.txt"
done

# serving.sh's table rows: "ROWS SERVER REQ/S P50 P99".
printf '\nscikit-learn models, seed (FastAPI + Uvicorn, joblib, predict) vs fraud-server (ONNX), medians\n'
printf '%-20s %5s %11s %13s %7s %18s\n' model rows 'seed req/s' 'fraud req/s' ratio 'fraud p50/p99 ms'
for name in "${NAMES[@]}"; do
    awk -v model="$name" '
        $2 == "seed" && $1 ~ /^[0-9]+$/ { seed[$1] = $3 }
        $2 == "fraud-server" && $1 ~ /^[0-9]+$/ { fraud[$1] = $3; p50[$1] = $4; p99[$1] = $5; order[++n] = $1 }
        END { for (i = 1; i <= n; i++) { r = order[i]
            printf "%-20s %5s %11.0f %13.0f %6.1fx %18s\n", model, r, seed[r], fraud[r], fraud[r] / seed[r], p50[r] " / " p99[r] } }
    ' "$WORK/$name.txt"
done
