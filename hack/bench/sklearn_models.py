#!/usr/bin/env python3
"""Train production-sized scikit-learn models for the benchmarks and pickle them as the seed does.

Usage: hack/bench/sklearn_models.py --out DIR [--seed N] [--rows N] NAME...

NAME is one of:
    random_forest_100    RandomForestClassifier, 100 trees of depth 8
    hist_gradient_200    HistGradientBoostingClassifier, 200 iterations (31 leaves), trained
                         with missing values (the trees keep missing_go_to_left)
    logistic_regression  StandardScaler + LogisticRegression

Each is trained with a fixed seed on hack/fixtures/make_models.py's make_data (30 features,
fraud-like) and written with joblib.dump to DIR/NAME.pkl, the file the seed's
`joblib.load("model.pkl")` reads; hack/convert-sklearn.py turns it into DIR/NAME.onnx.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import joblib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))
from make_models import make_data  # noqa: E402

warnings.filterwarnings("ignore")


def build(name: str, seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    # (estimator, trained with missing values)
    if name == "random_forest_100":
        # skl2onnx drops a RandomForest's per-node missing_go_to_left: train it without NaN.
        return RandomForestClassifier(n_estimators=100, max_depth=8, n_jobs=1, random_state=seed), False
    if name == "hist_gradient_200":
        return HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=seed), True
    if name == "logistic_regression":
        return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed)), False
    raise SystemExit(f"sklearn_models: unknown model {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("names", nargs="+")
    args = parser.parse_args()

    args.out.mkdir(parents=True, exist_ok=True)
    x, y, _ = make_data(np.random.default_rng(args.seed), args.rows)
    for name in args.names:
        model, with_missing = build(name, args.seed)
        model.fit(x if with_missing else np.nan_to_num(x), y)
        joblib.dump(model, args.out / f"{name}.pkl")
        print(f"sklearn_models: {args.out / name}.pkl ({type(model).__name__}, {args.rows} rows, seed {args.seed})",
              file=sys.stderr)


if __name__ == "__main__":
    main()
