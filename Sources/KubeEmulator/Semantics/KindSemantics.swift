import Foundation
import KubeAPI

/// What kube-apiserver's per-kind strategies do on create and update: defaults, server-set
/// fields and immutable fields, for the built-in kinds the emulator serves.
enum KindSemantics {
    static func prepareForCreate(_ object: inout JSONValue, definition: ResourceDefinition, now: Date) throws(KubeStatus) {
        guard !definition.isCustom else { return }
        switch definition.kind {
        case "Namespace":
            let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
            object[path: ["spec", "finalizers"]] = ["kubernetes"]
            object["status"] = ["phase": "Active"]
        case "Secret":
            convertStringData(&object)
            if object["type"] == nil { object["type"] = "Opaque" }
        case "Service":
            try defaultService(&object, old: nil)
            object["status"] = ["loadBalancer": .emptyObject]
        case "CustomResourceDefinition":
            CustomResourceDefinitions.applyDefaults(to: &object)
            let causes = CustomResourceDefinitions.validate(object)
            if !causes.isEmpty {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: causes)
            }
            object["status"] = CustomResourceDefinitions.establishedStatus(of: object, now: Timestamp.rfc3339(now))
        case "Deployment", "ReplicaSet", "Pod", "PodDisruptionBudget":
            try prepareWorkload(&object, definition: definition)
            object["status"] = definition.kind == "Pod" ? ["phase": "Pending", "qosClass": "BestEffort"] : .emptyObject
        default:
            break
        }
    }

    static func prepareForUpdate(_ object: inout JSONValue, old: JSONValue, definition: ResourceDefinition) throws(KubeStatus) {
        guard !definition.isCustom else { return }
        switch definition.kind {
        case "Namespace":
            let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
            object[path: ["metadata", "labels", "kubernetes.io/metadata.name"]] = .string(name)
            if object[path: ["spec", "finalizers"]] == nil { object[path: ["spec", "finalizers"]] = old[path: ["spec", "finalizers"]] }
            object["status"] = old["status"]
        case "Secret":
            convertStringData(&object)
            if object["type"] == nil { object["type"] = old["type"] }
            if object["type"] != old["type"] {
                throw KubeStatus.invalid(kind: "Secret", group: "", name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: [
                    .init(reason: "FieldValueInvalid", message: "Invalid value: \(object["type"]?.jsonString ?? "\"\""): field is immutable", field: "type")
                ])
            }
        case "Service":
            try defaultService(&object, old: old)
        case "Deployment", "ReplicaSet", "Pod", "PodDisruptionBudget":
            try prepareWorkload(&object, definition: definition)
            if definition.kind != "PodDisruptionBudget", old[path: ["spec", "selector"]] != nil,
                old[path: ["spec", "selector"]] != object[path: ["spec", "selector"]], definition.kind != "Pod"
            {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: [
                    .init(reason: "FieldValueInvalid", message: "Invalid value: \(SelectorText.of(object[path: ["spec", "selector"]]).debugDescription): field is immutable", field: "spec.selector")
                ])
            }
        case "RoleBinding", "ClusterRoleBinding" where definition.group == RBACPolicy.group:
            let (proposed, previous) = (RBACPolicy.RoleRef(json: object["roleRef"]), RBACPolicy.RoleRef(json: old["roleRef"]))
            if proposed != previous {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: [
                    .init(reason: "FieldValueInvalid",
                          message: "Invalid value: rbac.RoleRef{APIGroup:\(GoQuoted.string(proposed.apiGroup)), Kind:\(GoQuoted.string(proposed.kind)), Name:\(GoQuoted.string(proposed.name))}: cannot change roleRef",
                          field: "roleRef")
                ])
            }
        case "CustomResourceDefinition":
            CustomResourceDefinitions.applyDefaults(to: &object)
            let causes = CustomResourceDefinitions.validate(object)
            if !causes.isEmpty {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: causes)
            }
            if old[path: ["spec", "group"]] != object[path: ["spec", "group"]] || old[path: ["spec", "names", "plural"]] != object[path: ["spec", "names", "plural"]] {
                throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: [
                    .init(reason: "FieldValueInvalid", message: "Invalid value: \(object[path: ["spec", "group"]]?.jsonString ?? "\"\""): field is immutable", field: "spec.group")
                ])
            }
            object["status"] = CustomResourceDefinitions.establishedStatus(of: object.merging(status: old["status"]), now: old[path: ["metadata", "creationTimestamp"]]?.stringValue ?? "")
        default:
            break
        }
    }

    /// Defaults and validates the workload kinds.
    static func prepareWorkload(_ object: inout JSONValue, definition: ResourceDefinition) throws(KubeStatus) {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        var causes: [KubeStatus.Cause] = []
        switch definition.kind {
        case "Deployment":
            WorkloadDefaults.applyToDeployment(&object)
            causes = WorkloadDefaults.validateWorkload(object, kind: definition.kind)
        case "ReplicaSet":
            WorkloadDefaults.applyToReplicaSet(&object)
            causes = WorkloadDefaults.validateWorkload(object, kind: definition.kind)
        case "Pod":
            var spec = object["spec"] ?? .emptyObject
            WorkloadDefaults.applyToPodSpec(&spec)
            object["spec"] = spec
            causes = WorkloadDefaults.validatePodSpec(spec, field: "spec")
        default:
            break
        }
        if !causes.isEmpty { throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: name, causes: causes) }
    }

    /// Moves `stringData` into base64 `data`, as the Secret strategy does.
    static func convertStringData(_ object: inout JSONValue) {
        guard let stringData = object["stringData"]?.objectValue else { return }
        var data = object["data"]?.objectValue ?? [:]
        for (key, value) in stringData {
            data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString())
        }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    /// Service defaults: type, cluster IP allocation, port protocol and targetPort, node ports.
    static func defaultService(_ object: inout JSONValue, old: JSONValue?) throws(KubeStatus) {
        var spec = object["spec"] ?? .emptyObject
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        spec["type"] = .string(type)
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if type != "ExternalName" {
            if let old, spec["clusterIP"] == nil || spec["clusterIP"]?.stringValue == "" {
                spec["clusterIP"] = old[path: ["spec", "clusterIP"]]
                spec["clusterIPs"] = old[path: ["spec", "clusterIPs"]]
            }
            if let old, let previous = old[path: ["spec", "clusterIP"]], spec["clusterIP"] != previous {
                throw KubeStatus.invalid(kind: "Service", group: "", name: object[path: ["metadata", "name"]]?.stringValue ?? "", causes: [
                    .init(reason: "FieldValueInvalid", message: "Invalid value: \(spec["clusterIP"]?.jsonString ?? "\"\""): field is immutable", field: "spec.clusterIP")
                ])
            }
            if spec["clusterIP"] == nil || spec["clusterIP"]?.stringValue == "" {
                let address = "10.96.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
                spec["clusterIP"] = .string(address)
                spec["clusterIPs"] = [.string(address)]
            }
            if spec["clusterIPs"] == nil, let ip = spec["clusterIP"] { spec["clusterIPs"] = [ip] }
            if spec["ipFamilies"] == nil { spec["ipFamilies"] = ["IPv4"] }
            if spec["ipFamilyPolicy"] == nil { spec["ipFamilyPolicy"] = "SingleStack" }
            if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
        }
        if type == "LoadBalancer" || type == "NodePort" {
            if spec["externalTrafficPolicy"] == nil { spec["externalTrafficPolicy"] = "Cluster" }
        }
        if let ports = spec["ports"]?.arrayValue {
            let oldPorts = old?[path: ["spec", "ports"]]?.arrayValue ?? []
            spec["ports"] = .array(ports.map { port in
                var port = port
                if port["protocol"] == nil { port["protocol"] = "TCP" }
                if port["targetPort"] == nil { port["targetPort"] = port["port"] ?? .null }
                if type == "LoadBalancer" || type == "NodePort", port["nodePort"] == nil {
                    port["nodePort"] = oldPorts.first { $0["port"] == port["port"] }?["nodePort"] ?? .int(Int64.random(in: 30000...32767))
                }
                return port
            })
        }
        object["spec"] = spec
        if let old { object["status"] = old["status"] }
    }

    /// Rebuilds the registry's custom resources from the stored CRDs.
    static func refreshCustomResources(_ state: inout StoreState) {
        let crds = state.objects(StorageKey(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), namespace: nil).map(\.object)
        state.registry.replaceCustomResources(with: crds.filter { $0[path: ["metadata", "deletionTimestamp"]] == nil })
    }
}

extension JSONValue {
    /// A copy with `status` replaced.
    func merging(status: JSONValue?) -> JSONValue {
        var copy = self
        copy["status"] = status
        return copy
    }
}
