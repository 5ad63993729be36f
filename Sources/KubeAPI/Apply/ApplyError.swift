/// Fields an apply would change that other managers own: kube-apiserver's 409 `FieldManagerConflict`.
public struct ApplyConflict: Error, Sendable, Hashable, CustomStringConvertible {
    /// One field owned by another manager.
    public struct Conflict: Sendable, Hashable {
        /// The entry that owns the field.
        public var owner: ManagedFieldsEntry.Identity
        /// The field (`.spec.replicas`).
        public var path: FieldPath

        /// A conflict on `path` with the entry `owner`.
        public init(owner: ManagedFieldsEntry.Identity, path: FieldPath) {
            self.owner = owner
            self.path = path
        }

        /// The manager's name.
        public var manager: String { owner.manager }
        /// The field as kube-apiserver prints it: `.spec.replicas`.
        public var field: String { path.description }
        /// The cause's message: `conflict with "kubectl-client-side-apply" using apps/v1`.
        public var causeMessage: String { "conflict with \(owner.displayName)" }
    }

    /// The conflicts, by owner (as kube-apiserver sorts manager identifiers) then field.
    public var conflicts: [Conflict]

    /// The conflicts, sorted as kube-apiserver prints them.
    public init(conflicts: [Conflict]) {
        self.conflicts = conflicts.sorted { ($0.owner, $0.path) < ($1.owner, $1.path) }
    }

    /// kube-apiserver's message: `Apply failed with 1 conflict: conflict with "m" using v1: .data.a`, or
    /// `Apply failed with 2 conflicts: conflicts with "m" using v1:\n- .data.a\n- .data.b`.
    public var message: String {
        if conflicts.count == 1 {
            return "Apply failed with 1 conflict: \(conflicts[0].causeMessage): \(conflicts[0].field)"
        }
        var lines: [String] = []
        var currentOwner: ManagedFieldsEntry.Identity?
        for conflict in conflicts {
            if conflict.owner != currentOwner {
                lines.append("conflicts with \(conflict.owner.displayName):")
                currentOwner = conflict.owner
            }
            lines.append("- \(conflict.field)")
        }
        return "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
    }

    /// The message (see `message`).
    public var description: String { message }

    /// The 409 Status kube-apiserver answers with, one `FieldManagerConflict` cause per field.
    public var status: KubeStatus {
        KubeStatus(
            code: 409, reason: "Conflict", message: message,
            causes: conflicts.map { KubeStatus.Cause(reason: "FieldManagerConflict", message: $0.causeMessage, field: $0.field) })
    }
}

/// Why a server-side apply was refused.
public enum ApplyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration changes fields other managers own (HTTP 409); retry with `force` to take them.
    case conflict(ApplyConflict)
    /// The configuration or the stored managedFields cannot be applied (HTTP 400), with the reason.
    case badRequest(String)

    /// The message kube-apiserver answers with.
    public var description: String {
        switch self {
        case .conflict(let conflict): return conflict.message
        case .badRequest(let message): return message
        }
    }

    /// The Status kube-apiserver answers with.
    public var status: KubeStatus {
        switch self {
        case .conflict(let conflict): return conflict.status
        case .badRequest(let message): return KubeStatus(code: 400, reason: "BadRequest", message: message)
        }
    }
}
