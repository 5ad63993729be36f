import KubeAPI
import Testing

@Suite("metav1.Status errors")
struct KubeStatusTests {
    @Test("a Status round-trips through JSON with its details and causes")
    func roundTrip() throws {
        let status = KubeStatus.invalid(kind: "FraudModel", group: "tandem.dev", name: "x", causes: [
            .init(reason: "FieldValueRequired", message: "Required value", field: "spec.modelVersion"),
            .init(reason: "FieldValueInvalid", message: "Invalid value: 2000: too big", field: "spec.replicas"),
        ])
        #expect(status.message == #"FraudModel.tandem.dev "x" is invalid: [spec.modelVersion: Required value, spec.replicas: Invalid value: 2000: too big]"#)
        let decoded = try #require(KubeStatus(json: try JSONValue(parsing: status.json.serialized())))
        #expect(decoded == status)
        #expect(decoded.isInvalid && !decoded.isNotFound)
    }

    @Test("predicates follow reason and code", arguments: [
        (KubeStatus.notFound(resource: "pods", group: "", name: "a"), "NotFound"),
        (KubeStatus.alreadyExists(resource: "pods", group: "", name: "a"), "AlreadyExists"),
        (KubeStatus.conflict(resource: "pods", group: "", name: "a", reason: KubeStatus.modifiedDetail), "Conflict"),
        (KubeStatus.expired("too old resource version: 1 (5)"), "Expired"),
        (KubeStatus.unauthorized(), "Unauthorized"),
        (KubeStatus.forbidden("no"), "Forbidden"),
        (KubeStatus(code: 429, reason: "TooManyRequests", message: "slow down", retryAfterSeconds: 2), "TooManyRequests"),
        (KubeStatus(code: 503, reason: "ServiceUnavailable", message: "down"), "ServiceUnavailable"),
    ])
    func predicates(status: KubeStatus, reason: String) {
        #expect(status.reason == reason)
        #expect(status.isNotFound == (reason == "NotFound"))
        #expect(status.isAlreadyExists == (reason == "AlreadyExists"))
        #expect(status.isConflict == (reason == "Conflict"))
        #expect(status.isGone == (reason == "Expired"))
        #expect(status.isUnauthorized == (reason == "Unauthorized"))
        #expect(status.isForbidden == (reason == "Forbidden"))
        #expect(status.isTooManyRequests == (reason == "TooManyRequests"))
        #expect(status.isServerError == (reason == "ServiceUnavailable"))
    }

    @Test("the not-found message names the group-qualified resource")
    func messages() {
        #expect(KubeStatus.notFound(resource: "fraudmodels", group: "tandem.dev", name: "x").message == #"fraudmodels.tandem.dev "x" not found"#)
        #expect(KubeStatus.notFound(resource: "configmaps", group: "", name: "x").message == #"configmaps "x" not found"#)
        #expect(KubeStatus(code: 429, reason: "TooManyRequests", message: "", retryAfterSeconds: 3).json[path: ["details", "retryAfterSeconds"]] == 3)
    }
}
