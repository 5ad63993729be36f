import FraudServing
import Testing

/// Reads the committed parity fixtures written by hack/fixtures/make_models.py.
enum Fixtures {
    static let directory: String = {
        var path = #filePath
        while let last = path.last, last != "/" { path.removeLast() }
        return path + "Fixtures/"
    }()

    static func path(_ name: String) -> String { directory + name }

    /// Parses a CSV of numbers; an empty cell is a missing value (NaN); `inf` and `-inf`
    /// (Python's spelling) are infinities.
    static func csv(_ name: String) throws -> [[Double]] {
        let bytes = try ModelLoader.readFile(path(name))
        let text = String(decoding: bytes, as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            try line.split(separator: ",", omittingEmptySubsequences: false).map { cell in
                if cell.isEmpty { return Double.nan }
                if cell == "inf" || cell == "-inf" { return cell.hasPrefix("-") ? -Double.infinity : .infinity }
                return try #require(DecimalParser.parseDouble(cell), "bad number '\(cell)' in \(name)")
            }
        }
    }

    static func model(_ name: String) throws -> TreeModel {
        try ModelLoader.load(path: path(name))
    }
}
