import FraudModelAPI
import FraudModelPlanning
import FraudServingContract
import KubeAPI

/// The Deployment that serves a FraudModel in one cluster, as a server-side apply configuration.
///
/// It names only the fields the operator owns: labels and annotations added by others, extra
/// containers injected by a mesh, and every defaulted field stay with their owners.
///
/// # Guarantees
/// - The container `fraud-server` runs the target's revision: its image, and its model
///   settings in the environment (`MODEL_NAME`, `MODEL_VERSION`, `MODEL_SHA256`, `THRESHOLD`,
///   `PORT`, `SHUTDOWN_DELAY_SECONDS`, and `MODEL_PATH` / `MODEL_FORMAT` when the revision sets
///   them), named as ``ServingEnvironment`` spells them. The live spec contributes only what
///   is not part of a revision: port, resources, pull policy, replicas.
/// - Readiness on `/v2/health/ready`, liveness on `/v2/health/live` behind a startup probe that
///   gives a large model 3 minutes to load, every probe with a timeout; a rolling update that
///   never takes a ready pod away before its replacement is ready (`maxUnavailable: 0`).
/// - Without `spec.resources`, the container requests ``defaultRequests`` so the scheduler
///   places it on a node with room (a pod without requests is the first evicted).
/// - No request is dropped when a pod stops: on SIGTERM fraud-server turns unready at once,
///   keeps serving for ``shutdownDelaySeconds`` while endpoints and load balancers drop it,
///   then finishes in-flight requests within ``terminationGracePeriodSeconds``.
/// - Pods meet the `restricted` Pod Security Standard: non-root, no privilege escalation, every
///   capability dropped, `RuntimeDefault` seccomp, read-only root filesystem.
public enum ServingDeployment {
    /// The serving container's name.
    public static let containerName = DeploymentObservation.containerName
    /// The user and group the serving image runs as (`Dockerfile`'s `USER 10001:10001`).
    public static let runAsUser: Int64 = 10001
    /// The readiness probe's path (Open Inference Protocol).
    public static let readinessPath = "/v2/health/ready"
    /// The liveness probe's path (Open Inference Protocol).
    public static let livenessPath = "/v2/health/live"
    /// Seconds a stopping pod keeps serving, unready, before it closes its listener: longer
    /// than endpoints take to drop it (kube-proxy, cloud load balancers' deregistration).
    public static let shutdownDelaySeconds = 5
    /// The pod's termination grace period: the shutdown delay plus time to drain requests.
    public static let terminationGracePeriodSeconds: Int64 = 30
    /// What the container requests when `spec.resources` sets neither requests nor limits:
    /// 250m CPU and 256Mi (a 50 MB model's trees with room for batches).
    public static let defaultRequests = ["cpu": "250m", "memory": "256Mi"]
    /// The container port serving only `/metrics` (`METRICS_PORT`, port name `metrics`): no
    /// Service exposes it, so metrics never reach a load balancer; Prometheus scrapes the pods.
    public static let metricsPort = FraudModelDefaults.metricsPort
    /// The pod-template annotation naming the revision its pods run (`ModelRevision.digest`).
    public static let revisionAnnotation = DeploymentObservation.revisionAnnotation

    /// The apply configuration of `model`'s Deployment running `target`.
    public static func configuration(for model: FraudModel, target: DeploymentTarget) -> JSONValue {
        let name = model.metadata.name ?? ""
        let spec = model.spec
        let labels = ServingLabels.labels(instance: name, version: target.version)
        let container: JSONValue = [
            "name": .string(containerName),
            "image": .string(target.image),
            "imagePullPolicy": .string(spec.image.pullPolicy.rawValue),
            "ports": [
                ["name": "http", "containerPort": .int(Int64(spec.port)), "protocol": "TCP"],
                ["name": "metrics", "containerPort": .int(Int64(metricsPort)), "protocol": "TCP"],
            ],
            "env": .array(environment(of: target.revision, name: name, port: spec.port).map { ["name": .string($0.0), "value": .string($0.1)] }),
            // Readiness is cheap to ask: every surge step of a rollout waits for the next probe.
            "readinessProbe": probe(path: readinessPath, period: 2, timeout: 2, failures: 3),
            "livenessProbe": probe(path: livenessPath, period: 10, timeout: 5, failures: 3),
            // Liveness starts once the process answers: loading a large model cannot get it killed.
            "startupProbe": probe(path: livenessPath, period: 2, timeout: 2, failures: 90),
            "resources": resources(spec.resources),
            "securityContext": [
                "allowPrivilegeEscalation": false,
                "readOnlyRootFilesystem": true,
                "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]],
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
        ]
        return [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": ServingMetadata.metadata(of: model, labels: labels),
            "spec": [
                "replicas": .int(Int64(target.replicas)),
                "selector": ["matchLabels": .stringMap(ServingLabels.selector(instance: name))],
                "progressDeadlineSeconds": .int(Int64(spec.rollout.progressDeadlineSeconds)),
                "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 0, "maxSurge": 1]],
                "template": [
                    "metadata": [
                        "labels": .stringMap(labels),
                        "annotations": .stringMap([revisionAnnotation: target.revision.digest]),
                    ],
                    "spec": [
                        "automountServiceAccountToken": false,
                        "terminationGracePeriodSeconds": .int(terminationGracePeriodSeconds),
                        "securityContext": [
                            "runAsNonRoot": true,
                            "runAsUser": .int(runAsUser),
                            "runAsGroup": .int(runAsUser),
                            "seccompProfile": ["type": "RuntimeDefault"],
                        ],
                        "containers": [container],
                    ],
                ],
            ],
        ]
    }

    /// The serving container's environment, in a stable order.
    static func environment(of revision: ModelRevision, name: String, port: Int) -> [(String, String)] {
        var environment = [(ServingEnvironment.modelName, name), (ServingEnvironment.modelVersion, revision.version)]
        if let sha = revision.modelSHA256 { environment.append((ServingEnvironment.modelSHA256, sha)) }
        environment.append((ServingEnvironment.threshold, "\(revision.threshold)"))
        environment.append((ServingEnvironment.port, "\(port)"))
        environment.append((ServingEnvironment.metricsPort, "\(metricsPort)"))
        if let path = revision.modelPath { environment.append((ServingEnvironment.modelPath, path)) }
        if let format = revision.modelFormat { environment.append((ServingEnvironment.modelFormat, format)) }
        environment.append((ServingEnvironment.shutdownDelaySeconds, "\(shutdownDelaySeconds)"))
        return environment
    }

    private static func probe(path: String, period: Int64, timeout: Int64, failures: Int64) -> JSONValue {
        [
            "httpGet": ["path": .string(path), "port": "http"], "periodSeconds": .int(period), "timeoutSeconds": .int(timeout),
            "failureThreshold": .int(failures),
        ]
    }

    private static func resources(_ requirements: ResourceRequirements?) -> JSONValue {
        guard requirements?.limits != nil || requirements?.requests != nil else { return ["requests": .stringMap(defaultRequests)] }
        var resources: [String: JSONValue] = [:]
        if let limits = requirements?.limits { resources["limits"] = .stringMap(limits) }
        if let requests = requirements?.requests { resources["requests"] = .stringMap(requests) }
        return .object(resources)
    }
}

extension JSONValue {
    /// A JSON object of strings.
    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues { .string($0) })
    }
}
