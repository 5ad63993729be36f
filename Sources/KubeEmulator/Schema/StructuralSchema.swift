import KubeAPI

/// Applies a CRD's structural `openAPIV3Schema` to a custom resource as kube-apiserver does:
/// unknown fields are pruned (and reported, for `fieldValidation`), nulls of non-nullable fields
/// dropped, `default`s applied, then the result validated.
struct StructuralSchema: Sendable {
    /// What processing an object produced.
    struct Outcome: Sendable {
        var object: JSONValue
        /// Paths of pruned unknown fields (`spec.bogus`, `spec.items[0].x`).
        var unknownFields: [String]
        /// Validation failures; empty when valid.
        var causes: [KubeStatus.Cause]
    }

    let root: JSONValue

    init(_ root: JSONValue) {
        self.root = root
    }

    /// The fields every object's root keeps regardless of the schema.
    static let rootTypeMeta: Set<String> = ["apiVersion", "kind", "metadata"]

    static let objectMetaFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    func process(_ object: JSONValue) -> Outcome {
        var unknown: [String] = []
        var result = object
        if case .object(var members) = object {
            if case .object(let metadata)? = members["metadata"] {
                var kept: [String: JSONValue] = [:]
                for (key, value) in metadata {
                    if Self.objectMetaFields.contains(key) { kept[key] = value } else { unknown.append("metadata.\(key)") }
                }
                members["metadata"] = .object(kept)
            }
            result = .object(members)
        }
        result = prune(result, schema: root, path: "", isRoot: true, unknown: &unknown)
        var causes: [KubeStatus.Cause] = []
        validate(result, schema: root, path: "", isRoot: true, causes: &causes)
        return Outcome(object: result, unknownFields: unknown, causes: causes)
    }

    // MARK: Pruning and defaulting

    private func prune(_ value: JSONValue, schema: JSONValue, path: String, isRoot: Bool, unknown: inout [String]) -> JSONValue {
        switch value {
        case .object(let members):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            let embedded = schema["x-kubernetes-embedded-resource"]?.boolValue == true
            guard properties != nil || additional != nil || !preserve else { return value }
            var result: [String: JSONValue] = [:]
            for (key, child) in members {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if isRoot, Self.rootTypeMeta.contains(key) {
                    // The root's apiVersion, kind and metadata are the API server's, whatever the CRD's schema says
                    // (controller-gen declares `metadata: {type: object}`); metadata was reduced to ObjectMeta above.
                    result[key] = child
                } else if embedded, Self.rootTypeMeta.contains(key), properties?[key] == nil {
                    result[key] = child
                } else if let childSchema = properties?[key] {
                    if child.isNull, childSchema["nullable"]?.boolValue != true { continue }
                    result[key] = prune(child, schema: childSchema, path: childPath, isRoot: false, unknown: &unknown)
                } else if let additional, additional.objectValue != nil {
                    if child.isNull, additional["nullable"]?.boolValue != true { continue }
                    result[key] = prune(child, schema: additional, path: childPath, isRoot: false, unknown: &unknown)
                } else if preserve || additional?.boolValue == true {
                    result[key] = child
                } else {
                    unknown.append(childPath)
                }
            }
            for (key, childSchema) in properties ?? [:] where result[key] == nil {
                if let defaultValue = childSchema["default"] {
                    let childPath = path.isEmpty ? key : "\(path).\(key)"
                    var ignored: [String] = []
                    result[key] = prune(defaultValue, schema: childSchema, path: childPath, isRoot: false, unknown: &ignored)
                }
            }
            return .object(result)
        case .array(let elements):
            guard let items = schema["items"] else { return value }
            return .array(elements.enumerated().map { index, element in
                prune(element, schema: items, path: "\(path)[\(index)]", isRoot: false, unknown: &unknown)
            })
        default:
            return value
        }
    }

    // MARK: Validation

