import KubeAPI

/// Reading, validating and defaulting `apiextensions.k8s.io/v1` CustomResourceDefinitions.
enum CustomResourceDefinitions {
    /// The definitions served for a CRD: one per version with `served: true`.
    static func definitions(of crd: JSONValue) -> [ResourceDefinition] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue, let names = spec["names"],
            let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue
        else { return [] }
        let versions = spec["versions"]?.arrayValue ?? []
        let storage = versions.first { $0["storage"]?.boolValue == true }?["name"]?.stringValue ?? ""
        return versions.compactMap { version -> ResourceDefinition? in
            guard version["served"]?.boolValue != false, let name = version["name"]?.stringValue else { return nil }
            let subresources = version["subresources"]
            let scale = subresources?["scale"].map { scale in
                ResourceDefinition.ScaleSubresource(
                    specReplicasPath: scale["specReplicasPath"]?.stringValue ?? ".spec.replicas",
                    statusReplicasPath: scale["statusReplicasPath"]?.stringValue ?? ".status.replicas",
                    labelSelectorPath: scale["labelSelectorPath"]?.stringValue)
            }
            let columns = (version["additionalPrinterColumns"]?.arrayValue).map { columns in
                columns.map { column in
                    ResourceDefinition.PrinterColumn(
                        name: column["name"]?.stringValue ?? "", type: column["type"]?.stringValue ?? "string",
                        format: column["format"]?.stringValue ?? "", description: column["description"]?.stringValue ?? "",
                        priority: Int(column["priority"]?.intValue ?? 0), jsonPath: column["jsonPath"]?.stringValue ?? "")
                }
            }
            return ResourceDefinition(
                group: group, version: name, kind: kind, plural: plural,
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                listKind: names["listKind"]?.stringValue ?? "\(kind)List",
                shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                namespaced: spec["scope"]?.stringValue != "Cluster",
                hasStatus: subresources?["status"] != nil, scale: scale,
                printerColumns: columns?.isEmpty == false ? columns : nil,
                schema: version[path: ["schema", "openAPIV3Schema"]],
                isCustom: true, tracksGeneration: true, allowsUnconditionalUpdate: false,
                storageVersion: storage)
        }
    }

    /// Applies the API server's defaults to a CRD's spec.
    static func applyDefaults(to crd: inout JSONValue) {
        guard var spec = crd["spec"] else { return }
        if let kind = spec[path: ["names", "kind"]]?.stringValue {
            if spec[path: ["names", "singular"]] == nil { spec[path: ["names", "singular"]] = .string(kind.lowercased()) }
            if spec[path: ["names", "listKind"]] == nil { spec[path: ["names", "listKind"]] = .string("\(kind)List") }
        }
        if spec["conversion"] == nil { spec["conversion"] = ["strategy": "None"] }
        crd["spec"] = spec
    }

    /// The validation errors of a CRD, as kube-apiserver words them.
    static func validate(_ crd: JSONValue) -> [KubeStatus.Cause] {
        var causes: [KubeStatus.Cause] = []
        func required(_ field: String) {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: field))
        }
        func invalid(_ field: String, _ value: String, _ detail: String) {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(detail)", field: field))
        }
        let spec = crd["spec"] ?? .emptyObject
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec[path: ["names", "plural"]]?.stringValue ?? ""
        if group.isEmpty {
            required("spec.group")
        } else if !group.contains(".") || !LabelSyntax.isDNSSubdomain(group) {
            invalid("spec.group", group, "should be a domain with at least one dot")
        }
        if plural.isEmpty {
            required("spec.names.plural")
        } else if !LabelSyntax.isDNSLabel(plural) {
            invalid("spec.names.plural", plural, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'")
        }
        if (spec[path: ["names", "kind"]]?.stringValue ?? "").isEmpty { required("spec.names.kind") }
        let name = crd[path: ["metadata", "name"]]?.stringValue ?? ""
        if !plural.isEmpty, !group.isEmpty, name != "\(plural).\(group)" {
            invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group")
        }
        switch spec["scope"]?.stringValue {
        case "Namespaced", "Cluster": break
        case nil: required("spec.scope")
        case let other?:
            causes.append(.init(reason: "FieldValueNotSupported", message: "Unsupported value: \"\(other)\": supported values: \"Cluster\", \"Namespaced\"", field: "spec.scope"))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: []: must have exactly one version marked as storage version", field: "spec.versions"))
        } else if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(versions.count): must have exactly one version marked as storage version", field: "spec.versions"))
        }
        for (index, version) in versions.enumerated() {
            let field = "spec.versions[\(index)]"
            if (version["name"]?.stringValue ?? "").isEmpty { required("\(field).name") }
            guard let schema = version[path: ["schema", "openAPIV3Schema"]] else {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value: schemas are required", field: "\(field).schema.openAPIV3Schema"))
                continue
            }
            if schema["type"]?.stringValue != "object" {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value: must not be empty at the root", field: "\(field).schema.openAPIV3Schema.type"))
            }
        }
        return causes
    }

    /// The status kube-apiserver's CRD controllers write once the names are accepted.
    static func establishedStatus(of crd: JSONValue, now: String) -> JSONValue {
        let spec = crd["spec"] ?? .emptyObject
        let storage = spec["versions"]?.arrayValue?.first { $0["storage"]?.boolValue == true }?["name"]?.stringValue
        var stored = crd[path: ["status", "storedVersions"]]?.arrayValue ?? []
        if let storage, !stored.contains(.string(storage)) { stored.append(.string(storage)) }
        func condition(_ type: String, _ reason: String, _ message: String) -> JSONValue {
            ["type": .string(type), "status": "True", "lastTransitionTime": .string(now), "reason": .string(reason), "message": .string(message)]
        }
        let previous = crd[path: ["status", "conditions"]]
        return [
            "acceptedNames": spec["names"] ?? .emptyObject,
            "conditions": previous ?? [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
            "storedVersions": .array(stored),
        ]
    }
}
