import KubeAPI

/// Objects the emulator tests share.
public enum Fixtures {
    /// A namespaced CRD `widgets.example.com` (kind Widget, v1) with status and scale
    /// subresources, printer columns and a schema exercising every validation keyword.
    public static func widgetCRD(statusSubresource: Bool = true, group: String = "example.com") -> JSONValue {
        var version: JSONValue = [
            "name": "v1", "served": true, "storage": true,
            "additionalPrinterColumns": [
                ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                ["name": "Color", "type": "string", "jsonPath": ".spec.color"],
                ["name": "Ready", "type": "string", "jsonPath": #".status.conditions[?(@.type=="Ready")].status"#],
                ["name": "Owner", "type": "string", "priority": 1, "jsonPath": ".spec.owners[0].name"],
                ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
            ],
            "schema": ["openAPIV3Schema": [
                "type": "object",
                "properties": [
                    "spec": [
                        "type": "object", "required": ["size"],
                        "properties": [
                            "size": ["type": "integer", "minimum": 1, "maximum": 10],
                            "color": ["type": "string", "enum": ["red", "blue"], "default": "red"],
                            "code": ["type": "string", "pattern": "^[a-f0-9]{4}$"],
                            "label": ["type": "string", "minLength": 2, "maxLength": 5],
                            "replicas": ["type": "integer", "default": 1],
                            "owners": ["type": "array", "maxItems": 2, "items": [
                                "type": "object", "required": ["name"], "properties": ["name": ["type": "string"]],
                            ]],
                            "tags": ["type": "array", "minItems": 1, "items": ["type": "string"]],
                            "extra": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                            "ratio": ["type": "number", "nullable": true],
                        ],
                    ],
                    "status": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                ],
            ]],
        ]
        if statusSubresource {
            version["subresources"] = ["status": .emptyObject, "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"]]
        }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("widgets.\(group)")],
            "spec": [
                "group": .string(group), "scope": "Namespaced",
                "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]],
                "versions": [version],
            ],
        ]
    }

    /// A Widget.
    public static func widget(_ name: String, size: Int64 = 3, labels: [String: String] = [:], group: String = "example.com") -> JSONValue {
        var object: JSONValue = [
            "apiVersion": .string("\(group)/v1"), "kind": "Widget",
            "metadata": ["name": .string(name)],
            "spec": ["size": .int(size)],
        ]
        if !labels.isEmpty { object[path: ["metadata", "labels"]] = .object(labels.mapValues { .string($0) }) }
        return object
    }

    /// The collection path of widgets in a namespace.
    public static func widgets(_ namespace: String = "default", group: String = "example.com") -> String {
        "/apis/\(group)/v1/namespaces/\(namespace)/widgets"
    }

    public static let crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
}
