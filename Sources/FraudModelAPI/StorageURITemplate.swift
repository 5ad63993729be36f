/// A model storage URI with an optional `{version}` placeholder (`spec.model.storageUri`,
/// `spec.clusters[].model.storageUri`), e.g. `s3://fraud-models/fraud-detector/{version}/model.json`.
///
/// # Guarantees
/// - A template without problems (``problem(in:)`` nil) matches ``pattern``, the CRD's, and
///   resolves to a URI fraud-server's `MODEL_URI` accepts: `s3://BUCKET/KEY`,
///   `gs://BUCKET/OBJECT`, `https://HOST/PATH`, `http://HOST/PATH` or `file:///PATH`.
/// - It carries no credential: no user information, no query (a presigned URL is a
///   credential, and it expires); the pods authenticate with their workload identity.
public enum StorageURITemplate {
    /// The one placeholder: the revision's model version.
    public static let placeholder = "{version}"
    /// The schemes fraud-server downloads from.
    public static let schemes = ["s3", "gs", "https", "http", "file"]
    /// The longest template accepted: 2048 characters.
    public static let maximumLength = 2048
    /// The whole syntax as one regular expression (RE2 and Swift alike): the CRD's `pattern`.
    public static let pattern =
        #"^((s3|gs)://[A-Za-z0-9._-]+|https?://[^\s/{}?#@]+|file://)/([^\s{}?#]|\{version\})+$"#

    /// `template` with every `{version}` replaced by `version`.
    public static func resolve(_ template: String, version: String) -> String {
        template.replacing(placeholder, with: version)
    }

    /// What is wrong with `template`, as a sentence naming the part; nil when it is valid.
    public static func problem(in template: String) -> String? {
        let quoted = FraudModelValidation.quoted
        let shown = quoted(template)
        guard !template.isEmpty else { return "must not be empty" }
        guard template.count <= maximumLength else { return "must be at most \(maximumLength) characters, got \(template.count)" }
        if template.contains(where: { $0.isWhitespace || $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) }) {
            return "\(shown) contains whitespace or a control character"
        }
        if let stray = strayPlaceholder(in: template) {
            return "\(shown): only the \(placeholder) placeholder is allowed, found \(stray)"
        }
        guard let separator = template.range(of: "://"), schemes.contains(String(template[..<separator.lowerBound])) else {
            return "\(shown) must start with \(schemes.map { "\($0)://" }.joined(separator: ", "))"
        }
        let scheme = String(template[..<separator.lowerBound])
        let rest = template[separator.upperBound...]
        if template.contains("?") || template.contains("#") {
            return "\(shown) must not have a query or fragment: a presigned URL is a credential, and it expires; the pods authenticate with their workload identity"
        }
        switch scheme {
        case "s3", "gs":
            let bucket = rest.prefix { $0 != "/" }
            let key = rest.dropFirst(bucket.count + 1)
            if bucket.isEmpty { return "\(shown) has no bucket: expected \(scheme)://BUCKET/KEY" }
            if !bucket.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
                return "\(shown): \(quoted(String(bucket))) is not a bucket name (letters, digits, '.', '-', '_'; no placeholder)"
            }
            if key.isEmpty { return "\(shown) has no object key after the bucket: expected \(scheme)://BUCKET/KEY" }
        case "https", "http":
            let host = rest.prefix { $0 != "/" }
            if host.isEmpty { return "\(shown) has no host: expected \(scheme)://HOST/PATH" }
            if host.contains("{") { return "\(shown): the host \(quoted(String(host))) may not hold a placeholder" }
            if host.contains("@") {
                return "\(shown) must not carry user information (a credential); the pods authenticate with their workload identity"
            }
            if rest.dropFirst(host.count + 1).isEmpty { return "\(shown) has no path after the host: expected \(scheme)://HOST/PATH" }
        default:
            if !rest.hasPrefix("/") || rest.count < 2 { return "\(shown) needs an absolute path: expected file:///PATH" }
        }
        guard FraudModelValidation.matches(template, pattern) else {
            return "\(shown) is not a storage URI such as \"s3://fraud-models/fraud-detector/{version}/model.json\""
        }
        return nil
    }

    /// The first `{…}` other than `{version}`, or a lone brace; nil when there is none.
    private static func strayPlaceholder(in template: String) -> String? {
        let quoted = FraudModelValidation.quoted
        let rest = template.replacing(placeholder, with: "")
        guard let brace = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) else { return nil }
        guard rest[brace] == "{", let close = rest[brace...].firstIndex(of: "}") else { return quoted(String(rest[brace])) }
        return String(rest[brace...close])
    }
}
