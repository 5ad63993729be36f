#!/usr/bin/env python3
"""Times onnxruntime on one thread the way `fraud-server benchmark` times itself; prints one JSON line.

Usage: hack/bench/onnx_runtime.py --model M.onnx --rows ROWS.csv [--batch 1000]
           [--single-calls N] [--batch-calls N] [--repeats N]

Mirrors Sources/fraud-server/InferenceBenchmarkCommand.swift: the same CSV parsing (an empty cell is
NaN), single rows cycled as `call % rows`, a batch of `--batch` rows made of rows `i % rows`, and per
repeat one timing of `--single-calls` single-row predictions then one of `--batch-calls` batches; the
reported value is the median (element count/2 of the sorted timings) of `--repeats`, in ns per row.
onnxruntime runs with the CPUExecutionProvider, intra_op_num_threads=1, inter_op_num_threads=1,
sequential execution and its default (full) graph optimisation, and computes every output of the
graph (label and probabilities, as fraud-server does). A ZipMap ending the graph (skl2onnx's default,
as in most committed fixtures) is removed first, so the probabilities stay one tensor as
hack/convert-sklearn.py exports them and fraud-server computes them: otherwise onnxruntime would
build one Python dict per row, which fraud-server never does. Inputs are float32 arrays made before
timing (the model's input type); fraud-server's timing includes its own Double->Float conversion.
"""

import argparse
import json
import math
import time

import numpy as np
import onnx
import onnxruntime as ort


def without_zipmap(model: onnx.ModelProto) -> onnx.ModelProto:
    """The graph with each ZipMap that gives a graph output removed: its input tensor (the
    probabilities, float [N, classes]) becomes that output."""
    outputs = {output.name: output for output in model.graph.output}
    for node in [n for n in model.graph.node if n.op_type == "ZipMap" and n.output[0] in outputs]:
        model.graph.node.remove(node)
        output = outputs[node.output[0]]
        replacement = onnx.helper.make_tensor_value_info(node.input[0], onnx.TensorProto.FLOAT, [None, None])
        model.graph.output.insert(list(model.graph.output).index(output), replacement)
        model.graph.output.remove(output)
    return model


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--batch", type=int, default=1000)
    # The defaults are fraud-server benchmark's.
    parser.add_argument("--single-calls", type=int, default=100_000)
    parser.add_argument("--batch-calls", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    table = np.array([[math.nan if c == "" else float(c) for c in line.split(",")]
                      for line in open(args.rows).read().splitlines() if line])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # onnxmltools declares LightGBM's label as shape [1]: onnxruntime warns on every batch run.
    options.log_severity_level = 3
    model = without_zipmap(onnx.load(args.model))
    session = ort.InferenceSession(model.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    width = session.get_inputs()[0].shape[-1]
    if isinstance(width, int) and width != table.shape[1]:
        raise SystemExit(f"{args.rows} has {table.shape[1]} columns, {args.model} takes {width}")

    batch = {name: np.ascontiguousarray(table[np.arange(args.batch) % len(table)], dtype=np.float32)}
    singles = [{name: np.ascontiguousarray(table[i:i + 1], dtype=np.float32)} for i in range(len(table))]
    run = session.run
    run(None, batch)  # warm-up
    for feed in singles:
        run(None, feed)

    single, batched = [], []
    count = len(singles)
    for _ in range(args.repeats):
        start = time.perf_counter_ns()
        for call in range(args.single_calls):
            run(None, singles[call % count])
        single.append((time.perf_counter_ns() - start) / args.single_calls)
        start = time.perf_counter_ns()
        for _ in range(args.batch_calls):
            run(None, batch)
        batched.append((time.perf_counter_ns() - start) / (args.batch_calls * args.batch))
    print(json.dumps({"model": args.model, "single_row_ns": sorted(single)[len(single) // 2],
                      "batch": args.batch, "batch_ns_per_row": sorted(batched)[len(batched) // 2],
                      "onnxruntime": ort.__version__}))


if __name__ == "__main__":
    main()
