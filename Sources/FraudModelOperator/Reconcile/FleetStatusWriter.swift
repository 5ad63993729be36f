#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FraudModelAPI
import KubeAPI
import KubeClient
import KubeRuntime

/// Writes a FraudModel copy's status through the status subresource, only when it changed.
enum FleetStatusWriter {
    /// Sets the fields the operator owns to `status`, keeping fields it does not know.
    static func write(_ status: FraudModelStatus, to copy: FraudModel, client: KubeClient) async throws {
        let writer = StatusWriter(client: client, resource: FraudModelResource.descriptor)
        _ = try await writer.update(copy.object) { current in
            current = try status.merged(into: current)
        }
    }
}

/// The status of a copy whose spec cannot be read: Degraded with reason `InvalidSpec` and the
/// decoding problems, every other field kept. Nothing is deployed from such a copy.
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
            conditions.set(Condition(type: FraudModelConditions.ready, status: .false, reason: "InvalidSpec", message: message,
                                     observedGeneration: generation, lastTransitionTime: time))
            conditions.set(Condition(type: FraudModelConditions.degraded, status: .true, reason: "InvalidSpec", message: message,
                                     observedGeneration: generation, lastTransitionTime: time))
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