    private func validate(_ value: JSONValue, schema: JSONValue, path: String, isRoot: Bool, causes: inout [KubeStatus.Cause]) {
        let field = path
        if value.isNull {
            if schema["nullable"]?.boolValue == true || schema["type"] == nil { return }
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: break
            default:
                causes.append(typeError(field, value, expected: "integer,string"))
                return
            }
        } else if let type = schema["type"]?.stringValue, !Self.matches(value, type: type) {
            causes.append(typeError(field, value, expected: type))
            return
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(where: { $0.isSemanticallyEqual(to: value) }) {
            let supported = options.map(Self.render).joined(separator: ", ")
            causes.append(.init(reason: "FieldValueNotSupported", message: "Unsupported value: \(Self.render(value)): supported values: \(supported)", field: field))
        }
        switch value {
        case .string(let text): validateString(text, schema: schema, field: field, causes: &causes)
        case .int, .double: validateNumber(value, schema: schema, field: field, causes: &causes)
        case .array(let elements):
            validateArray(elements, schema: schema, field: field, causes: &causes)
            if let items = schema["items"] {
                for (index, element) in elements.enumerated() {
                    validate(element, schema: items, path: "\(path)[\(index)]", isRoot: false, causes: &causes)
                }
            }
        case .object(let members):
            validateObject(members, schema: schema, path: path, isRoot: isRoot, causes: &causes)
        default: break
        }
        for combinator in ["allOf", "anyOf", "oneOf"] {
            guard let alternatives = schema[combinator]?.arrayValue, !alternatives.isEmpty else { continue }
            let results = alternatives.map { alternative -> [KubeStatus.Cause] in
                var inner: [KubeStatus.Cause] = []
                validate(value, schema: alternative, path: path, isRoot: isRoot, causes: &inner)
                return inner
            }
            let passing = results.filter(\.isEmpty).count
            switch combinator {
            case "allOf": causes.append(contentsOf: results.flatMap { $0 })
            case "anyOf" where passing == 0:
                causes.append(invalid(field, value, "\(Self.display(field)) in body must be of type \(results.first?.first?.message ?? "one of the anyOf schemas")"))
            case "oneOf" where passing != 1:
                causes.append(invalid(field, value, "\(Self.display(field)) in body must validate one and only one schema (oneOf)"))
            default: break
            }
        }
    }

    private func validateString(_ text: String, schema: JSONValue, field: String, causes: inout [KubeStatus.Cause]) {
        let length = text.unicodeScalars.count
        if let max = schema["maxLength"]?.intValue, length > max {
            causes.append(.init(reason: "FieldValueTooLong", message: "Too long: may not be more than \(max) \(max == 1 ? "byte" : "bytes")", field: field))
        }
        if let min = schema["minLength"]?.intValue, length < min {
            causes.append(invalid(field, .string(text), "\(Self.display(field)) in body should be at least \(min) chars long"))
        }
        if let pattern = schema["pattern"]?.stringValue {
            if let regex = try? Regex(pattern) {
                if (try? regex.firstMatch(in: text)) == nil {
                    causes.append(invalid(field, .string(text), "\(Self.display(field)) in body should match '\(pattern)'"))
                }
            }
        }
    }

    private func validateNumber(_ value: JSONValue, schema: JSONValue, field: String, causes: inout [KubeStatus.Cause]) {
        guard let number = value.doubleValue else { return }
        let name = Self.display(field)
        if let max = schema["maximum"]?.doubleValue {
            let exclusive = schema["exclusiveMaximum"]?.boolValue == true
            if exclusive ? number >= max : number > max {
                causes.append(invalid(field, value, "\(name) in body should be less than \(exclusive ? "" : "or equal to ")\(Self.render(schema["maximum"]!))"))
            }
        }
        if let min = schema["minimum"]?.doubleValue {
            let exclusive = schema["exclusiveMinimum"]?.boolValue == true
            if exclusive ? number <= min : number < min {
                causes.append(invalid(field, value, "\(name) in body should be greater than \(exclusive ? "" : "or equal to ")\(Self.render(schema["minimum"]!))"))
            }
        }
        if let factor = schema["multipleOf"]?.doubleValue, factor > 0 {
            let quotient = number / factor
            if quotient.rounded() != quotient {
                causes.append(invalid(field, value, "\(name) in body should be a multiple of \(Self.render(schema["multipleOf"]!))"))
            }
        }
    }

