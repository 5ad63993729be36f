import KubeAPI

/// The defaults and validation kube-apiserver applies to Deployments, ReplicaSets, Pods and
/// their pod templates (`pkg/apis/apps/v1/defaults.go`, `pkg/apis/core/v1/defaults.go`).
enum WorkloadDefaults {
    static func applyToDeployment(_ object: inout JSONValue) {
        var spec = object["spec"] ?? .emptyObject
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        var strategy = spec["strategy"] ?? .emptyObject
        if strategy["type"] == nil { strategy["type"] = "RollingUpdate" }
        if strategy["type"] == "RollingUpdate" {
            var rolling = strategy["rollingUpdate"] ?? .emptyObject
            if rolling["maxUnavailable"] == nil { rolling["maxUnavailable"] = "25%" }
            if rolling["maxSurge"] == nil { rolling["maxSurge"] = "25%" }
            strategy["rollingUpdate"] = rolling
        }
        spec["strategy"] = strategy
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["progressDeadlineSeconds"] == nil { spec["progressDeadlineSeconds"] = 600 }
        applyToTemplate(&spec)
        object["spec"] = spec
    }

    static func applyToReplicaSet(_ object: inout JSONValue) {
        var spec = object["spec"] ?? .emptyObject
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        applyToTemplate(&spec)
        object["spec"] = spec
    }

    static func applyToTemplate(_ spec: inout JSONValue) {
        guard var template = spec["template"] else { return }
        var podSpec = template["spec"] ?? .emptyObject
        applyToPodSpec(&podSpec)
        template["spec"] = podSpec
        spec["template"] = template
    }

    static func applyToPodSpec(_ spec: inout JSONValue) {
        let defaults: [(String, JSONValue)] = [
            ("restartPolicy", "Always"), ("terminationGracePeriodSeconds", 30), ("dnsPolicy", "ClusterFirst"),
            ("securityContext", .emptyObject), ("schedulerName", "default-scheduler"),
        ]
        for (field, value) in defaults where spec[field] == nil { spec[field] = value }
        for list in ["containers", "initContainers"] {
            guard let containers = spec[list]?.arrayValue else { continue }
            spec[list] = .array(containers.map(defaultedContainer))
        }
    }

    static func defaultedContainer(_ container: JSONValue) -> JSONValue {
        var container = container
        if container["terminationMessagePath"] == nil { container["terminationMessagePath"] = "/dev/termination-log" }
        if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = "File" }
        if container["imagePullPolicy"] == nil {
            let image = container["image"]?.stringValue ?? ""
            container["imagePullPolicy"] = .string(imageHasFixedTag(image) ? "IfNotPresent" : "Always")
        }
        if container["resources"] == nil { container["resources"] = .emptyObject }
        if let ports = container["ports"]?.arrayValue {
            container["ports"] = .array(ports.map { port in
                var port = port
                if port["protocol"] == nil { port["protocol"] = "TCP" }
                return port
            })
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            guard var value = container[probe] else { continue }
            for (field, defaultValue) in [("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)] as [(String, JSONValue)]
            where value[field] == nil {
                value[field] = defaultValue
            }
            if var get = value["httpGet"], get["scheme"] == nil {
                get["scheme"] = "HTTP"
                value["httpGet"] = get
            }
            container[probe] = value
        }
        return container
    }

    /// `latest` or no tag pulls Always; a digest or any other tag IfNotPresent.
    static func imageHasFixedTag(_ image: String) -> Bool {
        if image.contains("@") { return true }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return false }
        return lastComponent[lastComponent.index(after: colon)...] != "latest"
    }

    /// Validation of a Deployment or ReplicaSet: a selector that matches the template's labels,
    /// and containers with names and images.
    static func validateWorkload(_ object: JSONValue, kind: String) -> [KubeStatus.Cause] {
        var causes: [KubeStatus.Cause] = []
        let spec = object["spec"] ?? .emptyObject
        if let replicas = spec["replicas"]?.intValue, replicas < 0 {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0", field: "spec.replicas"))
        }
        guard let selector = SelectorText.selectorValue(spec["selector"]), !selector.isEmpty else {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.selector"))
            return causes
        }
        let labels = (spec[path: ["template", "metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        if !selector.matches(labels) {
            let rendered = labels.keys.sorted().map { "\"\($0)\":\"\(labels[$0]!)\"" }.joined(separator: ", ")
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: map[string]string{\(rendered)}: `selector` does not match template `labels`", field: "spec.template.metadata.labels"))
        }
        causes += validatePodSpec(spec[path: ["template", "spec"]] ?? .emptyObject, field: "spec.template.spec")
        return causes
    }

    static func validatePodSpec(_ spec: JSONValue, field: String) -> [KubeStatus.Cause] {
        var causes: [KubeStatus.Cause] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "\(field).containers"))
        }
        var names: Set<String> = []
        for (index, container) in containers.enumerated() {
            let name = container["name"]?.stringValue ?? ""
            if name.isEmpty {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "\(field).containers[\(index)].name"))
            } else if !names.insert(name).inserted {
                causes.append(.init(reason: "FieldValueDuplicate", message: "Duplicate value: \"\(name)\"", field: "\(field).containers[\(index)].name"))
            }
            if (container["image"]?.stringValue ?? "").isEmpty {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "\(field).containers[\(index)].image"))
            }
        }
        return causes
    }
}
