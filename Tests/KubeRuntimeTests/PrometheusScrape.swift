/// A parsed Prometheus text exposition (format 0.0.4), enough for tests to assert on series by
/// name and labels rather than on substrings.
struct PrometheusScrape {
    /// One sample: `name{label="value",…} value`.
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// Every sample, in exposition order.
    private(set) var samples: [Sample] = []
    /// The `# TYPE` of each metric family.
    private(set) var types: [String: String] = [:]

    /// Parses `text`; lines that are not samples or `# TYPE` are skipped.
    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
            } else if !line.hasPrefix("#"), let sample = Self.sample(line) {
                samples.append(sample)
            }
        }
    }

    /// The samples named `name`.
    func samples(_ name: String) -> [Sample] { samples.filter { $0.name == name } }

    private static func sample(_ line: Substring) -> Sample? {
        var labels: [String: String] = [:]
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = String(rest[..<nameEnd])
        rest = rest[nameEnd...]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while let equals = rest.firstIndex(of: "=") {
                let key = String(rest[..<equals]).trimmingPrefix(",")
                rest = rest[rest.index(after: equals)...].dropFirst()  // `="`
                var value = ""
                var escaped = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
                labels[String(key)] = value
                if rest.first == "}" { break }
            }
            rest = rest.drop { $0 != " " }
        }
        guard let value = rest.split(separator: " ").first.flatMap({ Double($0) }) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }
}
