import Crypto
import Foundation
import JSONCore
import Testing

@testable import ObjectStore

/// One case of AWS's SigV4 test suite (Fixtures/aws/sigv4, from awslabs/aws-c-auth).
struct AWSSigV4Vector: CustomTestStringConvertible, Sendable {
    let name: String
    var testDescription: String { name }

    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("aws/sigv4")

    static var all: [AWSSigV4Vector] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map(AWSSigV4Vector.init(name:))
    }

    func file(_ name: String) throws -> String {
        try String(contentsOf: Self.directory.appendingPathComponent("\(self.name)/\(name)"), encoding: .utf8)
    }

    /// `request.txt` as a ``SigV4Request``: `METHOD TARGET HTTP/1.1` (the target may hold spaces),
    /// `Name:value` lines, an empty line, the body.
    func request() throws -> SigV4Request {
        let text = try file("request.txt")
        let (head, body) = text.range(of: "\n\n").map { (text[..<$0.lowerBound], text[$0.upperBound...]) } ?? (text[...], "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst()
        let method = requestLine.prefix { $0 != " " }
        let target = requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count)
        let (path, query) = target.firstIndex(of: "?").map { (target[..<$0], target[target.index(after: $0)...]) } ?? (target, "")
        let headers = lines.filter { !$0.isEmpty }.map { line in
            let colon = line.firstIndex(of: ":")!
            return (name: String(line[..<colon]), value: String(line[line.index(after: colon)...]))
        }
        let payloadHash = SigV4Signer.hex(SHA256.hash(data: Array(body.utf8)))
        return SigV4Request(method: String(method), path: String(path), query: String(query), headers: headers, payloadHash: payloadHash)
    }
}

@Suite("SigV4 against AWS's published test suite")
struct AWSSigV4TestSuiteTests {
    @Test("canonical request, string to sign and Authorization match exactly", arguments: AWSSigV4Vector.all)
    func signsLikeAWS(_ vector: AWSSigV4Vector) throws {
        let context = try JSONValue(parsing: try vector.file("context.json"))
        let keys = try #require(context["credentials"])
        let credentials = AWSCredentials(
            accessKeyID: try #require(keys["access_key_id"]?.stringValue), secretAccessKey: try #require(keys["secret_access_key"]?.stringValue),
            sessionToken: keys["token"]?.stringValue)
        let signer = SigV4Signer(
            region: try #require(context["region"]?.stringValue), service: try #require(context["service"]?.stringValue),
            normalizesPath: context["normalize"]?.boolValue, sendsPayloadHash: context["sign_body"]?.boolValue)
        let timestamp = try #require(context["timestamp"]?.stringValue)
        let date = try #require(ISO8601DateFormatter().date(from: timestamp))

        let signature = signer.sign(try vector.request(), with: credentials, at: date)

        #expect(signature.canonicalRequest == (try vector.file("header-canonical-request.txt")))
        #expect(signature.stringToSign == (try vector.file("header-string-to-sign.txt")))
        let authorization = try vector.file("header-signed-request.txt").split(separator: "\n")
            .first { $0.hasPrefix("Authorization:") }?.dropFirst("Authorization:".count)
        #expect(signature.authorization == authorization.map(String.init))
        #expect(signature.headers.contains { $0.name == "X-Amz-Date" && $0.value == "20150830T123600Z" })
    }

    @Test("the suite is present")
    func vectorsArePresent() {
        #expect(AWSSigV4Vector.all.count >= 30)
    }

    /// "Example: GET Object" of the S3 documentation, "Signature Calculations for the Authorization
    /// Header: Transferring Payload in a Single Chunk".
    @Test("S3's documented GET Object example")
    func s3DocumentationExample() {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let request = SigV4Request(
            method: "GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")])
        let signature = SigV4Signer(region: "us-east-1", service: "s3")
            .sign(request, with: credentials, at: Date(timeIntervalSince1970: 1_369_353_600))

        #expect(signature.canonicalRequest == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(signature.stringToSign.hasSuffix("7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"))
        #expect(signature.authorization == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("S3 paths are signed as sent: not normalized, not encoded twice")
    func s3PathsAreNotNormalized() {
        let s3 = SigV4Signer(region: "us-east-1", service: "s3")
        #expect(s3.canonicalURI("/bucket/a//b/./c%20d/%C3%BC") == "/bucket/a//b/./c%20d/%C3%BC")
        let other = SigV4Signer(region: "us-east-1", service: "sts")
        #expect(other.canonicalURI("/a//b/./c%20d") == "/a/b/c%2520d")
    }

    @Test("a session token is sent and signed as X-Amz-Security-Token")
    func sessionTokenIsSigned() {
        let credentials = AWSCredentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "the-token")
        let signature = SigV4Signer(region: "eu-west-1", service: "s3")
            .sign(SigV4Request(method: "GET", path: "/k", headers: [("Host", "b.s3.eu-west-1.amazonaws.com")]), with: credentials, at: Date())
        #expect(signature.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == "the-token" })
        #expect(signature.authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(!signature.authorization.contains("secret"))
    }
}
