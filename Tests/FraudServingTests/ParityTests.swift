import FraudServing
import Testing

/// Parity is the definition of correct: every holdout row's prediction must match the
/// training library's own within 1e-6.
@Suite struct ParityTests {
    static let tolerance = 1e-6

    static let models = [
        "xgboost_binary.json", "xgboost_reglogistic.json", "xgboost_regression.json", "xgboost_multiclass.json",
        "lightgbm_binary.txt", "lightgbm_regression.txt", "lightgbm_zero_missing.txt", "lightgbm_no_missing.txt",
        "lightgbm_xentropy.txt",
    ]

    static func stem(_ model: String) -> String {
        String(model[..<model.lastIndex(of: ".")!])
    }

    /// Largest |Δ| between predicted rows and expected rows, over the rows `where` selects.
    static func maxDifference(_ predicted: [[Double]], _ expected: [[Double]], where include: (Int) -> Bool) -> Double {
        var worst = 0.0
        for (index, (row, reference)) in zip(predicted, expected).enumerated() where include(index) {
            for (value, want) in zip(row, reference) { worst = max(worst, abs(value - want)) }
        }
        return worst
    }

    @Test("batch predictions match the library on holdout rows with and without missing values", arguments: models)
    func batchParity(model name: String) throws {
        let model = try Fixtures.model(name)
        let rows = try Fixtures.csv("holdout.csv")
        let expected = try Fixtures.csv("\(Self.stem(name)).predictions.csv")
        #expect(rows.count == expected.count)
        #expect(expected.allSatisfy { $0.count == model.outputsPerRow })
        let predicted = model.predict(rows)
        let withMissing = Set(rows.indices.filter { rows[$0].contains(where: \.isNaN) })
        #expect(withMissing.count > 50 && withMissing.count < rows.count - 50, "fixture must cover both kinds of rows")
        let missingDelta = Self.maxDifference(predicted, expected) { withMissing.contains($0) }
        let completeDelta = Self.maxDifference(predicted, expected) { !withMissing.contains($0) }
        #expect(missingDelta <= Self.tolerance, "rows with missing values: max |Δ| \(missingDelta)")
        #expect(completeDelta <= Self.tolerance, "complete rows: max |Δ| \(completeDelta)")
    }

    @Test("single-row predictions equal batch predictions exactly", arguments: models)
    func singleRowMatchesBatch(model name: String) throws {
        let model = try Fixtures.model(name)
        let rows = try Fixtures.csv("holdout.csv")
        let batch = model.predict(rows)
        for (row, batchOutput) in zip(rows, batch) {
            var output = [Double](repeating: -1, count: model.outputsPerRow)
            row.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { model.predict(row: input, into: $0) }
            }
            #expect(output == batchOutput)
        }
    }

    @Test("rows sitting exactly on split thresholds, at ±0 and NaN match the library", arguments: models)
    func edgeRowParity(model name: String) throws {
        let model = try Fixtures.model(name)
        let rows = try Fixtures.csv("\(Self.stem(name)).edges.csv")
        let expected = try Fixtures.csv("\(Self.stem(name)).edges.predictions.csv")
        let delta = Self.maxDifference(model.predict(rows), expected) { _ in true }
        #expect(delta <= Self.tolerance, "max |Δ| \(delta)")
    }

    @Test("models report their format, task and width")
    func metadata() throws {
        let xgboost = try Fixtures.model("xgboost_binary.json")
        #expect(xgboost.format == .xgboostJSON)
        #expect(xgboost.task == .binaryClassification)
        #expect(xgboost.featureCount == 30)
        #expect(xgboost.treeCount == 60)
        let multiclass = try Fixtures.model("xgboost_multiclass.json")
        #expect(multiclass.task == .multiclassClassification(classes: 3))
        let lightgbm = try Fixtures.model("lightgbm_regression.txt")
        #expect(lightgbm.format == .lightgbmText)
        #expect(lightgbm.task == .regression)
        #expect(lightgbm.featureCount == 30)
    }
}
