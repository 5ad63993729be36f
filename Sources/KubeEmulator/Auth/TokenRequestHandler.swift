import Foundation
import KubeAPI

/// `POST …/serviceaccounts/NAME/token` (authentication.k8s.io/v1 TokenRequest, what
/// `kubectl create token` sends): a bound, expiring token that authenticates as the service
/// account, validated and defaulted as kube-apiserver does.
///
/// # Guarantees
/// - `spec.expirationSeconds` defaults to 3600; below 600 or above 2^32 is 422 Invalid; a
///   number that is not an integer is 400; above ``ServiceAccountTokens/maximumExpirationSeconds``
///   it is shortened, with a warning, as `--service-account-max-token-expiration` does.
/// - `spec.audiences` defaults to the API server's audiences; tokens for other audiences do not
///   authenticate to this server.
/// - A `boundObjectRef` must name an existing Pod that runs as this service account (and has the
///   given uid); the token dies with the pod.
struct TokenRequestHandler {
    let path: Route.ResourcePath
    let request: EmulatorRequest
    let store: ObjectStore
    let tokens: ServiceAccountTokens
    var now: Date = Date()

    /// The default lifetime of a requested token: one hour.
    static let defaultExpirationSeconds: Int64 = 3600

    func respond() -> EmulatorResponse {
        guard request.method == "POST" else { return .status(.methodNotAllowed()) }
        do {
            return try issue()
        } catch {
            return .status(error)
        }
    }

    private func issue() throws(KubeStatus) -> EmulatorResponse {
        let name = path.name ?? ""
        let namespace = path.namespace ?? ""
        var review = try request.decodedObject()
        if (review["kind"]?.stringValue ?? "").isEmpty { review["kind"] = "TokenRequest" }
        if (review["apiVersion"]?.stringValue ?? "").isEmpty { review["apiVersion"] = "authentication.k8s.io/v1" }
        guard review["kind"] == "TokenRequest", review["apiVersion"] == "authentication.k8s.io/v1" else {
            throw KubeStatus.badRequest("the API version in the data (\(review["apiVersion"]?.stringValue ?? "")) does not match the expected API version (authentication.k8s.io/v1)")
        }
        if let bodyName = review[path: ["metadata", "name"]]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw invalid(name, "metadata.name", "Invalid value: \(GoQuoted.string(bodyName)): must match the service account name if specified")
        }
        if let bodyNamespace = review[path: ["metadata", "namespace"]]?.stringValue, !bodyNamespace.isEmpty, bodyNamespace != namespace {
            throw invalid(name, "metadata.namespace", "Invalid value: \(GoQuoted.string(bodyNamespace)): must match the service account namespace if specified")
        }
        guard let account = store.read({ $0.object(StorageKey(group: "", resource: "serviceaccounts"), ObjectKey(namespace: namespace, name: name)) }) else {
            throw KubeStatus.notFound(resource: "serviceaccounts", group: "", name: name)
        }
        var spec = review["spec"] ?? .emptyObject
        let audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        spec["audiences"] = .array((audiences.isEmpty ? ServiceAccountTokens.apiAudiences : audiences).map { .string($0) })
        var seconds = try expirationSeconds(spec["expirationSeconds"])
        if seconds < ServiceAccountTokens.minimumExpirationSeconds {
            throw invalid("", "spec.expirationSeconds", "Invalid value: \(seconds): may not specify a duration less than 10 minutes")
        }
        if seconds > ServiceAccountTokens.maximumRequestableSeconds {
            throw invalid("", "spec.expirationSeconds", "Invalid value: \(seconds): may not specify a duration larger than 2^32 seconds")
        }
        var warnings: [String] = []
        if seconds > ServiceAccountTokens.maximumExpirationSeconds {
            warnings.append("requested expiration of \(seconds) seconds shortened to \(ServiceAccountTokens.maximumExpirationSeconds) seconds")
            seconds = ServiceAccountTokens.maximumExpirationSeconds
        }
        spec["expirationSeconds"] = .int(seconds)
        let boundPod = try boundPod(spec["boundObjectRef"], serviceAccount: name, namespace: namespace)
        if let boundPod { spec[path: ["boundObjectRef", "uid"]] = .string(boundPod.uid) }
        let issued = tokens.issue(namespace: namespace, name: name, serviceAccountUID: StoreState.uid(of: account), boundPod: boundPod,
                                  audiences: spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                  expirationSeconds: seconds, now: now)
        review["metadata"] = ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(Timestamp.rfc3339(now))]
        review["spec"] = spec
        review["status"] = ["token": .string(issued.token), "expirationTimestamp": .string(Timestamp.rfc3339(issued.expiration))]
        var response = EmulatorResponse.json(review, status: 201)
        for warning in warnings { response = response.adding(header: "Warning", "299 - \"\(warning)\"") }
        return response
    }

    /// `spec.expirationSeconds` as an int64, as Go's JSON decoder reads it: absent means the
    /// default; a fraction, an exponent form or anything out of int64 range is a decoding error.
    private func expirationSeconds(_ value: JSONValue?) throws(KubeStatus) -> Int64 {
        guard let value, value != .null else { return Self.defaultExpirationSeconds }
        if case .int(let seconds) = value { return seconds }
        let shown = value.jsonString
        throw KubeStatus.badRequest(
            "TokenRequest in version \"v1\" cannot be handled as a TokenRequest: json: cannot unmarshal \(value.doubleValue != nil ? "number \(shown)" : shown) into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64")
    }

    /// The pod a `boundObjectRef` names, checked as kube-apiserver checks it.
    private func boundPod(_ reference: JSONValue?, serviceAccount: String, namespace: String) throws(KubeStatus) -> ServiceAccountTokens.BoundPod? {
        guard let reference, reference != .null else { return nil }
        let kind = reference["kind"]?.stringValue ?? ""
        let apiVersion = reference["apiVersion"]?.stringValue ?? "v1"
        guard kind == "Pod", apiVersion == "v1" else {
            throw KubeStatus.badRequest("cannot bind token to object of type \(apiVersion.isEmpty ? "" : apiVersion + ", ")Kind=\(kind)")
        }
        let podName = reference["name"]?.stringValue ?? ""
        guard let pod = store.read({ $0.object(StorageKey(group: "", resource: "pods"), ObjectKey(namespace: namespace, name: podName)) }) else {
            throw KubeStatus.notFound(resource: "pods", group: "", name: podName)
        }
        let podAccount = pod[path: ["spec", "serviceAccountName"]]?.stringValue ?? "default"
        guard podAccount == serviceAccount else {
            throw KubeStatus.badRequest("cannot bind token for serviceaccount \(GoQuoted.string(serviceAccount)) to pod running with different serviceaccount name.")
        }
        let uid = StoreState.uid(of: pod) ?? ""
        if let expected = reference["uid"]?.stringValue, !expected.isEmpty, expected != uid {
            throw KubeStatus.conflict(resource: "Pod", group: "", name: podName,
                                      reason: "the UID in the bound object reference (\(expected)) does not match the UID in record. The object might have been deleted and then recreated")
        }
        return .init(name: podName, uid: uid)
    }

    private func invalid(_ name: String, _ field: String, _ message: String) -> KubeStatus {
        KubeStatus.invalid(kind: "TokenRequest", group: "authentication.k8s.io", name: name, causes: [
            .init(reason: "FieldValueInvalid", message: message, field: field)
        ])
    }
}
