import Foundation

/// Where a model file lives: `s3://bucket/key`, `gs://bucket/object`, `https://…` or `file://…`
/// (`http://` too, for local emulators and in-cluster stores).
public enum ObjectURI: Sendable, Hashable, CustomStringConvertible {
    /// An object in Amazon S3 (or an S3-compatible store at a custom endpoint).
    case s3(bucket: String, key: String)
    /// An object in Google Cloud Storage.
    case gcs(bucket: String, object: String)
    /// A plain HTTP(S) URL, fetched without credentials.
    case http(URL)
    /// A file on this machine.
    case file(path: String)

    /// Parses a storage URI.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) naming what is wrong with `text`.
    public init(parsing text: String) throws(ObjectStoreError) {
        func invalid(_ why: String) -> ObjectStoreError {
            let shown = Self.loggable(text)
            return ObjectStoreError(.invalidURI, "storage URI '\(shown)': \(why)")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw invalid("expected s3://BUCKET/KEY, gs://BUCKET/OBJECT, https://… or file:///PATH")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        switch scheme {
        case "s3", "gs":
            guard let slash = rest.firstIndex(of: "/") else { throw invalid("no object key after the bucket") }
            let bucket = String(rest[..<slash])
            let key = String(rest[rest.index(after: slash)...])
            guard !bucket.isEmpty else { throw invalid("the bucket name is empty") }
            guard !key.isEmpty else { throw invalid("the object key is empty") }
            guard bucket.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_" }), bucket.count <= 222 else {
                throw invalid("'\(bucket)' is not a bucket name (letters, digits, '-', '.', '_')")
            }
            self = scheme == "s3" ? .s3(bucket: bucket, key: key) : .gcs(bucket: bucket, object: key)
        case "https", "http":
            guard let url = URL(string: text), url.host != nil else { throw invalid("not a URL with a host") }
            self = .http(url)
        case "file":
            guard rest.hasPrefix("/") else { throw invalid("a file URI needs an absolute path (file:///path)") }
            self = .file(path: rest.removingPercentEncoding ?? rest)
        default:
            throw invalid("unsupported scheme '\(scheme)' (s3, gs, https, http, file)")
        }
    }

    public var description: String {
        switch self {
        case .s3(let bucket, let key): "s3://\(bucket)/\(key)"
        case .gcs(let bucket, let object): "gs://\(bucket)/\(object)"
        case .http(let url): Self.redacted(url)
        case .file(let path): "file://\(path)"
        }
    }

    /// A URI as typed, fit for logs and errors: without user information or query.
    public static func loggable(_ text: String) -> String {
        URL(string: text).map(redacted) ?? "<unparseable URI>"
    }

    /// A URL as it may be logged: no user information, and no query (a presigned URL's
    /// query is a credential).
    static func redacted(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<unparseable URL>" }
        parts.user = nil
        parts.password = nil
        let hadQuery = parts.query != nil
        parts.query = nil
        return (parts.string ?? "<unparseable URL>") + (hadQuery ? "?…" : "")
    }
}

extension String {
    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when
    /// `keepingSlashes`): how SigV4 and the GCS JSON API want object names in a path.
    public func objectStoreEncoded(keepingSlashes: Bool) -> String {
        var allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        if keepingSlashes { allowed.insert("/") }
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
