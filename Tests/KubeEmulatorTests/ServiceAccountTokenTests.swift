import Foundation
import KubeAPI
import KubeEmulatorTestSupport
import Testing
@testable import KubeEmulator

/// TokenRequest (`kubectl create token`): bound, expiring tokens that authenticate as the
/// service account, validated as kube-apiserver validates them.
@Suite("service-account tokens (TokenRequest)")
struct ServiceAccountTokenTests {
    private func tokenRequest(_ spec: JSONValue) -> JSONValue {
        ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec]
    }

    private let tokenPath = "/api/v1/namespaces/default/serviceaccounts/robot/token"

    @Test("a requested token authenticates as system:serviceaccount:NS:NAME with the service-account groups, for one hour by default")
    func tokenAuthenticates() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            try await client.ensureServiceAccount("robot")
            let before = Date()
            let issued = try await client.post(tokenPath, tokenRequest(.emptyObject))
            #expect(issued.status == 201)
            #expect(issued.json[path: ["spec", "expirationSeconds"]] == 3600)
            #expect(issued.json[path: ["spec", "audiences"]] == ["https://kubernetes.default.svc.cluster.local"])
            let expiration = try #require(issued.json[path: ["status", "expirationTimestamp"]]?.stringValue.flatMap(Timestamp.parse))
            #expect(abs(expiration.timeIntervalSince(before) - 3600) < 60)
            let robot = client.authenticating(with: issued.json[path: ["status", "token"]]?.stringValue)
            let whoami = try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"])
            #expect(whoami.json[path: ["status", "userInfo", "username"]] == "system:serviceaccount:default:robot")
            #expect(whoami.json[path: ["status", "userInfo", "groups"]] == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
        }
    }

    @Test("expirationSeconds: below 10 minutes or above 2^32 is 422, 1e17 or a fraction is 400, above 48 h is shortened with a warning")
    func expirationValidation() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            try await client.ensureServiceAccount("robot")
            let short = try await client.post(tokenPath, tokenRequest(["expirationSeconds": 599]))
            #expect(short.status == 422)
            #expect(short.statusObject?.message.contains("spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes") == true)
            let huge = try await client.post(tokenPath, tokenRequest(["expirationSeconds": .int(100_000_000_000_000_000)]))
            #expect(huge.status == 422)
            #expect(huge.statusObject?.message.contains("may not specify a duration larger than 2^32 seconds") == true)
            for value in ["1e17", "700.5", "\"3600\""] {
                let body = #"{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":"# + value + "}}"
                let undecodable = try await client.send(.POST, tokenPath, rawBody: Array(body.utf8))
                #expect(undecodable.status == 400, "\(value)")
                #expect(undecodable.text.contains("expirationSeconds"))
            }
            let long = try await client.post(tokenPath, tokenRequest(["expirationSeconds": .int(1 << 32)]))
            #expect(long.status == 201)
            #expect(long.json[path: ["spec", "expirationSeconds"]] == .int(ServiceAccountTokens.maximumExpirationSeconds))
            #expect(long.headers["warning"].first?.contains("requested expiration of 4294967296 seconds shortened to 172800 seconds") == true)
            #expect(try await client.get("/api/v1/namespaces").status == 200)
        }
    }

    @Test("no token for a missing service account; a body naming another account is 422")
    func missingOrMismatched() async throws {
        try await withEmulator { client in
            let missing = try await client.post(tokenPath, tokenRequest(.emptyObject))
            #expect(missing.status == 404 && missing.statusObject?.message == #"serviceaccounts "robot" not found"#)
            try await client.ensureServiceAccount("robot")
            var other = tokenRequest(.emptyObject)
            other["metadata"] = ["name": "someone-else"]
            #expect(try await client.post(tokenPath, other).status == 422)
        }
    }

    @Test("a token stops authenticating when it expires, when its service account is deleted, or when its bound pod is gone; other audiences never do")
    func tokenLifetime() async throws {
        try await withEmulator({ $0.tls = true; $0.token = "secret-token" }) { client in
            try await client.ensureServiceAccount("robot")
            let token = try await client.serviceAccountToken("robot")
            let robot = client.authenticating(with: token)
            #expect(try await robot.get("/version").status == 200)

            let tokens = ServiceAccountTokens()
            let expiring = tokens.issue(namespace: "default", name: "robot", serviceAccountUID: nil, boundPod: nil, audiences: [], expirationSeconds: 600)
            let authenticator = Authenticator(tls: true, token: nil, clientCertificates: false, serviceAccounts: tokens)
            #expect(authenticator.authenticate(authorization: "Bearer \(expiring.token)", peer: nil, remote: nil) != .rejected)
            #expect(authenticator.authenticate(authorization: "Bearer \(expiring.token)", peer: nil, remote: nil, now: expiring.expiration) == .rejected)
            let foreign = tokens.issue(namespace: "default", name: "robot", serviceAccountUID: nil, boundPod: nil, audiences: ["vault"], expirationSeconds: 600)
            #expect(authenticator.authenticate(authorization: "Bearer \(foreign.token)", peer: nil, remote: nil) == .rejected)

            var pod = NodeFixtures.pod("bound", containers: ["app"])
            pod[path: ["spec", "serviceAccountName"]] = "robot"
            #expect(try await client.post("/api/v1/namespaces/default/pods", pod).status == 201)
            let bound = try await client.post(tokenPath, tokenRequest(["boundObjectRef": ["kind": "Pod", "apiVersion": "v1", "name": "bound"]]))
            #expect(bound.status == 201)
            let boundClient = client.authenticating(with: bound.json[path: ["status", "token"]]?.stringValue)
            #expect(try await boundClient.get("/version").status == 200)
            #expect(try await client.send(.DELETE, "/api/v1/namespaces/default/pods/bound?gracePeriodSeconds=0").status == 200)
            #expect(try await boundClient.get("/version").status == 401)

            #expect(try await client.delete("/api/v1/namespaces/default/serviceaccounts/robot").status == 200)
            #expect(try await robot.get("/version").status == 401)
            try await client.ensureServiceAccount("robot")
            #expect(try await robot.get("/version").status == 401, "a new account of the same name has another uid")
        }
    }
}
