/// Every default of the FraudModel spec, stated once.
///
/// The CRD's schema publishes these as `default:` (so the API server fills them in), and the
/// Swift decoder applies the same values when a field is absent (objects written before a
/// default existed, or handed to the planner without going through an API server).
public enum FraudModelDefaults {
    /// `spec.replicas`: 3.
    public static let replicas = 3
    /// `spec.threshold`: 0.5, the decision threshold above which a transaction is fraud.
    public static let threshold = 0.5
    /// `spec.port`: 8080, the container port fraud-server listens on.
    public static let port = 8080
    /// `spec.image.pullPolicy`: `IfNotPresent`.
    public static let pullPolicy = PullPolicy.ifNotPresent
    /// `spec.rollout.strategy`: `Sequential`.
    public static let strategy = RolloutStrategy.sequential
    /// `spec.rollout.bakeSeconds`: 30.
    public static let bakeSeconds = 30
    /// `spec.rollout.progressDeadlineSeconds`: 300.
    public static let progressDeadlineSeconds = 300
    /// `spec.rollout.onFailure`: `RollbackAll`.
    public static let onFailure = FailurePolicy.rollbackAll
    /// `spec.rollout.paused`: false.
    public static let paused = false
    /// `spec.traffic.policy`: `Weighted`, because it needs nothing but `hostname` (every
    /// cluster weight 1: an even split), where `Failover` needs `primary`.
    public static let trafficPolicy = TrafficPolicy.weighted
    /// The serving pods' metrics port (`METRICS_PORT`): 9091. `spec.port` may not take it.
    public static let metricsPort = 9091
    /// `spec.traffic.exposure`: `Internal`: a model endpoint is private until its owner says otherwise.
    public static let trafficExposure = TrafficExposure.internal
    /// `spec.traffic.service.type`: `LoadBalancer`.
    public static let trafficServiceType = TrafficServiceType.loadBalancer
    /// `spec.traffic.drainDuringRollout`: true.
    public static let drainDuringRollout = true
    /// The weight of a cluster `spec.traffic.weights` does not list: 1.
    public static let unlistedClusterWeight = 1

    /// `spec.replicas` and `spec.clusters[].replicas` bounds: 0…1000.
    public static let replicasRange = 0...1000
    /// `spec.port` bounds: 1…65535.
    public static let portRange = 1...65535
    /// `spec.rollout.progressDeadlineSeconds` lower bound: 1.
    public static let minimumProgressDeadlineSeconds = 1
    /// `spec.traffic.weights` bounds: 0…255, Route 53's.
    public static let weightRange = 0...255
    /// `spec.traffic.hostname` length limit: 253, a DNS name's.
    public static let maximumHostnameLength = 253
}