    private func validateArray(_ elements: [JSONValue], schema: JSONValue, field: String, causes: inout [KubeStatus.Cause]) {
        if let max = schema["maxItems"]?.intValue, elements.count > max {
            causes.append(.init(reason: "FieldValueTooMany", message: "Too many: \(elements.count): must have at most \(max) items", field: field))
        }
        if let min = schema["minItems"]?.intValue, elements.count < min {
            causes.append(invalid(field, .array(elements), "\(Self.display(field)) in body should have at least \(min) items"))
        }
        let listType = schema["x-kubernetes-list-type"]?.stringValue
        if schema["uniqueItems"]?.boolValue == true || listType == "set" {
            for (index, element) in elements.enumerated() where elements[..<index].contains(where: { $0.isSemanticallyEqual(to: element) }) {
                causes.append(.init(reason: "FieldValueDuplicate", message: "Duplicate value: \(Self.render(element))", field: "\(field)[\(index)]"))
            }
        }
        if listType == "map", let keys = schema["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue), !keys.isEmpty {
            var seen: [[JSONValue?]] = []
            for (index, element) in elements.enumerated() {
                let identity = keys.map { element[$0] }
                if seen.contains(identity) {
                    let rendered = keys.map { "\"\($0)\":\(element[$0].map(Self.render) ?? "null")" }.joined(separator: ",")
                    causes.append(.init(reason: "FieldValueDuplicate", message: "Duplicate value: map[string]interface {}{\(rendered)}", field: "\(field)[\(index)]"))
                }
                seen.append(identity)
            }
        }
    }

    private func validateObject(_ members: [String: JSONValue], schema: JSONValue, path: String, isRoot: Bool, causes: inout [KubeStatus.Cause]) {
        for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil || members[key]!.isNull {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: path.isEmpty ? key : "\(path).\(key)"))
        }
        if let max = schema["maxProperties"]?.intValue, members.count > max {
            causes.append(.init(reason: "FieldValueTooMany", message: "Too many: \(members.count): must have at most \(max) items", field: path))
        }
        if let min = schema["minProperties"]?.intValue, members.count < min {
            causes.append(invalid(path, .object(members), "\(Self.display(path)) in body should have at least \(min) properties"))
        }
        let properties = schema["properties"]?.objectValue ?? [:]
        let additional = schema["additionalProperties"]
        for key in members.keys.sorted() {
            let child = members[key]!
            if isRoot, Self.rootTypeMeta.contains(key) { continue }
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            if let childSchema = properties[key] {
                validate(child, schema: childSchema, path: childPath, isRoot: false, causes: &causes)
            } else if let additional, additional.objectValue != nil {
                validate(child, schema: additional, path: childPath, isRoot: false, causes: &causes)
            }
        }
    }

    // MARK: Messages

    private func typeError(_ field: String, _ value: JSONValue, expected: String) -> KubeStatus.Cause {
        let actual = value.typeName
        return .init(
            reason: "FieldValueTypeInvalid",
            message: "Invalid value: \"\(actual)\": \(Self.display(field)) in body must be of type \(expected): \"\(actual)\"", field: field)
    }

    private func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> KubeStatus.Cause {
        .init(reason: "FieldValueInvalid", message: "Invalid value: \(Self.render(value)): \(detail)", field: field)
    }

    static func display(_ field: String) -> String { field.isEmpty ? "body" : field }

    /// A value as field errors print it: strings quoted, numbers bare, structures as JSON.
    static func render(_ value: JSONValue) -> String {
        value.jsonString
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("integer", .int),
            ("number", .int), ("number", .double):
            return true
        default:
            return false
        }
    }
}
