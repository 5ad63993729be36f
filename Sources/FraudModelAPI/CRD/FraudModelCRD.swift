import KubeAPI

/// The `apiextensions.k8s.io/v1` CustomResourceDefinition of FraudModel, generated from the
/// Swift types' schemas. `crds/tandem.dev_fraudmodels.yaml` is this object as YAML
/// (`hack/generate-crd.sh`); a test fails when the committed file differs.
public enum FraudModelCRD {
    /// The CRD as JSON.
    public static var json: JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": [
                "name": .string(FraudModelResource.crdName),
                "labels": ["app.kubernetes.io/name": "tandem-operator", "app.kubernetes.io/part-of": "tandem"],
            ],
            "spec": [
                "group": .string(FraudModelResource.group),
                "scope": "Namespaced",
                "names": [
                    "kind": .string(FraudModelResource.kind),
                    "listKind": .string(FraudModelResource.listKind),
                    "plural": .string(FraudModelResource.plural),
                    "singular": .string(FraudModelResource.singular),
                    "shortNames": .array(FraudModelResource.shortNames.map { .string($0) }),
                    "categories": .array(FraudModelResource.categories.map { .string($0) }),
                ],
                "versions": [version],
            ],
        ]
    }

    /// The CRD as YAML, with a header saying it is generated.
    public static func yaml() throws -> String {
        "# Generated from Sources/FraudModelAPI by hack/generate-crd.sh; do not edit.\n---\n" + (try json.yamlString())
    }

    static var version: JSONValue {
        [
            "name": .string(FraudModelResource.version),
            "served": true,
            "storage": true,
            "subresources": [
                "status": .emptyObject,
                "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"],
            ],
            "additionalPrinterColumns": [
                column("Version", "string", ".spec.modelVersion", "The model version this copy asks for."),
                column("Serving", "string", ".status.servingVersion", "The version every target cluster serves ready."),
                column("Phase", "string", ".status.phase", "The fleet's phase."),
                column("Clusters", "string", ".status.readyClusters", "Ready target clusters out of all, e.g. 2/2."),
                column("Age", "date", ".metadata.creationTimestamp", "Time since the object was created."),
            ],
            "schema": ["openAPIV3Schema": rootSchema],
        ]
    }

    static func column(_ name: String, _ type: String, _ jsonPath: String, _ description: String) -> JSONValue {
        ["name": .string(name), "type": .string(type), "jsonPath": .string(jsonPath), "description": .string(description)]
    }

    static var rootSchema: JSONValue {
        SchemaNode.object(
            "FraudModel serves one fraud-detection model from every member cluster, moving a new version cluster by cluster. Apply the same manifest to every cluster; tandem-operator writes the fleet's state into every copy's status.",
            required: ["spec"],
            properties: [
                "apiVersion": SchemaNode.string("The versioned schema of this object: tandem.dev/v1alpha1."),
                "kind": SchemaNode.string("The kind of this object: FraudModel."),
                "metadata": ["type": "object", "description": "Standard object metadata."],
                "spec": FraudModelSpec.openAPISchema,
                "status": FraudModelStatus.openAPISchema,
            ])
    }
}
