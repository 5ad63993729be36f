import Foundation
import KubeAPI

/// The create-only review kinds, answered from the authorizer and never stored:
/// SelfSubjectAccessReview and SelfSubjectRulesReview (`kubectl auth can-i [--list]`),
/// SubjectAccessReview and LocalSubjectAccessReview (someone else's access), and
/// authentication.k8s.io SelfSubjectReview (`kubectl auth whoami`).
struct AccessReviewHandler {
    let definition: ResourceDefinition
    let path: Route.ResourcePath
    let request: EmulatorRequest
    let authorizer: Authorizer

    /// Whether `definition` is one of the review kinds.
    static func serves(_ definition: ResourceDefinition) -> Bool {
        BuiltinResources.reviews.contains { $0.group == definition.group && $0.plural == definition.plural }
    }

    func respond() -> EmulatorResponse {
        guard request.method == "POST", path.name == nil, path.subresource == nil else { return .status(.methodNotAllowed()) }
        do {
            return try answer()
        } catch {
            return .status(error)
        }
    }

    private func answer() throws(KubeStatus) -> EmulatorResponse {
        var review = try request.decodedObject()
        if (review["kind"]?.stringValue ?? "").isEmpty { review["kind"] = .string(definition.kind) }
        if (review["apiVersion"]?.stringValue ?? "").isEmpty { review["apiVersion"] = .string(definition.apiVersion) }
        guard review["kind"]?.stringValue == definition.kind, review["apiVersion"]?.stringValue == definition.apiVersion else {
            throw KubeStatus.badRequest("the API version in the data (\(review["apiVersion"]?.stringValue ?? "")) does not match the expected API version (\(definition.apiVersion))")
        }
        review["status"] = try status(of: review)
        var metadata = review["metadata"]?.objectValue ?? [:]
        metadata["creationTimestamp"] = .null
        if definition.namespaced { metadata["namespace"] = .string(path.namespace ?? "") }
        review["metadata"] = .object(metadata)
        return .json(review, status: 201)
    }

    private func status(of review: JSONValue) throws(KubeStatus) -> JSONValue {
        let spec = review["spec"] ?? .emptyObject
        switch definition.kind {
        case "SelfSubjectAccessReview":
            return try accessReview(spec, user: request.user)
        case "SubjectAccessReview":
            return try accessReview(spec, user: try subject(of: spec))
        case "LocalSubjectAccessReview":
            let namespace = path.namespace ?? ""
            guard spec["nonResourceAttributes"] == nil else { throw invalid("spec.nonResourceAttributes", "disallowed on this kind of request") }
            var scoped = spec
            let requested = spec[path: ["resourceAttributes", "namespace"]]?.stringValue ?? ""
            guard requested.isEmpty || requested == namespace else {
                throw KubeStatus.badRequest("spec.resourceAttributes.namespace must match namespace: \(namespace)")
            }
            if spec["resourceAttributes"] != nil { scoped[path: ["resourceAttributes", "namespace"]] = .string(namespace) }
            return try accessReview(scoped, user: try subject(of: spec))
        case "SelfSubjectRulesReview":
            guard let namespace = spec["namespace"]?.stringValue, !namespace.isEmpty else { throw KubeStatus.badRequest("no namespace on request") }
            let (resource, nonResource, errors) = authorizer.rules(for: request.user, namespace: namespace)
            var status: JSONValue = [
                "resourceRules": .array(resource.map(\.json)), "nonResourceRules": .array(nonResource.map(\.json)), "incomplete": false,
            ]
            if !errors.isEmpty { status["evaluationError"] = .string(RuleResolutionError.aggregate(errors)) }
            return status
        default:
            var userInfo: JSONValue = [
                "username": .string(request.user.name), "groups": .array(request.user.groups.map { .string($0) }),
            ]
            if !request.user.uid.isEmpty { userInfo["uid"] = .string(request.user.uid) }
            if !request.user.extra.isEmpty {
                userInfo["extra"] = .object(request.user.extra.mapValues { .array($0.map { .string($0) }) })
            }
            return ["userInfo": userInfo]
        }
    }

    /// The status of a (Self|Local)SubjectAccessReview: exactly one of resource or non-resource
    /// attributes, authorized as that request would be.
    private func accessReview(_ spec: JSONValue, user: UserInfo) throws(KubeStatus) -> JSONValue {
        let resource = spec["resourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        let nonResource = spec["nonResourceAttributes"].flatMap { $0 == .null ? nil : $0 }
        if resource != nil, nonResource != nil {
            throw invalid("spec.nonResourceAttributes", "cannot be specified in combination with resourceAttributes")
        }
        let attributes: AuthorizationAttributes
        if let resource {
            func field(_ name: String) -> String { resource[name]?.stringValue ?? "" }
            attributes = .resource(user, verb: field("verb"), group: field("group"), version: field("version"), resource: field("resource"),
                                   subresource: field("subresource"), namespace: field("namespace"), name: field("name"))
        } else if let nonResource {
            attributes = .nonResource(user, verb: nonResource["verb"]?.stringValue ?? "", path: nonResource["path"]?.stringValue ?? "")
        } else {
            throw invalid("spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        let decision = authorizer.authorize(attributes)
        var status: JSONValue = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        return status
    }

    /// The user a SubjectAccessReview asks about.
    private func subject(of spec: JSONValue) throws(KubeStatus) -> UserInfo {
        let name = spec["user"]?.stringValue ?? ""
        let groups = spec["groups"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard !name.isEmpty || !groups.isEmpty else { throw invalid("spec.user", "at least one of user or group must be specified") }
        let extra = (spec["extra"]?.objectValue ?? [:]).mapValues { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
        return UserInfo(name: name, uid: spec["uid"]?.stringValue ?? "", groups: groups, extra: extra)
    }

    private func invalid(_ field: String, _ message: String) -> KubeStatus {
        KubeStatus.invalid(kind: definition.kind, group: definition.group, name: "", causes: [
            .init(reason: "FieldValueInvalid", message: "Invalid value: \"null\": \(message)", field: field)
        ])
    }
}
