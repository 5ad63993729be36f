import FraudServing
import TandemTestSupport
import Testing

/// The ONNX loader's fuzz target: exported and crafted fixture models, truncated and mutated
/// the ways protobuf files get damaged or crafted, either load or throw ``ModelLoadError``
/// naming the file — and a model that loads predicts. Nothing may trap. Seeded, so a failing
/// round reproduces; bounded to a few seconds.
@Suite struct ONNXModelFuzzTests {
    static let fixtures = [
        "random_forest.onnx", "random_forest_multiclass.onnx", "xgboost.onnx", "lightgbm.onnx",
        "crafted_regressor_average.onnx", "crafted_multiclass_softmax_zero.onnx",
        "logistic_regression_imputed.onnx", "logistic_regression_selected.onnx", "ridge_regressor.onnx",
        "dense_logistic_binary.onnx", "dense_softmax_multiclass.onnx", "tree_ensemble_modes.onnx", "tree_ensemble_softmax.onnx",
    ]
    static let roundsPerFixture = 300

    /// Bytes that matter in protobuf: varint continuation and end, zero, field tags of the
    /// ONNX messages' repeated fields, and the bytes of float NaN / infinity.
    static let edgeBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x08, 0x0A, 0x12, 0x1A, 0x22, 0x3A, 0x42, 0xC0, 0x7F]
    static let edgeFloats: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1e38, 4097, 16_777_216, -1]

    enum Mutation: CaseIterable {
        case flipByte, truncate, setByte, setFloat, duplicateRange, deleteRange
    }

    @Test("truncated and mutated ONNX models load or throw ModelLoadError, never trap", arguments: fixtures)
    func mutatedModels(fixture: String) throws {
        let original = try ModelLoader.readFile(Fixtures.path("onnx/" + fixture))
        var random = SplitMix(seed: fixture.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })
        var loaded = 0
        var refused = 0
        for _ in 0..<Self.roundsPerFixture {
            var bytes = original
            for _ in 0...random.next(below: 3) { bytes = mutate(bytes, using: &random) }
            do throws(ModelLoadError) {
                let model = try ModelLoader.load(bytes: bytes, format: random.next(below: 2) == 0 ? nil : .onnx, file: fixture)
                loaded += 1
                guard model.featureCount <= 1000 else { continue }
                let rows = [
                    [Double](repeating: 0.3, count: model.featureCount),
                    [Double](repeating: .nan, count: model.featureCount),
                    [Double](repeating: .infinity, count: model.featureCount),
                ]
                #expect(model.predict(rows).allSatisfy { $0.count == model.outputsPerRow })
            } catch {
                refused += 1
                #expect(error.description.contains(fixture), "\(error)")
            }
        }
        #expect(loaded > 0, "no mutation kept \(fixture) loadable: inference went untested")
        #expect(refused > 0, "no mutation was refused: the loader checked nothing")
    }

    @Test("every prefix of an ONNX model loads or is refused, never traps")
    func everyTruncation() throws {
        let original = try ModelLoader.readFile(Fixtures.path("onnx/xgboost.onnx"))
        for length in 0..<original.count {
            do throws(ModelLoadError) {
                _ = try ModelLoader.load(bytes: Array(original[..<length]), format: .onnx, file: "xgboost.onnx")
            } catch {
                #expect(error.file == "xgboost.onnx")
            }
        }
    }

    func mutate(_ input: [UInt8], using random: inout SplitMix) -> [UInt8] {
        guard !input.isEmpty else { return input }
        var bytes = input
        switch random.pick(Mutation.allCases) {
        case .flipByte:
            bytes[random.next(below: bytes.count)] ^= UInt8(1 << random.next(below: 8))
        case .truncate:
            bytes.removeSubrange(random.next(below: bytes.count)...)
        case .setByte:
            bytes[random.next(below: bytes.count)] = random.pick(Self.edgeBytes)
        case .setFloat:
            guard bytes.count >= 4 else { break }
            let start = random.next(below: bytes.count - 3)
            let bits = random.pick(Self.edgeFloats).bitPattern
            for offset in 0..<4 { bytes[start + offset] = UInt8(truncatingIfNeeded: bits >> (8 * offset)) }
        case .duplicateRange, .deleteRange:
            let start = random.next(below: bytes.count)
            let end = min(bytes.count, start + 1 + random.next(below: 64))
            if random.next(below: 2) == 0 {
                bytes.insert(contentsOf: bytes[start..<end], at: random.next(below: bytes.count))
            } else {
                bytes.removeSubrange(start..<end)
            }
        }
        return bytes
    }
}
