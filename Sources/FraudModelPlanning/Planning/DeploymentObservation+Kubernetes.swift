import FraudModelAPI
import FraudServingContract
import KubeAPI

extension DeploymentObservation {
    /// The label that carries the model version on the Deployment's pod template.
    public static let versionLabel = "app.kubernetes.io/version"
    /// The serving container's name.
    public static let containerName = "fraud-server"
    /// Container waiting reasons that mean new pods will not become ready on their own.
    public static let stuckReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "InvalidImageName", "CrashLoopBackOff", "CreateContainerConfigError",
        "CreateContainerError",
    ]

    /// Reads a Deployment the operator manages.
    ///
    /// `version` is the pod template's `app.kubernetes.io/version` label, else the tag of the
    /// `fraud-server` container's image; the revision is read from that container's image, its
    /// environment (`MODEL_SHA256`, `MODEL_PATH`, `MODEL_FORMAT`, `THRESHOLD`, as the operator
    /// writes them) and the template's storage URI annotations (``revisionAnnotations(of:)``).
    /// The image's repository is the one of `repositories` (the registry's remainder, the
    /// spec's repository, the path after the first `/`), and its tag is `version` or an
    /// explicit `imageTag`, whichever gives the revision digest in the template's
    /// `tandem.dev/revision` annotation, or the first that fits without one. `stuckReason` and `stuckMessage` come from the Deployment's pods (see
    /// `stuck(in:)`), which the Deployment itself does not report.
    public init(
        deployment: Deployment, registry: String? = nil, repository: String? = nil, stuck: (reason: String, message: String?)? = nil
    ) {
        let template = deployment.spec?.template
        let containers = template?[path: ["spec", "containers"]]?.arrayValue ?? []
        let container = containers.first { $0["name"]?.stringValue == Self.containerName } ?? containers.first
        let image = container?["image"]?.stringValue
        let label = template?[path: ["metadata", "labels", Self.versionLabel]]?.stringValue
        let status = deployment.status
        let generation = deployment.metadata.generation ?? 0
        let version = label ?? image.flatMap(Self.tag(of:))
        self.init(
            version: version, image: image,
            revision: version.flatMap { version in
                image.flatMap { image in
                    Self.revision(
                        of: container, image: image, version: version, registry: registry, repository: repository,
                        annotations: template?[path: ["metadata", "annotations"]])
                }
            },
            replicas: Int(deployment.spec?.replicas ?? 1), readyReplicas: Int(status?.readyReplicas ?? 0),
            updatedReplicas: Int(status?.updatedReplicas ?? 0), availableReplicas: Int(status?.availableReplicas ?? 0),
            isCurrent: (status?.observedGeneration ?? -1) >= generation,
            progressDeadlineExceeded: status?.conditions?.contains { $0.type == "Progressing" && $0.reason == "ProgressDeadlineExceeded" } ?? false,
            stuckReason: stuck?.reason, stuckMessage: stuck?.message)
        totalReplicas = status?.replicas.map(Int.init)
    }

    /// The pod-template annotation naming the revision its pods run (`ModelRevision.digest`).
    public static let revisionAnnotation = "tandem.dev/revision"
    /// The pod-template annotation holding the revision's `storageURI` template, when set.
    public static let storageURIAnnotation = "tandem.dev/storage-uri"
    /// The pod-template annotation holding the revision's per-cluster storage URI templates as
    /// a JSON object (cluster name to template), when set.
    public static let clusterStorageURIsAnnotation = "tandem.dev/cluster-storage-uris"

    /// The pod-template annotations that name `revision`: its digest, and the storage URI
    /// templates a Deployment's environment cannot tell (it holds one cluster's resolved URI,
    /// the revision every cluster's template). A revision without storage URIs gets the
    /// digest alone, as before storage URIs existed.
    public static func revisionAnnotations(of revision: ModelRevision) -> [String: String] {
        var annotations = [revisionAnnotation: revision.digest]
        if let template = revision.storageURI { annotations[storageURIAnnotation] = template }
        if let templates = revision.clusterStorageURIs {
            annotations[clusterStorageURIsAnnotation] = JSONValue.object(templates.mapValues { .string($0) }).jsonString
        }
        return annotations
    }

    /// The revision a serving container runs, from its image, its environment and the pod
    /// template's `annotations`.
    static func revision(
        of container: JSONValue?, image: String, version: String, registry: String?, repository: String?, annotations: JSONValue?
    ) -> ModelRevision? {
        var environment: [String: String] = [:]
        for variable in container?["env"]?.arrayValue ?? [] {
            guard let name = variable["name"]?.stringValue, let value = variable["value"]?.stringValue else { continue }
            environment[name] = value
        }
        let imageTag = Self.tag(of: image) ?? version
        let tag = ":\(imageTag)"
        var repositories: [String] = []
        if let registry, image.hasPrefix("\(registry)/"), image.hasSuffix(tag) {
            repositories.append(String(image.dropFirst(registry.count + 1).dropLast(tag.count)))
        }
        if let repository, image.hasSuffix("/\(repository)\(tag)") { repositories.append(repository) }
        if let firstSlash = Self.repository(of: image, version: imageTag) { repositories.append(firstSlash) }
        // A tag equal to the version may be implicit (no spec.image.tag) or explicit.
        let explicitTags: [String?] = imageTag == version ? [nil, imageTag] : [imageTag]
        let clusterTemplates = annotations?[clusterStorageURIsAnnotation]?.stringValue
            .flatMap { try? JSONValue(parsing: $0) }?.objectValue?.compactMapValues(\.stringValue)
        let candidates = repositories.filter { !$0.isEmpty }.flatMap { repository in
            explicitTags.map { explicitTag in
                ModelRevision(
                    version: version, repository: repository, imageTag: explicitTag, modelSHA256: environment[ServingEnvironment.modelSHA256],
                    modelPath: environment[ServingEnvironment.modelPath], storageURI: annotations?[storageURIAnnotation]?.stringValue,
                    clusterStorageURIs: clusterTemplates, modelFormat: environment[ServingEnvironment.modelFormat],
                    threshold: environment[ServingEnvironment.threshold].flatMap(Double.init) ?? FraudModelDefaults.threshold)
            }
        }
        if let digest = annotations?[revisionAnnotation]?.stringValue, let named = candidates.first(where: { $0.digest == digest }) {
            return named
        }
        return candidates.first
    }

    /// The first container of `pods` waiting for a reason in `stuckReasons`, with its message.
    public static func stuck(in pods: [JSONValue]) -> (reason: String, message: String?)? {
        for pod in pods {
            let statuses = (pod[path: ["status", "initContainerStatuses"]]?.arrayValue ?? [])
                + (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
            for status in statuses {
                guard let reason = status[path: ["state", "waiting", "reason"]]?.stringValue, stuckReasons.contains(reason) else { continue }
                return (reason, status[path: ["state", "waiting", "message"]]?.stringValue)
            }
        }
        return nil
    }

    /// The tag of an image reference (`registry:5000/repo:2.1.0` → `2.1.0`); nil for digests
    /// or untagged references.
    static func tag(of image: String) -> String? {
        guard !image.contains("@"), let colon = image.lastIndex(of: ":") else { return nil }
        let tag = image[image.index(after: colon)...]
        return tag.contains("/") || tag.isEmpty ? nil : String(tag)
    }
}
