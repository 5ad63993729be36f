import FraudModelAPI
import FraudModelPlanning
import KubeAPI

/// The Deployment that serves a FraudModel in one cluster, as a server-side apply configuration.
///
/// It names only the fields the operator owns: labels and annotations added by others, extra
/// containers injected by a mesh, and every defaulted field stay with their owners.
///
/// # Guarantees
/// - The container `fraud-server` runs `<registry>/<repository>:<version>` with the model's
///   settings in its environment (`MODEL_NAME`, `MODEL_VERSION`, `MODEL_SHA256`, `THRESHOLD`,
///   `PORT`, and `MODEL_PATH` / `MODEL_FORMAT` when `spec.model` sets them).
/// - Readiness on `/v2/health/ready`, liveness on `/v2/health/live`; a rolling update that never
///   takes a ready pod away before its replacement is ready (`maxUnavailable: 0`).
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

    /// The apply configuration of `model`'s Deployment running `target`.
    public static func configuration(for model: FraudModel, target: DeploymentTarget) -> JSONValue {
        let name = model.metadata.name ?? ""
        let spec = model.spec
        let labels = ServingLabels.labels(instance: name, version: target.version)
        let container: JSONValue = [
            "name": .string(containerName),
            "image": .string(target.image),
            "imagePullPolicy": .string(spec.image.pullPolicy.rawValue),
            "ports": [["name": "http", "containerPort": .int(Int64(spec.port)), "protocol": "TCP"]],
            "env": .array(environment(of: spec, name: name, version: target.version).map { ["name": .string($0.0), "value": .string($0.1)] }),
            "readinessProbe": probe(path: readinessPath, period: 5),
            "livenessProbe": probe(path: livenessPath, period: 10),
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
                    "metadata": ["labels": .stringMap(labels)],
                    "spec": [
                        "automountServiceAccountToken": false,
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
    static func environment(of spec: FraudModelSpec, name: String, version: String) -> [(String, String)] {
        var environment = [("MODEL_NAME", name), ("MODEL_VERSION", version)]
        if let sha = spec.modelSHA256 { environment.append(("MODEL_SHA256", sha)) }
        environment.append(("THRESHOLD", "\(spec.threshold)"))
        environment.append(("PORT", "\(spec.port)"))
        if let path = spec.model?.path { environment.append(("MODEL_PATH", path)) }
        if let format = spec.model?.format { environment.append(("MODEL_FORMAT", format)) }
        return environment
    }

    private static func probe(path: String, period: Int64) -> JSONValue {
        ["httpGet": ["path": .string(path), "port": "http"], "periodSeconds": .int(period), "failureThreshold": 3]
    }

    private static func resources(_ requirements: ResourceRequirements?) -> JSONValue {
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
