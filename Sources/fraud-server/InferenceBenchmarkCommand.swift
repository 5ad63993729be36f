import ArgumentParser
import FraudServing

/// `fraud-server benchmark`: times inference alone, on one thread, for single rows and
/// batches, and prints one JSON line (nanoseconds per row, medians of `--repeats`).
///
/// hack/bench/inference.sh compares it with XGBoost's `inplace_predict` on the same rows.
struct InferenceBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark", abstract: "Time inference alone (single rows and batches) on one thread.")

    @Option(help: "Model file.")
    var modelPath: String

    @Option(help: "CSV of feature rows (empty cell = missing).")
    var rows: String

    @Option(help: "Rows per batch.")
    var batch = 1000

    @Option(help: "Single-row predictions per timing.")
    var singleCalls = 100_000

    @Option(help: "Batches per timing.")
    var batchCalls = 200

    @Option(help: "Timings; the median is reported.")
    var repeats = 7

    func run() throws {
        let model = try ModelLoader.load(path: modelPath)
        let text = String(decoding: try ModelLoader.readFile(rows), as: UTF8.self)
        var table: [[Double]] = []
        for line in text.split(separator: "\n") {
            table.append(line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.isEmpty ? .nan : DecimalParser.parseDouble($0) ?? .nan
            })
        }
        guard !table.isEmpty, table.allSatisfy({ $0.count == model.featureCount }) else {
            throw ValidationError("\(rows) must hold rows of \(model.featureCount) values")
        }
        let batchRows = (0..<batch).flatMap { table[$0 % table.count] }
        let flatRows = table.flatMap { $0 }
        var output = [Double](repeating: 0, count: batch * model.outputsPerRow)
        var checksum = 0.0
        let clock = ContinuousClock()

        func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

        var single: [Double] = []
        var batched: [Double] = []
        for _ in 0..<repeats {
            let elapsed = flatRows.withUnsafeBufferPointer { all in
                output.withUnsafeMutableBufferPointer { out in
                    clock.measure {
                        for call in 0..<singleCalls {
                            let start = (call % table.count) * model.featureCount
                            model.predict(
                                row: UnsafeBufferPointer(rebasing: all[start..<start + model.featureCount]), into: out)
                        }
                    }
                }
            }
            checksum += output[0]
            single.append(nanoseconds(elapsed) / Double(singleCalls))
            let batchElapsed = batchRows.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    clock.measure {
                        for _ in 0..<batchCalls { model.predict(rows: input, rowCount: batch, into: out) }
                    }
                }
            }
            checksum += output[batch - 1]
            batched.append(nanoseconds(batchElapsed) / Double(batchCalls * batch))
        }
        print(
            "{\"model\":\"\(modelPath)\",\"trees\":\(model.treeCount),\"single_row_ns\":\(median(single)),"
                + "\"batch\":\(batch),\"batch_ns_per_row\":\(median(batched)),\"checksum\":\(checksum)}")
    }

    private func nanoseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
