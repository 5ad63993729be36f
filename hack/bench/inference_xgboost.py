#!/usr/bin/env python3
"""Times XGBoost's own inplace_predict on one thread; prints one JSON line (ns/row)."""

import argparse
import json
import math
import time

import numpy as np
import xgboost as xgb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--single-calls", type=int, default=20000)
    parser.add_argument("--batch-calls", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    table = np.array([[math.nan if c == "" else float(c) for c in line.split(",")]
                      for line in open(args.rows).read().splitlines()])
    booster = xgb.Booster(model_file=args.model)
    booster.set_param({"nthread": 1})
    batch = np.ascontiguousarray(table[np.arange(args.batch) % len(table)])
    singles = [np.ascontiguousarray(table[i:i + 1]) for i in range(len(table))]
    booster.inplace_predict(batch)  # warm-up

    single, batched = [], []
    for _ in range(args.repeats):
        start = time.perf_counter_ns()
        for call in range(args.single_calls):
            booster.inplace_predict(singles[call % len(singles)])
        single.append((time.perf_counter_ns() - start) / args.single_calls)
        start = time.perf_counter_ns()
        for _ in range(args.batch_calls):
            booster.inplace_predict(batch)
        batched.append((time.perf_counter_ns() - start) / (args.batch_calls * args.batch))
    print(json.dumps({"single_row_ns": sorted(single)[len(single) // 2],
                      "batch_ns_per_row": sorted(batched)[len(batched) // 2],
                      "xgboost": xgb.__version__}))


if __name__ == "__main__":
    main()
