#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI
import FraudModelPlanning
import KubeAPI
import KubeClient
import KubeRuntime
import Synchronization

/// Writes FraudModel copies' statuses through the status subresource, only when they changed.
///
/// # Guarantees
/// - The comparison never trusts a cache that has not yet seen this process's own last write:
///   while the cached copy still carries the resourceVersion that write replaced, the object the
///   write returned is compared and written against instead. So a status that went A → B → A is
///   written back to A (no lost update), and the next write does not start from a stale
///   resourceVersion (no needless conflict).
/// - A copy deleted meanwhile (404) is not an error: there is nothing left to write.
final class FleetStatusWriter: Sendable {
    private struct Written {
        /// The resourceVersion the write replaced.
        var replaced: String?
        /// The object the server returned.
        var object: JSONValue
    }

    private let written = Mutex<[ObjectKey: Written]>([:])

    /// Sets the fields the operator owns to `status` in `copy` (in `cluster`), keeping fields it
    /// does not know.
    func write(_ status: FraudModelStatus, to copy: FraudModel, cluster: String, client: KubeClient) async throws {
        let key = ObjectKey(cluster: cluster, namespace: copy.metadata.namespace ?? "", name: copy.metadata.name ?? "")
        var base = copy.object
        let behind = written.withLock { written -> JSONValue? in
            guard let last = written[key] else { return nil }
            guard last.replaced == copy.object.resourceVersion, last.object.uid == copy.object.uid else {
                // The cache has moved past our write: it is the one to trust again.
                written[key] = nil
                return nil
            }
            return last.object
        }
        if let behind { base = behind }
        let writer = StatusWriter(client: client, resource: FraudModelResource.descriptor)
        do {
            let outcome = try await writer.update(base) { current in
                current = try status.merged(into: current)
            }
            if outcome.wrote {
                let object = ObjectTransforms.stripManagedFields(outcome.object)
                written.withLock { $0[key] = Written(replaced: base.resourceVersion, object: object) }
            }
        } catch let error as KubeError where error.isNotFound {
            forget(key)
        }
    }

    /// Forgets what was written to the copy `key` names.
    func forget(_ key: ObjectKey) {
        _ = written.withLock { $0.removeValue(forKey: key) }
    }
}

/// The status of a copy whose spec cannot be read: Degraded with `InvalidSpec`'s conditions and
/// the decoding problems, every other field kept. Nothing is deployed from such a copy.
enum InvalidCopyStatus {
    /// Writes it (only when it changed).
    static func write(_ error: FraudModelDecodingError, to object: JSONValue, client: KubeClient, now: Date) async throws {
        let writer = StatusWriter(client: client, resource: FraudModelResource.descriptor)
        let generation = object[path: ["metadata", "generation"]]?.intValue
        _ = try await writer.update(object) { current in
            var status = (try? (current).decode(as: FraudModelStatus.self)) ?? FraudModelStatus()
            status.phase = .degraded
            status.observedGeneration = generation
            var conditions = status.conditions ?? []
            let time = Timestamps.format(now)
            let message = "\(error)"
            InvalidSpec.mark(&conditions, message: message, generation: generation, time: time)
            status.conditions = conditions
            current = try status.merged(into: current)
        }
    }
}

extension FraudModel {
    /// The copy as the subject of an Event: with `apiVersion` and `kind` even when a cache
    /// stored it without them.
    var eventSubject: JSONValue {
        var subject = object
        subject["apiVersion"] = .string(FraudModelResource.apiVersion)
        subject["kind"] = .string(FraudModelResource.kind)
        return subject
    }
}
