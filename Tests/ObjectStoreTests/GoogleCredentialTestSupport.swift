import Foundation
import HTTPTestSupport
import JSONCore
import Synchronization
import _CryptoExtras

@testable import ObjectStore

/// The requests a ``ScriptedHTTPServer`` script saw, in order.
final class RecordedRequests: Sendable {
    private let requests = Mutex<[ScriptedHTTPServer.Request]>([])

    func record(_ request: ScriptedHTTPServer.Request) {
        requests.withLock { $0.append(request) }
    }

    var all: [ScriptedHTTPServer.Request] { requests.withLock { $0 } }

    func count(path: String) -> Int { all.filter { $0.path == path }.count }
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A directory under the temporary directory, for credential files.
struct ScratchDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "google-credentials-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = "\(path)/\(name)"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A throwaway service-account key and the JSON key file Google would issue for it.
struct TestServiceAccount: Sendable {
    static let email = "model-reader@tandem-test.iam.gserviceaccount.com"
    let privateKey: _RSA.Signing.PrivateKey

    init() throws {
        privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// The PKCS#8 PEM, as in Google's key files.
    var privateKeyPEM: String { privateKey.pkcs8PEMRepresentation }

    func keyFile(tokenURI: String) -> String {
        let json: JSONValue = [
            "type": "service_account",
            "project_id": "tandem-test",
            "private_key_id": "0123456789abcdef",
            "private_key": .string(privateKeyPEM),
            "client_email": .string(Self.email),
            "client_id": "1234567890",
            "token_uri": .string(tokenURI),
        ]
        return json.jsonString
    }

    /// Why `assertion` is not a valid RS256 JWT from this account for `audience`, or nil when it is.
    func problem(with assertion: String, audience: String, now: Date) -> String? {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return "not three dot-separated parts" }
        guard let headerBytes = Base64URL.decode(parts[0]), let header = try? JSONValue(parsing: headerBytes),
            let claimBytes = Base64URL.decode(parts[1]), let claims = try? JSONValue(parsing: claimBytes),
            let signature = Base64URL.decode(parts[2])
        else { return "undecodable" }
        guard header["alg"] == "RS256", header["typ"] == "JWT", header["kid"] == "0123456789abcdef" else { return "header \(header)" }
        let signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        guard privateKey.publicKey.isValidSignature(.init(rawRepresentation: signature), for: signingInput, padding: .insecurePKCS1v1_5) else {
            return "bad signature"
        }
        let iat = claims["iat"]?.intValue ?? 0
        guard claims["iss"]?.stringValue == Self.email,
            claims["scope"]?.stringValue == "https://www.googleapis.com/auth/devstorage.read_only",
            claims["aud"]?.stringValue == audience,
            iat == Int64(now.timeIntervalSince1970),
            claims["exp"]?.intValue == iat + 3600
        else { return "claims \(claims)" }
        return nil
    }
}

/// An OAuth token-endpoint response.
func tokenResponse(_ token: String, expiresIn: Int = 3600) -> ScriptedHTTPServer.Reply {
    .json(#"{"access_token":"\#(token)","expires_in":\#(expiresIn),"token_type":"Bearer"}"#)
}
