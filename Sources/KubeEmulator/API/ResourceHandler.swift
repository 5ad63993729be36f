import Foundation
import KubeAPI

/// Serves one request against one resource: the verbs of kube-apiserver's generic registry.
struct ResourceHandler: Sendable {
    let definition: ResourceDefinition
    let path: Route.ResourcePath
    let request: EmulatorRequest
    let store: ObjectStore
    let settings: EmulatorSettings

    /// The verb kube-apiserver would log for this request.
    var verb: String { EmulatorAPI.verb(for: request, path: path) }

    func handle() async -> EmulatorResponse {
        do {
            if let subresource = path.subresource {
                return try await handleSubresource(subresource)
            }
            switch verb {
            case "get": return try get()
            case "list": return try list()
            case "watch": return try watch()
            case "create" where path.name != nil: return .status(.methodNotAllowed())
            case "create": return try create()
            case "update": return try update(subresource: nil)
            case "patch": return try patch(subresource: nil)
            case "delete": return try delete()
            case "deletecollection": return try deleteCollection()
            default: return .status(.methodNotAllowed())
            }
        } catch {
            return .status(error)
        }
    }

    private func handleSubresource(_ subresource: String) async throws(KubeStatus) -> EmulatorResponse {
        switch subresource {
        case "status" where definition.hasStatus:
            switch request.method {
            case "GET": return try get()
            case "PUT": return try update(subresource: "status")
            case "PATCH": return try patch(subresource: "status")
            default: return .status(.methodNotAllowed())
            }
        case "scale" where definition.scale != nil:
            return try scale()
        case "finalize" where definition.kind == "Namespace" && request.method == "PUT":
            return try update(subresource: "finalize")
        default:
            throw KubeStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    // MARK: Shared pieces

    var namespace: String { path.namespace ?? "" }

    func key(_ name: String) -> ObjectKey { ObjectKey(namespace: definition.namespaced ? namespace : "", name: name) }

    /// An object as served in the requested version.
    func present(_ object: JSONValue) -> JSONValue {
        var served = definition.conversion == .eventsV1 ? EventConversion.toEventsV1(object) : object
        served["apiVersion"] = .string(definition.apiVersion)
        served["kind"] = .string(definition.kind)
        return served
    }

    /// The object as stored (in the storage version).
    func storageForm(_ object: JSONValue) -> JSONValue {
        var stored = definition.conversion == .eventsV1 ? EventConversion.toCoreV1(object) : object
        stored["apiVersion"] = .string(definition.storageAPIVersion)
        stored["kind"] = .string(definition.kind)
        return stored
    }

    func notFound(_ name: String) -> KubeStatus {
        .notFound(resource: definition.plural, group: definition.group, name: name)
    }

    var wantsTable: Bool { TableBuilder.isRequested(by: request.accept) }

    var tableBuilder: TableBuilder {
        TableBuilder(definition: definition, include: TableBuilder.IncludeObject(rawValue: request.query["includeObject"] ?? "") ?? .metadata)
    }

    var isDryRun: Bool { request.query["dryRun"] == "All" }

    var now: Date { settings.clock() }
}

/// Settings of the emulator that handlers need.
struct EmulatorSettings: Sendable {
    var clock: @Sendable () -> Date = { Date() }
    /// How often watches with `allowWatchBookmarks=true` get a BOOKMARK.
    var bookmarkInterval: Duration = .seconds(60)
    var serverAddress: String = "127.0.0.1:6443"
}
