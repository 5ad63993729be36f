import KubeAPI

/// Decides whether an apply configuration needs sending, so that a converged fleet costs no
/// write at all (not even a no-op apply).
///
/// The configuration is stamped with a hash of itself (annotation `tandem.dev/config-hash`).
/// A live object is current when it carries the same hash *and* still holds every field of the
/// configuration with the same value — so a changed spec is applied, and so is drift (someone
/// edited an owned field, e.g. `kubectl set image`). Lists compare element by element; fields
/// under `resources` are skipped in the drift check because API servers canonicalise
/// quantities (`1000m` reads back as `1`), and the hash already covers their desired value.
public enum AppliedConfiguration {
    /// `configuration` with its hash annotation set.
    public static func stamped(_ configuration: JSONValue) -> JSONValue {
        var stamped = configuration
        var annotations = configuration[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        annotations[ServingLabels.configHashAnnotation] = .string(hash(of: configuration))
        var metadata = configuration["metadata"] ?? .emptyObject
        metadata["annotations"] = .object(annotations)
        stamped["metadata"] = metadata
        return stamped
    }

    /// True when `live` already holds the `stamped` configuration.
    public static func isCurrent(_ live: JSONValue?, stamped: JSONValue) -> Bool {
        guard let live else { return false }
        let key = ["metadata", "annotations", ServingLabels.configHashAnnotation]
        guard let wanted = stamped[path: key], live[path: key] == wanted else { return false }
        return contains(live, stamped)
    }

    /// The hash of the configuration's canonical JSON (sorted keys), stable across processes.
    static func hash(of configuration: JSONValue) -> String {
        StableHash.hex(of: configuration.serialized())
    }

    /// True when every field of `wanted` is in `live` with an equal value.
    static func contains(_ live: JSONValue, _ wanted: JSONValue) -> Bool {
        switch (live, wanted) {
        case (.object(let liveMembers), .object(let wantedMembers)):
            return wantedMembers.allSatisfy { key, value in
                if key == "resources" { return true }
                guard let liveValue = liveMembers[key] else { return false }
                return contains(liveValue, value)
            }
        case (.array(let liveElements), .array(let wantedElements)):
            return liveElements.count >= wantedElements.count
                && zip(liveElements, wantedElements).allSatisfy { contains($0, $1) }
        default:
            return live.isSemanticallyEqual(to: wanted)
        }
    }
}
