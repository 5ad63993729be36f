/// `metav1.Condition`: one aspect of an object's observed state (`Ready`, `Progressing`, …).
public struct Condition: Codable, Sendable, Hashable {
    /// The three values `status` takes.
    public enum Status: String, Codable, Sendable, Hashable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }

    /// The condition type, CamelCase (`Ready`).
    public var type: String
    /// Whether the condition holds.
    public var status: Status
    /// The `metadata.generation` this condition was computed from.
    public var observedGeneration: Int64?
    /// When `status` last changed (RFC 3339).
    public var lastTransitionTime: String
    /// A CamelCase, machine-readable reason for the last transition.
    public var reason: String
    /// A human-readable explanation.
    public var message: String

    /// A condition; `message` defaults to empty.
    public init(type: String, status: Status, reason: String, message: String = "", observedGeneration: Int64? = nil, lastTransitionTime: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }
}

extension Array where Element == Condition {
    /// The condition of `type`, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Sets a condition as `meta.SetStatusCondition` does: `lastTransitionTime` only moves when
    /// `status` changes; reason, message and observedGeneration are always updated.
    /// Returns true when anything changed.
    @discardableResult
    public mutating func set(_ condition: Condition) -> Bool {
        guard let index = firstIndex(where: { $0.type == condition.type }) else {
            append(condition)
            return true
        }
        var updated = condition
        if self[index].status == condition.status { updated.lastTransitionTime = self[index].lastTransitionTime }
        guard self[index] != updated else { return false }
        self[index] = updated
        return true
    }

    /// Removes the condition of `type`; returns true when one was removed.
    @discardableResult
    public mutating func remove(type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
