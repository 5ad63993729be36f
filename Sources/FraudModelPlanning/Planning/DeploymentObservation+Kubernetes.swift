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
    /// `fraud-server` container's image; `stuckReason` and `stuckMessage` come from the
    /// Deployment's pods (see `stuck(in:)`), which the Deployment itself does not report.
    public init(deployment: Deployment, stuck: (reason: String, message: String?)? = nil) {
        let template = deployment.spec?.template
        let containers = template?[path: ["spec", "containers"]]?.arrayValue ?? []
        let container = containers.first { $0["name"]?.stringValue == Self.containerName } ?? containers.first
        let image = container?["image"]?.stringValue
        let label = template?[path: ["metadata", "labels", Self.versionLabel]]?.stringValue
        let status = deployment.status
        let generation = deployment.metadata.generation ?? 0
        self.init(
            version: label ?? image.flatMap(Self.tag(of:)), image: image,
            replicas: Int(deployment.spec?.replicas ?? 1), readyReplicas: Int(status?.readyReplicas ?? 0),
            updatedReplicas: Int(status?.updatedReplicas ?? 0), availableReplicas: Int(status?.availableReplicas ?? 0),
            isCurrent: (status?.observedGeneration ?? -1) >= generation,
            progressDeadlineExceeded: status?.conditions?.contains { $0.type == "Progressing" && $0.reason == "ProgressDeadlineExceeded" } ?? false,
            stuckReason: stuck?.reason, stuckMessage: stuck?.message)
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
