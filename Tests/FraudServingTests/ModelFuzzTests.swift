import FraudServing
import TandemTestSupport
import Testing

/// The loaders' fuzz target: valid fixture models, mutated the ways files get damaged or
/// crafted, either load or throw ``ModelLoadError`` — and a model that loads predicts.
/// Nothing may trap. Seeded, so a failing round reproduces; bounded to a few seconds.
@Suite struct ModelFuzzTests {
    static let fixtures = [
        "xgboost_reglogistic.json", "xgboost_multiclass.json", "lightgbm_xentropy.txt", "lightgbm_regression.txt",
    ]
    static let roundsPerFixture = 150

    /// Numbers on the edges the loaders must check: signs, 32- and 64-bit limits, the
    /// model limits, non-finite values, and tokens that are not numbers at all.
    static let edgeNumbers = [
        "-1", "0", "1", "2", "-2", "2147483647", "2147483648", "-2147483649", "4294967296", "9223372036854775807",
        "-9223372036854775808", "99999999999999999999", "1e308", "-1e400", "1e-400", "0.5", "4097", "16777216",
        "nan", "inf", "-inf", "\"7\"", "true", "null", "[]",
    ].map { Array($0.utf8) }

    enum Mutation: CaseIterable {
        case flipByte, truncate, replaceNumber, swapPieces, duplicatePiece, deletePiece
    }

    @Test("mutated fixture models load or throw ModelLoadError, never trap", arguments: fixtures)
    func mutatedModels(fixture: String) throws {
        let original = try ModelLoader.readFile(Fixtures.path(fixture))
        var random = SplitMix(seed: fixture.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })
        var loaded = 0
        for _ in 0..<Self.roundsPerFixture {
            var bytes = original
            for _ in 0...random.next(below: 3) { bytes = mutate(bytes, using: &random) }
            do throws(ModelLoadError) {
                let model = try ModelLoader.load(bytes: bytes, format: nil, file: fixture)
                loaded += 1
                guard model.featureCount <= 1000 else { continue }
                let rows = [
                    [Double](repeating: 0.3, count: model.featureCount),
                    [Double](repeating: .nan, count: model.featureCount),
                ]
                #expect(model.predict(rows).allSatisfy { $0.count == model.outputsPerRow })
            } catch {
                #expect(error.description.contains(fixture), "\(error)")
            }
        }
        #expect(loaded > 0, "no mutation kept \(fixture) loadable: inference went untested")
    }

    /// One random mutation. "Pieces" are lines of LightGBM text and comma-separated
    /// stretches of XGBoost JSON (whose fixtures are one line).
    func mutate(_ input: [UInt8], using random: inout SplitMix) -> [UInt8] {
        guard !input.isEmpty else { return input }
        var bytes = input
        let separator = bytes.contains(UInt8(ascii: "\n")) ? UInt8(ascii: "\n") : UInt8(ascii: ",")
        let mutation = random.pick(Mutation.allCases)
        switch mutation {
        case .flipByte:
            bytes[random.next(below: bytes.count)] ^= UInt8(1 << random.next(below: 8))
        case .truncate:
            bytes.removeSubrange(random.next(below: bytes.count)...)
        case .replaceNumber:
            // The first number at or after a random place.
            guard let start = bytes[random.next(below: bytes.count)...].firstIndex(where: Self.isDigit) else { break }
            var lower = start
            if lower > 0 && bytes[lower - 1] == UInt8(ascii: "-") { lower -= 1 }
            var upper = start
            while upper < bytes.count && (Self.isDigit(bytes[upper]) || "eE.+-".utf8.contains(bytes[upper])) { upper += 1 }
            bytes.replaceSubrange(lower..<upper, with: random.pick(Self.edgeNumbers))
        case .swapPieces, .duplicatePiece, .deletePiece:
            var pieces = bytes.split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
            let first = random.next(below: pieces.count)
            let second = random.next(below: pieces.count)
            switch mutation {
            case .swapPieces: pieces.swapAt(first, second)
            case .duplicatePiece: pieces.insert(pieces[first], at: second)
            default: pieces.remove(at: first)
            }
            bytes = Array(pieces.joined(separator: [separator]))
        }
        return bytes
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
