#!/usr/bin/env python3
"""Helpers of hack/bench/model-download.sh.

  make OUT_DIR           an XGBoost fraud classifier (30 features) of about 590 KB, and one of
                         about 50 MB, as model-small.json and model-large.json
  upload ENDPOINT FILE…  put each FILE in the bucket `bench` of the S3 endpoint (moto)
  peer ENDPOINT KEY      the Python way, timed from process start: boto3 downloads the object,
                         xgboost loads it; prints the seconds from start to a loaded model
"""
import sys
import time

STARTED = time.monotonic()


def make(out):
    import copy
    import json
    import numpy as np
    import xgboost as xgb
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20000, 30))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + rng.normal(scale=0.5, size=20000) > 0.8).astype(float)
    params = {"objective": "binary:logistic", "tree_method": "hist", "nthread": 2, "seed": 7,
              "max_depth": 8, "min_child_weight": 0, "lambda": 0.01, "subsample": 0.5}
    booster = xgb.train(params, xgb.DMatrix(x, label=y), num_boost_round=33)  # ~590 KB
    booster.save_model(f"{out}/model-small.json")
    # ~50 MB: the same trees repeated (training that many full trees takes minutes); a valid
    # model that XGBoost itself loads, only bigger.
    with open(f"{out}/model-small.json") as handle:
        document = json.load(handle)
    model = document["learner"]["gradient_booster"]["model"]
    base = model["trees"]
    trees = []
    while len(trees) * 1.0 < len(base) * 98:
        for tree in base:
            clone = copy.deepcopy(tree)
            clone["id"] = len(trees)
            trees.append(clone)
    model["trees"] = trees
    model["tree_info"] = [0] * len(trees)
    model["iteration_indptr"] = list(range(len(trees) + 1))
    model["gbtree_model_param"]["num_trees"] = str(len(trees))
    with open(f"{out}/model-large.json", "w") as handle:
        json.dump(document, handle, separators=(",", ":"))


def client(endpoint):
    import boto3
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench-secret")


def upload(endpoint, files):
    s3 = client(endpoint)
    s3.create_bucket(Bucket="bench")
    for path in files:
        with open(path, "rb") as body:
            s3.put_object(Bucket="bench", Key=path.rsplit("/", 1)[-1], Body=body)


def peer(endpoint, key):
    import tempfile
    import xgboost as xgb
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.json"
        client(endpoint).download_file("bench", key, path)
        booster = xgb.Booster()
        booster.load_model(path)
    print(f"{time.monotonic() - STARTED:.4f}")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"make": lambda: make(*args), "upload": lambda: upload(args[0], args[1:]), "peer": lambda: peer(*args)}[command]()
