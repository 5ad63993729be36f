import Foundation
import Crypto
import KubeAPI

/// The OpenAPI v3 documents kubectl reads for apply's validation check and for `explain`:
/// an index of group versions with content hashes, and one document per group version.
struct OpenAPIDocuments: Sendable {
    let registry: ResourceRegistry

    /// The index path of a group version (`api/v1`, `apis/apps/v1`).
    static func indexPath(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    /// Every served group version with its document.
    func allDocuments() -> [(path: String, document: JSONValue)] {
        registry.groups().flatMap { group in
            group.versions.map { version in
                (Self.indexPath(group: group.name, version: version), document(group: group.name, version: version)!)
            }
        }
    }

    /// `/openapi/v3`: each group version with a URL whose hash changes with its content.
    func index(documents: [(path: String, document: JSONValue)]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, document) in documents {
            let digest = SHA512.hash(data: document.serialized()).map { String(format: "%02X", $0) }.joined()
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(digest)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document of one group version; nil when nothing is served there.
    func document(group: String, version: String) -> JSONValue? {
        let definitions = registry.definitions(group: group, version: version)
        guard !definitions.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [Self.objectMetaName: Self.objectMetaSchema]
        for definition in definitions {
            let gvk: JSONValue = ["group": .string(definition.group), "version": .string(definition.version), "kind": .string(definition.kind)]
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let collection = definition.namespaced ? "\(prefix)/namespaces/{namespace}/\(definition.plural)" : "\(prefix)/\(definition.plural)"
            let ref: JSONValue = ["$ref": .string("#/components/schemas/\(Self.schemaName(definition))")]
            paths[collection] = [
                "get": operation("list", gvk, ref),
                "post": operation("post", gvk, ref, body: ["application/json"]),
                "delete": operation("deletecollection", gvk, ref),
            ]
            var item: JSONValue = [
                "get": operation("get", gvk, ref),
                "put": operation("put", gvk, ref, body: ["application/json"]),
                "patch": operation("patch", gvk, ref, body: patchTypes(definition)),
                "delete": operation("delete", gvk, ref),
            ]
            item["parameters"] = [["name": "name", "in": "path", "required": true, "schema": ["type": "string"]]]
            paths["\(collection)/{name}"] = item
            if definition.hasStatus {
                paths["\(collection)/{name}/status"] = [
                    "get": operation("get", gvk, ref),
                    "put": operation("put", gvk, ref, body: ["application/json"]),
                    "patch": operation("patch", gvk, ref, body: patchTypes(definition)),
                ]
            }
            schemas[Self.schemaName(definition)] = schema(for: definition, gvk: gvk)
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    private func patchTypes(_ definition: ResourceDefinition) -> [String] {
        var types = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
        if !definition.isCustom { types.append("application/strategic-merge-patch+json") }
        return types
    }

    private func operation(_ action: String, _ gvk: JSONValue, _ ref: JSONValue, body: [String] = []) -> JSONValue {
        var parameters: [JSONValue] = [["name": "pretty", "in": "query", "schema": ["type": "string", "uniqueItems": true]]]
        if ["post", "put", "patch"].contains(action) {
            parameters += [
                ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
                ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ]
        }
        if action == "patch" { parameters.append(["name": "force", "in": "query", "schema": ["type": "boolean", "uniqueItems": true]]) }
        var operation: JSONValue = [
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": ref]]]],
        ]
        if !body.isEmpty {
            var content: [String: JSONValue] = [:]
            for type in body { content[type] = ["schema": ref] }
            operation["requestBody"] = ["content": .object(content), "required": true]
        }
        return operation
    }

    private func schema(for definition: ResourceDefinition, gvk: JSONValue) -> JSONValue {
        var schema: JSONValue = definition.schema ?? [
            "type": "object",
            "description": .string("\(definition.kind) is a built-in Kubernetes kind."),
            "properties": [
                "spec": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "data": ["type": "object", "additionalProperties": ["type": "string"]],
            ],
        ]
        schema[path: ["properties", "apiVersion"]] = [
            "type": "string",
            "description": "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
        ]
        schema[path: ["properties", "kind"]] = [
            "type": "string",
            "description": "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.",
        ]
        schema[path: ["properties", "metadata"]] = [
            "allOf": [["$ref": .string("#/components/schemas/\(Self.objectMetaName)")]],
            "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
        ]
        schema["x-kubernetes-group-version-kind"] = [gvk]
        return schema
    }

    /// The component name kube-apiserver gives a kind (`dev.tandem.v1alpha1.FraudModel`, `io.k8s.api.core.v1.ConfigMap`).
    static func schemaName(_ definition: ResourceDefinition) -> String {
        if definition.isCustom {
            let reversed = definition.group.split(separator: ".").reversed().joined(separator: ".")
            return "\(reversed).\(definition.version).\(definition.kind)"
        }
        switch definition.group {
        case "": return "io.k8s.api.core.\(definition.version).\(definition.kind)"
        case "apiextensions.k8s.io": return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.\(definition.version).\(definition.kind)"
        default:
            let short = definition.group.replacingOccurrences(of: ".k8s.io", with: "")
            return "io.k8s.api.\(short).\(definition.version).\(definition.kind)"
        }
    }

    static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    static let objectMetaSchema: JSONValue = [
        "type": "object",
        "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
        "properties": [
            "name": ["type": "string", "description": "Name must be unique within a namespace."],
            "generateName": ["type": "string", "description": "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."],
            "namespace": ["type": "string", "description": "Namespace defines the space within which each name must be unique."],
            "uid": ["type": "string", "description": "UID is the unique in time and space value for this object."],
            "resourceVersion": ["type": "string", "description": "An opaque value that represents the internal version of this object."],
            "generation": ["type": "integer", "format": "int64", "description": "A sequence number representing a specific generation of the desired state."],
            "creationTimestamp": ["type": "string", "format": "date-time", "description": "CreationTimestamp is a timestamp representing the server time when this object was created."],
            "deletionTimestamp": ["type": "string", "format": "date-time", "description": "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."],
            "deletionGracePeriodSeconds": ["type": "integer", "format": "int64", "description": "Number of seconds allowed for this object to gracefully terminate."],
            "labels": ["type": "object", "additionalProperties": ["type": "string", "default": ""], "description": "Map of string keys and values that can be used to organize and categorize (scope and select) objects."],
            "annotations": ["type": "object", "additionalProperties": ["type": "string", "default": ""], "description": "Annotations is an unstructured key value map stored with a resource."],
            "finalizers": ["type": "array", "items": ["type": "string", "default": ""], "description": "Must be empty before the object is deleted from the registry."],
            "ownerReferences": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true], "description": "List of objects depended by this object."],
            "managedFields": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true], "description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."],
        ],
    ]
}
