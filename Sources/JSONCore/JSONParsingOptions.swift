/// How ``JSONValue/init(parsing:options:)`` reads a document.
///
/// The defaults (``default``) read JSON as Go's `encoding/json` and the Kubernetes API
/// server do; each option documents its default.
public struct JSONParsingOptions: Sendable, Hashable {
    /// What happens when an object names the same member twice.
    public enum DuplicateKeyPolicy: Sendable, Hashable {
        /// The last value wins, as in Go.
        case lastWins
        /// The first value wins and later ones are ignored.
        case firstWins
        /// The document is refused (the API server's strict decoding).
        case reject
    }

    /// The precision numbers with a fraction or an exponent are rounded to.
    public enum FractionalNumberPrecision: Sendable, Hashable {
        /// Rounded once, from the decimal text, to the nearest `Double`.
        case float64
        /// Rounded once, from the decimal text, to the nearest `Float`, and held as the
        /// `Double` equal to that `Float`, so `Float(value)` recovers it exactly. Readers of
        /// `float32` data (XGBoost model files) need this: rounding to `Double` first and
        /// then to `Float` can differ from XGBoost's own single rounding in the last bit.
        case float32
    }

    /// Repeated object keys. Defaults to ``DuplicateKeyPolicy/lastWins``.
    public var duplicateKeys: DuplicateKeyPolicy
    /// The deepest nesting of arrays and objects accepted; deeper documents are refused
    /// rather than risking the stack. Defaults to 512.
    public var maximumDepth: Int
    /// When true, strings must be valid UTF-8 and `\u` escapes must not leave a surrogate
    /// unpaired; when false, both become U+FFFD, as in Go. Defaults to false.
    public var rejectsInvalidUnicode: Bool
    /// When true, a UTF-8 byte order mark before the document is skipped (Go refuses it,
    /// but many tools write it); when false it is an error. Defaults to true.
    public var allowsByteOrderMark: Bool
    /// Numbers with a fraction or an exponent. Integers that fit in `Int64` are always
    /// ``JSONValue/int(_:)``. Defaults to ``FractionalNumberPrecision/float64``.
    public var fractionalNumberPrecision: FractionalNumberPrecision

    /// Options with the defaults each property documents.
    public init(
        duplicateKeys: DuplicateKeyPolicy = .lastWins,
        maximumDepth: Int = 512,
        rejectsInvalidUnicode: Bool = false,
        allowsByteOrderMark: Bool = true,
        fractionalNumberPrecision: FractionalNumberPrecision = .float64
    ) {
        self.duplicateKeys = duplicateKeys
        self.maximumDepth = maximumDepth
        self.rejectsInvalidUnicode = rejectsInvalidUnicode
        self.allowsByteOrderMark = allowsByteOrderMark
        self.fractionalNumberPrecision = fractionalNumberPrecision
    }

    /// Go-compatible reading: last duplicate wins, depth 512, lenient Unicode, BOM skipped.
    public static let `default` = JSONParsingOptions()
}
