import Crypto
import Foundation

/// The parts of an HTTP request that AWS Signature Version 4 covers.
public struct SigV4Request: Sendable {
    /// `GET`, `POST`, … (upper case).
    public var method: String
    /// The path as it is sent, percent-encoded (`/my%20model.onnx`); empty means `/`.
    public var path: String
    /// The query as it is sent, without the `?`; empty when there is none.
    public var query: String
    /// The headers to sign, `host` among them, in any case; a repeated name is allowed. Leave out
    /// `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` and `authorization`: the
    /// signer adds them.
    public var headers: [(name: String, value: String)]
    /// The lowercase hex SHA-256 of the body (``SigV4Signer/emptyPayloadHash`` for none).
    public var payloadHash: String

    public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], payloadHash: String = SigV4Signer.emptyPayloadHash) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.payloadHash = payloadHash
    }
}

/// A computed signature: the headers to add to the request, and the intermediate strings
/// (which hold no secret key, but do hold the session token) for tests and debugging.
public struct SigV4Signature: Sendable {
    /// The canonical request, as AWS documents it.
    public let canonicalRequest: String
    /// `AWS4-HMAC-SHA256`, the timestamp, the credential scope and the canonical request's hash.
    public let stringToSign: String
    /// The `Authorization` header's value.
    public let authorization: String
    /// The headers to add to the request: `X-Amz-Date`, `X-Amz-Content-SHA256` (when the signer
    /// sends it), `X-Amz-Security-Token` (with a session token) and `Authorization`.
    public let headers: [(name: String, value: String)]
}

/// AWS Signature Version 4 in the `Authorization` header (HMAC-SHA256), as specified in
/// "Create a signed AWS API request" and checked against AWS's published test suite.
///
/// # Guarantees
/// - Pure: no I/O, no clock; the same request, credentials and date give the same signature.
/// - Signs exactly the headers of the ``SigV4Request`` plus those it adds.
///
/// # Caveats
/// - Header values are trimmed and runs of spaces collapsed; obsolete line folding is not supported.
/// - Only header signing: no presigned URLs, no chunked (streaming) payload signatures.
public struct SigV4Signer: Sendable {
    /// The SHA-256 of an empty body.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The region of the credential scope (`us-east-1`).
    public let region: String
    /// The service of the credential scope (`s3`, `sts`).
    public let service: String
    /// Whether `.` and `..` segments and empty segments are removed from the path before signing.
    public let normalizesPath: Bool
    /// Whether the (already encoded) path is percent-encoded once more in the canonical request.
    public let encodesPathTwice: Bool
    /// Whether the payload hash is also sent, and signed, as `X-Amz-Content-SHA256`.
    public let sendsPayloadHash: Bool

    /// A signer with the service's rules. For `s3`: the path is signed as sent (not normalized, not
    /// encoded again) and `X-Amz-Content-SHA256` is sent, as S3 requires. For every other service
    /// the path is normalized and encoded twice, and the payload hash is not sent; each rule can
    /// be overridden.
    public init(region: String, service: String, normalizesPath: Bool? = nil, encodesPathTwice: Bool? = nil, sendsPayloadHash: Bool? = nil) {
        self.region = region
        self.service = service
        let isS3 = service == "s3"
        self.normalizesPath = normalizesPath ?? !isS3
        self.encodesPathTwice = encodesPathTwice ?? !isS3
        self.sendsPayloadHash = sendsPayloadHash ?? isS3
    }

    /// Signs `request` with `credentials` as of `date`.
    public func sign(_ request: SigV4Request, with credentials: AWSCredentials, at date: Date) -> SigV4Signature {
        let timestamp = Self.timestamp(date)
        var added = [(name: "X-Amz-Date", value: timestamp)]
        if sendsPayloadHash { added.append((name: "X-Amz-Content-SHA256", value: request.payloadHash)) }
        if let token = credentials.sessionToken { added.append((name: "X-Amz-Security-Token", value: token)) }

        let headers = Self.canonicalHeaders(request.headers + added)
        let signedHeaders = headers.map(\.name).joined(separator: ";")
        let canonicalRequest = [
            request.method,
            canonicalURI(request.path),
            Self.canonicalQuery(request.query),
            headers.map { "\($0.name):\($0.value)\n" }.joined(),
            signedHeaders,
            request.payloadHash,
        ].joined(separator: "\n")

        let day = String(timestamp.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", timestamp, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: signingKey(credentials.secretAccessKey, day: day)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            authorization: authorization,
            headers: added + [(name: "Authorization", value: authorization)]
        )
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(_ secret: String, day: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    /// The path, normalized and encoded again as this signer's rules say.
    func canonicalURI(_ path: String) -> String {
        var uri = path.isEmpty ? "/" : path
        if normalizesPath { uri = Self.removingDotSegments(uri) }
        return encodesPathTwice ? uri.objectStoreEncoded(keepingSlashes: true) : uri
    }

    /// RFC 3986 dot-segment removal that also drops empty segments, keeping a leading and a
    /// trailing slash (as botocore and aws-c-auth normalize).
    static func removingDotSegments(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                _ = segments.popLast()
            } else {
                segments.append(segment)
            }
        }
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return "/" + segments.joined(separator: "/") + trailing
    }

    /// Each name and value decoded, then RFC 3986-encoded, sorted by name then value, joined with `&`.
    static func canonicalQuery(_ query: String) -> String {
        func encoded(_ part: Substring) -> String {
            (part.removingPercentEncoding ?? String(part)).objectStoreEncoded(keepingSlashes: false)
        }
        let pairs = query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (name: encoded(parts[0]), value: parts.count > 1 ? encoded(parts[1]) : "")
        }
        return pairs
            .sorted { $0.name == $1.name ? precedes($0.value, $1.value) : precedes($0.name, $1.name) }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// Lowercased names in byte order; a repeated name's values joined with `,` in the order given;
    /// values trimmed, with runs of spaces collapsed to one.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> [(name: String, value: String)] {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let collapsed = value.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            values[name.trimmingCharacters(in: .whitespaces).lowercased(), default: []].append(collapsed)
        }
        return values.keys.sorted(by: precedes).map { (name: $0, value: values[$0]!.joined(separator: ",")) }
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return digits(parts.tm_year + 1900, 4) + digits(parts.tm_mon + 1, 2) + digits(parts.tm_mday, 2)
            + "T" + digits(parts.tm_hour, 2) + digits(parts.tm_min, 2) + digits(parts.tm_sec, 2) + "Z"
    }

    /// Byte-wise (code-unit) order, which AWS's sorting rules are defined in.
    private static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Lowercase hex.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
