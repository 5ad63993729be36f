import KubeAPI

/// ObjectMeta validation: names, labels, annotations — with kube-apiserver's messages.
enum MetadataValidation {
    static let subdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    static let labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
    static let keyMessage = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"

    static func validate(_ object: JSONValue, definition: ResourceDefinition, isCreate: Bool) throws(KubeStatus) {
        var causes: [KubeStatus.Cause] = []
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        if name.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name"))
        } else {
            let (valid, message): (Bool, String) = switch definition.nameRule {
            case .dnsSubdomain: (LabelSyntax.isDNSSubdomain(name), subdomainMessage)
            case .dnsLabel: (LabelSyntax.isDNSLabel(name), labelMessage)
            case .dns1035Label: (LabelSyntax.isDNS1035Label(name), dns1035Message)
            }
            if !valid { causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(name)\": \(message)", field: "metadata.name")) }
        }
        if let labels = object[path: ["metadata", "labels"]] {
            guard let members = labels.objectValue else {
                throw KubeStatus.badRequest("metadata.labels must be a map of strings")
            }
            for key in members.keys.sorted() {
                if !LabelSyntax.isValidKey(key) {
                    causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(keyMessage)", field: "metadata.labels"))
                }
                guard let value = members[key]?.stringValue else {
                    throw KubeStatus.badRequest("metadata.labels[\(key)] must be a string")
                }
                if !LabelSyntax.isValidValue(value) {
                    causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(value)\": \(labelValueMessage)", field: "metadata.labels"))
                }
            }
        }
        if let annotations = object[path: ["metadata", "annotations"]] {
            guard let members = annotations.objectValue else { throw KubeStatus.badRequest("metadata.annotations must be a map of strings") }
            var total = 0
            for key in members.keys.sorted() {
                if !LabelSyntax.isValidKey(key.lowercased()) {
                    causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \"\(key)\": \(keyMessage)", field: "metadata.annotations"))
                }
                guard let value = members[key]?.stringValue else { throw KubeStatus.badRequest("metadata.annotations[\(key)] must be a string") }
                total += key.utf8.count + value.utf8.count
            }
            if total > 256 * 1024 {
                causes.append(.init(reason: "FieldValueTooLong", message: "Too long: may not be more than 262144 bytes", field: "metadata.annotations"))
            }
        }
        if !causes.isEmpty {
            throw KubeStatus.invalid(kind: definition.kind, group: definition.group, name: name, causes: causes)
        }
    }
}
