import Foundation

/// Just enough XML for AWS's query and REST responses (STS credentials, S3 and STS errors):
/// the text of the first element with a given name.
///
/// # Caveats
/// - Not a parser: no namespace prefixes, no attributes on the searched element, no CDATA, no comments.
///   AWS's responses use none of these in the elements read here.
enum AWSXML {
    /// The raw content of the first `<name>…</name>` in `xml` (which may hold nested elements), or nil.
    static func element(_ name: String, in xml: Substring) -> Substring? {
        guard let open = xml.range(of: "<\(name)>"),
            let close = xml[open.upperBound...].range(of: "</\(name)>")
        else { return nil }
        return xml[open.upperBound..<close.lowerBound]
    }

    /// The text of the first `<name>…</name>` in `xml`, its entities decoded and whitespace
    /// trimmed; nil when there is no such element or it is empty.
    static func text(_ name: String, in xml: Substring) -> String? {
        guard let raw = element(name, in: xml) else { return nil }
        let text = unescaped(raw).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;`, `&#xN;` and `&amp;` decoded.
    static func unescaped(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var result = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
            let entity = rest[rest.index(after: amp)..<semicolon]
            let named: [Substring: String] = ["lt": "<", "gt": ">", "quot": "\"", "apos": "'", "amp": "&"]
            if let value = named[entity] {
                result += value
            } else if entity.hasPrefix("#"), let scalar = numericScalar(entity.dropFirst()) {
                result.unicodeScalars.append(scalar)
            } else {
                result += rest[amp...semicolon]
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }

    private static func numericScalar(_ digits: Substring) -> Unicode.Scalar? {
        let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
        return value.flatMap(Unicode.Scalar.init)
    }
}
