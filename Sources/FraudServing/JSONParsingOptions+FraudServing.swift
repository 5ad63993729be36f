extension JSONParsingOptions {
    /// How fraud-server reads JSON (request bodies and model files): strict RFC 8259.
    ///
    /// # Guarantees
    /// - Invalid UTF-8, unpaired surrogates and a byte order mark are errors (400 for a
    ///   request body), never silently replaced.
    /// - Nesting deeper than 256 levels is refused, so no body can exhaust the stack.
    /// - Of repeated object members, the first wins.
    public static let fraudServing = JSONParsingOptions(
        duplicateKeys: .firstWins, maximumDepth: 256, rejectsInvalidUnicode: true, allowsByteOrderMark: false)

    /// XGBoost model files: ``fraudServing``, with fractional numbers rounded once from
    /// their text to `float32`, as XGBoost reads them (see ``JSONValue/modelFloat``).
    static let xgboostModel: JSONParsingOptions = {
        var options = JSONParsingOptions.fraudServing
        options.fractionalNumberPrecision = .float32
        return options
    }()
}

extension JSONValue {
    /// An integer as fraud-server reads them in model files and request bodies (XGBoost
    /// writes `"10"` and `true` for some): a JSON integer, a string holding one, or a
    /// boolean (1 or 0); `nil` for anything else, including `1.0` and `1e2`.
    public var lenientIntValue: Int? {
        switch self {
        case .int(let value): return Int(exactly: value)
        case .string(let text): return Int(text)
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// A `float32` as XGBoost writes them: a JSON number or a numeric string (`"5E-1"`),
    /// rounded once from its decimal text, as XGBoost does.
    ///
    /// Exact only for documents parsed with ``JSONParsingOptions/xgboostModel``, whose
    /// fractional numbers already hold their `Float`; an integer converts with one rounding.
    var modelFloat: Float? {
        switch self {
        case .int(let value): return Float(value)
        case .double(let value): return Float(value)
        case .string(let text):
            guard DecimalParser.parseDouble(Substring(text)) != nil else { return nil }
            return Float(text)
        default: return nil
        }
    }
}
