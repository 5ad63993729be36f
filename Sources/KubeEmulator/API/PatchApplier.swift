import KubeAPI

/// Applies a PATCH body of one of the three body-patch types to the current object.
/// Server-side apply is not a body patch: it merges with field ownership (`ResourceHandler.applyPatch`).
enum PatchApplier {
    enum PatchType: Sendable, Equatable {
        case merge, json, strategic

        /// The patch type of a Content-Type; nil for apply and unknown media types.
        init?(contentType: String) {
            switch contentType {
            case "application/merge-patch+json", "application/json": self = .merge
            case "application/json-patch+json": self = .json
            case "application/strategic-merge-patch+json": self = .strategic
            default: return nil
            }
        }
    }

    static let applyContentType = "application/apply-patch+yaml"

    static func apply(_ type: PatchType, body: [UInt8], to current: JSONValue) throws(KubeStatus) -> JSONValue {
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
        }
    }
}
