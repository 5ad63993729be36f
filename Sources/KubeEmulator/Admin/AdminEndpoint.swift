import Foundation
import KubeAPI
import KubeNodeAgent
import NIOCore

/// `/_emulator/…`: test controls on the API port, served only with `--admin` and answered only to
/// authenticated cluster admins (`system:masters`) connecting from a loopback address.
/// See README's "kube-emulator admin endpoint".
struct AdminEndpoint: Sendable {
    /// The longest simulated outage `POST /_emulator/outage` accepts: one day.
    static let maximumOutageSeconds = 86_400.0

    let store: ObjectStore
    let counters: RequestCounters
    let faults: FaultInjector
    let gate: ConnectionGate
    let simulator: WorkloadSimulator
    /// The node agent of `--run-pods` (for the image catalog), or nil.
    var nodeAgent: NodeAgent? = nil

    /// Answers an authenticated request; anyone but a loopback `system:masters` member gets 403.
    func respond(_ segments: [String], request: EmulatorRequest, remote: SocketAddress?) async -> EmulatorResponse {
        let attributes = AuthorizationAttributes.nonResource(request.user, verb: request.method.lowercased(), path: request.path)
        guard request.user.isPrivileged else {
            return .status(Authorizer.forbidden(attributes, reason: "the emulator admin endpoint needs a member of group \(UserInfo.mastersGroup)"))
        }
        guard LoopbackAddress.contains(remote) else {
            return .status(Authorizer.forbidden(attributes, reason: "the emulator admin endpoint answers loopback clients only"))
        }
        if segments == ["image-catalog"] { return imageCatalog(request) }
        var body: JSONValue = .emptyObject
        if !request.body.isEmpty {
            guard let parsed = try? JSONValue(parsing: request.body) else { return .status(.badRequest("admin request body must be JSON")) }
            body = parsed
        }
        switch (request.method, segments) {
        case ("GET", ["counters"]):
            return .json(counters.json)
        case ("DELETE", ["counters"]), ("POST", ["counters", "reset"]):
            counters.reset()
            return .json(["reset": true])
        case ("POST", ["faults"]):
            guard let status = body["status"]?.intValue ?? (body["latencyMs"] != nil ? 0 : nil) else {
                return .status(.badRequest("a fault needs \"status\" (500, 503, 429…) and/or \"latencyMs\""))
            }
            faults.add(FaultInjector.Fault(
                verb: body["verb"]?.stringValue, resource: body["resource"]?.stringValue, status: Int(status),
                retryAfterSeconds: body["retryAfterSeconds"]?.intValue.map { Int($0) },
                remaining: body["count"]?.intValue.map { Int($0) }, fraction: body["fraction"]?.doubleValue ?? 1,
                latency: .milliseconds(body["latencyMs"]?.intValue ?? 0)))
            return .json(["added": true], status: 201)
        case ("DELETE", ["faults"]):
            faults.clear()
            return .json(["cleared": true])
        case ("POST", ["watches", "close"]):
            let closed = store.modify { $0.closeAllWatches() }
            return .json(["closed": .int(Int64(closed))])
        case ("POST", ["history", "compact"]):
            let rv = store.modify { state -> Int64 in
                state.compactHistory()
                return state.resourceVersion
            }
            return .json(["compactedThrough": .string(String(rv))])
        case ("POST", ["outage"]):
            guard let mode = ConnectionGate.Admission(rawValue: body["mode"]?.stringValue ?? "") else {
                return .status(.badRequest("outage \"mode\" must be one of serve, refuse, hang"))
            }
            var duration: Double?
            if let value = body["durationSeconds"], value != .null {
                guard let seconds = value.doubleValue, seconds > 0, seconds <= Self.maximumOutageSeconds else {
                    return .status(.badRequest("outage \"durationSeconds\" must be a number of seconds above 0 and at most \(Int(Self.maximumOutageSeconds)), got \(value.jsonString)"))
                }
                duration = seconds
            }
            gate.set(mode)
            if let seconds = duration, mode != .serve {
                let gate = self.gate
                Task {
                    try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                    gate.set(.serve)
                }
            }
            return .json(["mode": .string(mode.rawValue)])
        case ("POST", ["images"]):
            let pattern = body["unpullable"]?.stringValue
            do { try simulator.setUnpullableImages(pattern.flatMap { $0.isEmpty ? nil : $0 }) } catch { return .status(error) }
            BackgroundControllers.poke(store)
            return .json(["unpullable": pattern.map { .string($0) } ?? .null])
        case ("GET", ["images"]):
            return .json(["unpullable": simulator.unpullableImages.map { .string($0) } ?? .null])
        case ("DELETE", ["outage"]):
            gate.set(.serve)
            return .json(["mode": "serve"])
        default:
            return .status(KubeStatus(code: 404, reason: "NotFound", message: "unknown admin endpoint /_emulator/\(segments.joined(separator: "/"))"))
        }
    }

    /// `PUT /_emulator/image-catalog` with catalog YAML replaces the node agent's images
    /// (relative file paths resolve against the emulator's working directory); `GET` lists them.
    private func imageCatalog(_ request: EmulatorRequest) -> EmulatorResponse {
        guard let nodeAgent else { return .status(.badRequest("the image catalog needs --run-pods")) }
        switch request.method {
        case "GET":
            return .json(["images": .array(nodeAgent.imageCatalog.images.map { .string($0.reference) })])
        case "PUT", "POST":
            do {
                let catalog = try ImageCatalog.parse(String(decoding: request.body, as: UTF8.self), source: "admin request",
                                                     baseDirectory: FileManager.default.currentDirectoryPath)
                nodeAgent.setImageCatalog(catalog)
                return .json(["images": .int(Int64(catalog.images.count))])
            } catch {
                return .status(.badRequest(error.description))
            }
        default:
            return .status(.methodNotAllowed())
        }
    }
}
