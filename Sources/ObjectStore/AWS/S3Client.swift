import AsyncHTTPClient
import Foundation
import NIOCore

/// Amazon S3 (or an S3-compatible store) through a SigV4-signed `GetObject`, without an AWS SDK.
///
/// Addressing:
/// - a custom endpoint (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`): path-style,
///   `ENDPOINT/BUCKET/KEY`, as MinIO, moto and most S3-compatible stores want;
/// - otherwise virtual-hosted, `https://BUCKET.s3.REGION.amazonaws.com/KEY`, or path-style
///   `https://s3.REGION.amazonaws.com/BUCKET/KEY` for a bucket name that is not a DNS label
///   (dots, capitals, underscores), which TLS or DNS would reject.
///
/// Keys are percent-encoded per RFC 3986 segment by segment (slashes kept) and signed as sent.
public struct S3Client: ObjectStoreClient {
    /// Where credentials come from; its ``AWSCredentialChain/region`` is the signing region.
    public let credentials: AWSCredentialChain
    /// The custom endpoint, or nil for AWS's.
    let endpoint: AWSEndpointURL?

    /// A client signing with `credentials`, its endpoint from `environment`
    /// (`AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else AWS's).
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) when the endpoint variable is not an http(s) URL.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, credentials: AWSCredentialChain) throws(ObjectStoreError) {
        self.credentials = credentials
        endpoint = try AWSEnvironment.customEndpoint(service: "S3", in: environment).map { (url, variable) throws(ObjectStoreError) in
            try AWSEndpointURL(url, variable: variable)
        }
    }

    /// A client with a credential chain of its own reading `environment`. Share one
    /// ``AWSCredentialChain`` between clients instead where credentials should be cached across them.
    /// - Throws: ``ObjectStoreError`` (`.invalidURI`) when the endpoint variable is not an http(s) URL.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = .shared) throws(ObjectStoreError) {
        try self.init(environment: environment, credentials: AWSCredentialChain(environment: environment, httpClient: httpClient))
    }

    /// The signed `GetObject` of an `s3://` object.
    /// - Throws: ``ObjectStoreError``: `.invalidURI` for a URI that is not `s3://`; `.credentials`
    ///   when no credentials could be obtained.
    public func getRequest(_ uri: ObjectURI) async throws(ObjectStoreError) -> HTTPClientRequest {
        guard case .s3(let bucket, let key) = uri else {
            throw ObjectStoreError(.invalidURI, "the S3 client cannot fetch '\(uri)': expected s3://BUCKET/KEY")
        }
        return signedGet(bucket: bucket, key: key, credentials: try await credentials.credentials(), at: Date())
    }

    /// The credential chain's identity.
    public func identity() async -> String { await credentials.identity() }

    /// S3's XML error `Code: Message` (with the `Region` or `Endpoint` a redirect or a
    /// wrong-region error names); nil for a body that is not an S3 error. Nothing else of the body
    /// is quoted: a `SignatureDoesNotMatch` body repeats the canonical request, session token included.
    public func errorDetail(status: Int, body: ByteBuffer) -> String? {
        guard let error = Self.s3Error(in: body) else { return nil }
        var detail = [error.code, AWSXML.text("Message", in: error.element)].compactMap { $0 }.joined(separator: ": ")
        if let region = AWSXML.text("Region", in: error.element) { detail += " (region \(region))" }
        if let endpoint = AWSXML.text("Endpoint", in: error.element) { detail += " (endpoint \(endpoint))" }
        return detail
    }

    /// `.accessDenied` for the error codes of credentials S3 does not accept, whichever status
    /// they come with (400: `InvalidToken`, `ExpiredToken`, `AuthorizationHeaderMalformed`; 403:
    /// `InvalidAccessKeyId`, `SignatureDoesNotMatch`), so that they are not retried; else nil.
    public func failureKind(status: Int, body: ByteBuffer) -> ObjectStoreError.Kind? {
        guard let code = Self.s3Error(in: body)?.code else { return nil }
        return Self.credentialErrorCodes.contains(code) ? .accessDenied : nil
    }

    /// The `<Error>` element of an S3 error body and its `Code`, or nil for another body.
    private static func s3Error(in body: ByteBuffer) -> (element: Substring, code: String)? {
        let text = String(buffer: body)
        guard let error = AWSXML.element("Error", in: text[...]), let code = AWSXML.text("Code", in: error) else { return nil }
        return (error, code)
    }

    /// S3's error codes for a key, session token or signature it does not accept.
    static let credentialErrorCodes: Set<String> = [
        "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed", "InvalidAccessKeyId", "SignatureDoesNotMatch",
    ]

    /// The GET of `key` in `bucket`, signed with `credentials` as of `date`.
    func signedGet(bucket: String, key: String, credentials: AWSCredentials, at date: Date) -> HTTPClientRequest {
        let encodedKey = key.objectStoreEncoded(keepingSlashes: true)
        let encodedBucket = bucket.objectStoreEncoded(keepingSlashes: false)
        let region = self.credentials.region
        let (scheme, host, path): (String, String, String)
        if let endpoint {
            (scheme, host, path) = (endpoint.scheme, endpoint.hostHeader, "\(endpoint.basePath)/\(encodedBucket)/\(encodedKey)")
        } else if Self.isVirtualHostable(bucket) {
            (scheme, host, path) = ("https", "\(bucket).s3.\(region).\(AWSEnvironment.dnsSuffix(region: region))", "/\(encodedKey)")
        } else {
            (scheme, host, path) = ("https", "s3.\(region).\(AWSEnvironment.dnsSuffix(region: region))", "/\(encodedBucket)/\(encodedKey)")
        }
        let signature = SigV4Signer(region: region, service: "s3")
            .sign(SigV4Request(method: "GET", path: path, headers: [(name: "Host", value: host)]), with: credentials, at: date)
        var request = HTTPClientRequest(url: "\(scheme)://\(host)\(path)")
        request.headers.add(name: "Host", value: host)
        for header in signature.headers { request.headers.add(name: header.name, value: header.value) }
        return request
    }

    /// Whether `bucket` can be a DNS label under `s3.REGION.amazonaws.com`: 3 to 63 lowercase
    /// letters, digits and hyphens, starting and ending with a letter or digit.
    static func isVirtualHostable(_ bucket: String) -> Bool {
        let alphanumeric = { (c: Character) in c.isASCII && (c.isLowercase || c.isNumber) }
        return (3...63).contains(bucket.count)
            && bucket.allSatisfy { alphanumeric($0) || $0 == "-" }
            && bucket.first.map(alphanumeric) == true && bucket.last.map(alphanumeric) == true
    }
}
