import FraudModelAPI
import KubeAPI

/// The one way a FraudModel copy says its spec cannot be acted on — whether it failed to decode
/// or names clusters the operator does not know: Ready and Progressing False, Degraded True, all
/// with reason `InvalidSpec` and the problems as the message.
package enum InvalidSpec {
    /// The conditions' reason.
    package static let reason = "InvalidSpec"

    /// Sets the three conditions (a condition already saying the same keeps its transition time).
    package static func mark(_ conditions: inout [Condition], message: String, generation: Int64? = nil, time: String) {
        conditions.set(Condition(type: FraudModelConditions.ready, status: .false, reason: reason, message: message,
                                 observedGeneration: generation, lastTransitionTime: time))
        conditions.set(Condition(type: FraudModelConditions.progressing, status: .false, reason: reason, message: message,
                                 observedGeneration: generation, lastTransitionTime: time))
        conditions.set(Condition(type: FraudModelConditions.degraded, status: .true, reason: reason, message: message,
                                 observedGeneration: generation, lastTransitionTime: time))
    }
}
