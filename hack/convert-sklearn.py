#!/usr/bin/env python3
"""Convert the seed's pickled scikit-learn model (model.pkl) to ONNX for fraud-server.

Usage: hack/convert-sklearn.py MODEL.pkl MODEL.onnx [--features N] [--rows N]

Loads a joblib/pickle scikit-learn estimator or Pipeline (as the seed's `joblib.load("model.pkl")`
does: only convert a pickle you trust, loading one runs its code), converts it with skl2onnx
(float input `input` of shape [N, features], probabilities as a tensor, no ZipMap), then checks
on a sample of random rows that onnxruntime and the estimator itself agree: the same labels and
probabilities within 1e-5. Prints the ONNX file's sha256 for spec.modelSHA256.

fraud-server serves the tree ensembles (RandomForest, ExtraTrees, GradientBoosting,
HistGradientBoosting, XGBoost and LightGBM scikit-learn wrappers); it refuses at start, naming the
node and the op, any other operator the converted graph holds.
"""
import argparse
import hashlib
import sys

import joblib
import numpy as np


def features_of(model, given):
    if given:
        return given
    count = getattr(model, "n_features_in_", None)
    if count is None:
        sys.exit("convert-sklearn: the estimator does not say how many features it takes; pass --features N")
    return int(count)


def patch_skl2onnx():
    """skl2onnx 1.20 passes HistGradientBoosting's missing_go_to_left as a bool into an int64
    attribute, which protobuf 7 rejects ("Expected an int, got a boolean"): hand it an int
    (hack/fixtures/make_onnx_models.py does the same)."""
    import skl2onnx.common.tree_ensemble as tree_ensemble

    original = tree_ensemble.add_node

    def add_node(*args, nodes_missing_value_tracks_true=0, **kwargs):
        return original(*args, nodes_missing_value_tracks_true=int(nodes_missing_value_tracks_true), **kwargs)

    tree_ensemble.add_node = add_node


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pickle")
    parser.add_argument("onnx")
    parser.add_argument("--features", type=int, default=0, help="input width (default: the estimator's n_features_in_)")
    parser.add_argument("--rows", type=int, default=1000, help="random rows the check compares (default 1000)")
    args = parser.parse_args()

    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    import onnxruntime

    patch_skl2onnx()
    model = joblib.load(args.pickle)
    if not hasattr(model, "predict"):
        sys.exit(f"convert-sklearn: {args.pickle} holds a {type(model).__name__}, not a scikit-learn estimator")
    features = features_of(model, args.features)
    # A Pipeline takes its options on its last step (the classifier).
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    options = {id(final): {"zipmap": False}} if hasattr(final, "predict_proba") else None
    onnx_model = to_onnx(model, initial_types=[("input", FloatTensorType([None, features]))], options=options,
                         target_opset={"": 17, "ai.onnx.ml": 3})
    data = onnx_model.SerializeToString()
    with open(args.onnx, "wb") as handle:
        handle.write(data)

    rows = np.random.default_rng(7).normal(size=(args.rows, features)).astype(np.float32)
    session = onnxruntime.InferenceSession(data, providers=["CPUExecutionProvider"])
    outputs = session.run(None, {"input": rows})
    labels = np.asarray(outputs[0]).ravel()
    expected_labels = np.asarray(model.predict(rows)).ravel()
    if not np.array_equal(labels.astype(expected_labels.dtype), expected_labels):
        sys.exit(f"convert-sklearn: onnxruntime's labels differ from the estimator's on "
                 f"{int(np.sum(labels != expected_labels))} of {args.rows} rows")
    if hasattr(model, "predict_proba"):
        gap = float(np.max(np.abs(np.asarray(outputs[1]) - model.predict_proba(rows))))
        if gap > 1e-5:
            sys.exit(f"convert-sklearn: onnxruntime's probabilities differ from the estimator's by up to {gap:.3g}")
        print(f"convert-sklearn: {args.onnx}: onnxruntime agrees with the estimator on {args.rows} rows "
              f"(labels equal, probabilities within {gap:.2g})", file=sys.stderr)
    print(hashlib.sha256(data).hexdigest())


if __name__ == "__main__":
    main()
