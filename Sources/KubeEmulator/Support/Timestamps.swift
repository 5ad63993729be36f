import Foundation

/// The HTTP `Date` header value.
enum HTTPDate {
    static func now() -> String {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Random identifiers.
enum UUIDText {
    /// A lowercase UUID v4, as object UIDs look.
    static func random() -> String { UUID().uuidString.lowercased() }

    /// The five characters `generateName` appends (kube's alphabet without vowels and look-alikes).
    static func nameSuffix() -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        return String((0..<5).map { _ in alphabet.randomElement()! })
    }
}
