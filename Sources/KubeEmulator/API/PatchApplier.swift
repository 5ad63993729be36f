import KubeAPI

/// Applies a PATCH body of one of the four patch types to the current object.
enum PatchApplier {
    enum PatchType: Sendable, Equatable {
        case merge, json, strategic, apply
    }

    static func apply(_ type: PatchType, body: [UInt8], to current: JSONValue, handler: ResourceHandler) throws(KubeStatus) -> JSONValue {
        switch type {
        case .merge, .strategic:
            let patch: JSONValue
            do { patch = try JSONValue(parsing: body) } catch {
                throw KubeStatus.badRequest("error decoding patch: \(error)")
            }
            guard patch.objectValue != nil else { throw KubeStatus.badRequest("error decoding patch: the patch must be a JSON object") }
            return type == .merge ? MergePatch.apply(patch, to: current) : StrategicMergePatch.apply(patch, to: current)
        case .json:
            let operations: JSONValue
            do { operations = try JSONValue(parsing: body) } catch {
                throw KubeStatus.badRequest("error decoding patch: \(error)")
            }
            do {
                return try JSONPatch.apply(operations, to: current)
            } catch {
                if error.testFailed {
                    throw KubeStatus(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(error.message)")
                }
                throw KubeStatus(code: 422, reason: "Invalid", message: error.message)
            }
        case .apply:
            guard let manager = handler.request.query["fieldManager"], !manager.isEmpty else {
                throw KubeStatus.badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
            }
            let applied = try handler.decodedBody()
            return ServerSideApply.apply(applied, to: current)
        }
    }
}

/// Server-side apply, simplified: the applied configuration is merged into the live object,
/// lists of keyed elements merged by key.
enum ServerSideApply {
    static func apply(_ configuration: JSONValue, to live: JSONValue) -> JSONValue {
        var merged = StrategicMergePatch.apply(configuration, to: live)
        merged[path: ["metadata", "resourceVersion"]] = configuration[path: ["metadata", "resourceVersion"]] ?? live[path: ["metadata", "resourceVersion"]]
        return merged
    }
}
