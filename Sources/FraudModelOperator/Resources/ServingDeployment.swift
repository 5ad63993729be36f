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
/// - With a storage URI (the target's `modelURI`) the container downloads the model at start:
///   `MODEL_URI` instead of `MODEL_PATH`, and `MODEL_CACHE_DIR` on ``modelCacheDirectory``, an
///   `emptyDir` of at most ``modelCacheSizeLimit`` (the root filesystem is read-only), so a
///   restarted container verifies its cached copy instead of downloading again. The image
///   (`spec.image.tag`) then stays the same from one model version to the next.
/// - The member's `serving` settings add what is not part of a revision either: the pods'
///   ServiceAccount (``ServingServiceAccount``) and extra environment variables, after the
///   operator's own, which they never replace (``operatorEnvironment``).
/// - A spec using none of these gets the very Deployment earlier releases applied.
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
    /// Where downloaded models are kept (`MODEL_CACHE_DIR`): `/var/cache/fraud-server`.
    public static let modelCacheDirectory = "/var/cache/fraud-server"
    /// The `emptyDir` volume mounted at ``modelCacheDirectory``: `model-cache`.
    public static let modelCacheVolume = "model-cache"
    /// The most the model cache may hold: 2Gi, a model at fraud-server's 1 GiB `MODEL_MAX_BYTES`
    /// and its download in flight. It counts as the pod's ephemeral storage; beyond it the
    /// kubelet evicts the pod.
    public static let modelCacheSizeLimit = "2Gi"
    /// Every environment variable the operator sets itself; a member's `serving.env` may not.
    public static let operatorEnvironment = [
        ServingEnvironment.modelName, ServingEnvironment.modelVersion, ServingEnvironment.modelSHA256, ServingEnvironment.threshold,
        ServingEnvironment.port, ServingEnvironment.metricsPort, ServingEnvironment.modelPath, ServingEnvironment.modelURI,
        ServingEnvironment.modelCacheDir, ServingEnvironment.modelFormat, ServingEnvironment.shutdownDelaySeconds,
    ]

    /// The apply configuration of `model`'s Deployment running `target` in a member cluster
    /// whose pods run with `serving` (by default: no identity, no extra variable).
    public static func configuration(for model: FraudModel, target: DeploymentTarget, serving: MemberServing = MemberServing()) -> JSONValue {
        let name = model.metadata.name ?? ""
        let spec = model.spec
        let labels = ServingLabels.labels(instance: name, version: target.version)
        var container: JSONValue = [
            "name": .string(containerName),
            "image": .string(target.image),
            "imagePullPolicy": .string(spec.image.pullPolicy.rawValue),
            "ports": [
                ["name": "http", "containerPort": .int(Int64(spec.port)), "protocol": "TCP"],
                ["name": "metrics", "containerPort": .int(Int64(metricsPort)), "protocol": "TCP"],
            ],
            "env": .array(environment(of: target, name: name, port: spec.port, serving: serving).map { ["name": .string($0.0), "value": .string($0.1)] }),
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
        var podSpec: JSONValue = [
            "automountServiceAccountToken": false,
            "terminationGracePeriodSeconds": .int(terminationGracePeriodSeconds),
            "securityContext": [
                "runAsNonRoot": true,
                "runAsUser": .int(runAsUser),
                "runAsGroup": .int(runAsUser),
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
        ]
        if target.modelURI != nil {
            container["volumeMounts"] = [["name": .string(modelCacheVolume), "mountPath": .string(modelCacheDirectory)]]
            podSpec["volumes"] = [["name": .string(modelCacheVolume), "emptyDir": ["sizeLimit": .string(modelCacheSizeLimit)]]]
        }
        if let account = serving.serviceAccountName(for: name) { podSpec["serviceAccountName"] = .string(account) }
        podSpec["containers"] = [container]
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
                        "annotations": .stringMap(DeploymentObservation.revisionAnnotations(of: target.revision)),
                    ],
                    "spec": podSpec,
                ],
            ],
        ]
    }

    /// The serving container's environment, in a stable order: the operator's variables, then
    /// the member's extra ones by name (any of ``operatorEnvironment`` among them is dropped:
    /// the configuration refuses them, and the operator's value must win).
    static func environment(of target: DeploymentTarget, name: String, port: Int, serving: MemberServing) -> [(String, String)] {
        let revision = target.revision
        var environment = [(ServingEnvironment.modelName, name), (ServingEnvironment.modelVersion, revision.version)]
        if let sha = revision.modelSHA256 { environment.append((ServingEnvironment.modelSHA256, sha)) }
        environment.append((ServingEnvironment.threshold, "\(revision.threshold)"))
        environment.append((ServingEnvironment.port, "\(port)"))
        environment.append((ServingEnvironment.metricsPort, "\(metricsPort)"))
        if let uri = target.modelURI {
            environment.append((ServingEnvironment.modelURI, uri))
            environment.append((ServingEnvironment.modelCacheDir, modelCacheDirectory))
        } else if let path = revision.modelPath {
            environment.append((ServingEnvironment.modelPath, path))
        }
        if let format = revision.modelFormat { environment.append((ServingEnvironment.modelFormat, format)) }
        environment.append((ServingEnvironment.shutdownDelaySeconds, "\(shutdownDelaySeconds)"))
        let owned = Set(operatorEnvironment)
        for (variable, value) in serving.environment.sorted(by: { $0.key < $1.key }) where !owned.contains(variable) {
            environment.append((variable, value))
        }
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
