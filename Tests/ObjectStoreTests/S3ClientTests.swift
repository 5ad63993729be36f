import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@testable import ObjectStore

@Suite("S3 client requests")
struct S3ClientTests {
    let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_800_000_000)

    func client(_ environment: [String: String]) throws -> S3Client {
        try S3Client(environment: environment, credentials: AWSCredentialChain(environment: environment, httpClient: .shared))
    }

    @Test("by default a bucket is a virtual host of the regional endpoint and the key is encoded per segment")
    func virtualHosted() throws {
        let request = try client(["AWS_REGION": "eu-west-1"]).signedGet(bucket: "models", key: "fraud/v1 model+ü~.onnx", credentials: keys, at: date)
        #expect(request.url == "https://models.s3.eu-west-1.amazonaws.com/fraud/v1%20model%2B%C3%BC~.onnx")
        #expect(request.method == .GET)
        #expect(request.headers.first(name: "Host") == "models.s3.eu-west-1.amazonaws.com")
        #expect(request.headers.first(name: "X-Amz-Content-SHA256") == SigV4Signer.emptyPayloadHash)
        #expect(request.headers.first(name: "X-Amz-Date") == "20270115T080000Z")
        #expect(request.headers.first(name: "X-Amz-Security-Token") == nil)
        let authorization = try #require(request.headers.first(name: "Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20270115/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="))
    }

    @Test("a bucket that is not a DNS label is addressed path-style")
    func pathStyleForDottedBuckets() throws {
        let s3 = try client(["AWS_REGION": "us-west-2"])
        #expect(s3.signedGet(bucket: "my.models", key: "m.onnx", credentials: keys, at: date).url == "https://s3.us-west-2.amazonaws.com/my.models/m.onnx")
        #expect(s3.signedGet(bucket: "My_Models", key: "m.onnx", credentials: keys, at: date).url == "https://s3.us-west-2.amazonaws.com/My_Models/m.onnx")
    }

    @Test("China regions use amazonaws.com.cn")
    func chinaRegions() throws {
        let request = try client(["AWS_REGION": "cn-north-1"]).signedGet(bucket: "models", key: "m.onnx", credentials: keys, at: date)
        #expect(request.url == "https://models.s3.cn-north-1.amazonaws.com.cn/m.onnx")
    }

    @Test("a custom endpoint is path-style; AWS_ENDPOINT_URL_S3 wins over AWS_ENDPOINT_URL")
    func customEndpoint() throws {
        let generic = try client(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000/"])
        let request = generic.signedGet(bucket: "models", key: "a b/c.onnx", credentials: keys, at: date)
        #expect(request.url == "http://127.0.0.1:9000/models/a%20b/c.onnx")
        #expect(request.headers.first(name: "Host") == "127.0.0.1:9000")

        let specific = try client(["AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_S3": "https://minio.internal/s3"])
        #expect(specific.signedGet(bucket: "models", key: "c.onnx", credentials: keys, at: date).url == "https://minio.internal/s3/models/c.onnx")
    }

    @Test("a malformed endpoint variable is an invalid URI naming the variable")
    func malformedEndpoint() {
        #expect(throws: ObjectStoreError(.invalidURI, "AWS_ENDPOINT_URL_S3 'minio:9000': expected http(s)://HOST[:PORT][/PATH]")) {
            try client(["AWS_ENDPOINT_URL_S3": "minio:9000"])
        }
    }

    @Test("a session token is sent as X-Amz-Security-Token")
    func sessionToken() throws {
        let session = AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "session-token")
        let request = try client([:]).signedGet(bucket: "models", key: "m.onnx", credentials: session, at: date)
        #expect(request.headers.first(name: "X-Amz-Security-Token") == "session-token")
    }

    @Test("only s3:// URIs are accepted")
    func otherSchemes() async throws {
        let s3 = try client(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"])
        let error = await #expect(throws: ObjectStoreError.self) { try await s3.getRequest(.gcs(bucket: "b", object: "o")) }
        #expect(error?.kind == .invalidURI)
    }

    @Test("errorDetail quotes S3's Code and Message only, never the canonical request it echoes")
    func errorDetail() throws {
        let s3 = try client([:])
        let mismatch = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message>
            <CanonicalRequest>GET /m.onnx x-amz-security-token:session-token</CanonicalRequest><SignatureProvided>abc</SignatureProvided></Error>
            """
        let detail = s3.errorDetail(status: 403, body: ByteBuffer(string: mismatch))
        #expect(detail == "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.")
        let redirect = "<Error><Code>PermanentRedirect</Code><Message>Use the endpoint.</Message><Endpoint>models.s3.eu-west-1.amazonaws.com</Endpoint></Error>"
        #expect(s3.errorDetail(status: 301, body: ByteBuffer(string: redirect)) == "PermanentRedirect: Use the endpoint. (endpoint models.s3.eu-west-1.amazonaws.com)")
        #expect(s3.errorDetail(status: 502, body: ByteBuffer(string: "<html>Bad Gateway</html>")) == nil)
    }

    @Test("S3's codes for a key, session token or signature it does not accept are access denied, whatever the status")
    func credentialFailures() throws {
        let s3 = try client([:])
        func kind(_ status: Int, _ code: String) -> ObjectStoreError.Kind? {
            s3.failureKind(status: status, body: ByteBuffer(string: "<Error><Code>\(code)</Code><Message>m</Message></Error>"))
        }
        for code in ["InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"] {
            #expect(kind(400, code) == .accessDenied, "\(code)")
        }
        for code in ["InvalidAccessKeyId", "SignatureDoesNotMatch"] {
            #expect(kind(403, code) == .accessDenied, "\(code)")
        }
        #expect(kind(400, "InvalidArgument") == nil)
        #expect(kind(503, "SlowDown") == nil)
        #expect(s3.failureKind(status: 400, body: ByteBuffer(string: "<html>Bad Request</html>")) == nil)
    }
}
