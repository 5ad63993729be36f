import KubeAPI

extension FraudModelStatus: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "The fleet-wide observed state, written by tandem-operator into every copy of the FraudModel.",
            properties: [
                "observedGeneration": SchemaNode.integer(
                    "The metadata.generation of this copy that the status was computed from.", format: "int64"),
                "phase": SchemaNode.string(
                    "The fleet's phase.", enum: FleetPhase.allCases.map(\.rawValue)),
                "servingVersion": SchemaNode.string(
                    "The version every target cluster serves with all replicas ready; absent while they differ."),
                "readyClusters": SchemaNode.string(
                    "Target clusters serving their desired version ready, out of all target clusters, e.g. 2/2."),
                "lastGoodVersion": SchemaNode.string(
                    "The newest version every target cluster served ready: the rollback target."),
                "failedVersion": SchemaNode.string(
                    "A version whose rollout failed. It is not retried until spec.modelVersion or the tandem.dev/retry annotation changes."),
                "failedRetry": SchemaNode.string(
                    "The value of the tandem.dev/retry annotation when failedVersion was recorded; another value retries it."),
                "failedRevision": SchemaNode.string(
                    "The digest of the revision that failed; the same version with other content (image, checksum, model file or storage URI, threshold) is tried again."),
                "revisions": SchemaNode.array(
                    "The revisions that served ready in every target cluster, newest first (at most 10): what a rollback restores.",
                    items: ServedRevision.openAPISchema),
                "replicas": SchemaNode.integer(
                    "Ready pods in the cluster holding this copy; the scale subresource's status replicas."),
                "clusters": SchemaNode.array(
                    "One row per target cluster.", items: ClusterStatus.openAPISchema, mapKeys: ["name"]),
                "traffic": SchemaNode.array(
                    "One row per target cluster when spec.traffic is set: its endpoint and the routing in effect.",
                    items: ClusterTrafficStatus.openAPISchema, mapKeys: ["name"]),
                "conditions": SchemaNode.array(
                    "Ready, Progressing, Degraded and InSync, and TrafficReady when spec.traffic is set.",
                    items: conditionSchema, mapKeys: ["type"]),
            ])
    }

    /// `metav1.Condition`.
    static var conditionSchema: JSONValue {
        SchemaNode.object(
            "One aspect of the fleet's state (metav1.Condition).",
            required: ["type", "status", "lastTransitionTime", "reason", "message"],
            properties: [
                "type": SchemaNode.string("The condition type: Ready, Progressing, Degraded, InSync or TrafficReady.", maxLength: 316),
                "status": SchemaNode.string("True, False or Unknown.", enum: ["True", "False", "Unknown"]),
                "observedGeneration": SchemaNode.integer(
                    "The metadata.generation the condition was computed from.", minimum: 0, format: "int64"),
                "lastTransitionTime": SchemaNode.string("When status last changed.", format: "date-time"),
                "reason": SchemaNode.string("A CamelCase reason for the last transition.", maxLength: 1024),
                "message": SchemaNode.string("A human-readable explanation naming the clusters concerned.", maxLength: 32768),
            ])
    }
}

extension ClusterStatus: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "One target cluster's state.",
            required: ["name"],
            properties: [
                "name": SchemaNode.string("The member cluster's name."),
                "provider": SchemaNode.string("The cloud provider: aws, gcp or other."),
                "region": SchemaNode.string("The cloud region, e.g. us-east-1."),
                "reachable": SchemaNode.boolean("Whether the operator reached the cluster's API server."),
                "desiredVersion": SchemaNode.string("The version the operator wants this cluster's Deployment to run now."),
                "desiredRevision": SchemaNode.string("The digest of the revision behind desiredVersion (image, checksum, model file or storage URI, threshold)."),
                "servingVersion": SchemaNode.string("The version this cluster serves with every replica ready."),
                "image": SchemaNode.string("The image of this cluster's Deployment."),
                "replicas": SchemaNode.integer("The Deployment's desired replicas."),
                "readyReplicas": SchemaNode.integer("Ready pods."),
                "updatedReplicas": SchemaNode.integer("Pods of the newest template."),
                "phase": SchemaNode.string("The cluster's phase.", enum: ClusterPhase.allCases.map(\.rawValue)),
                "message": SchemaNode.string("Why the cluster is in its phase: the gate it waits on, or the failure."),
                "lastTransitionTime": SchemaNode.string(
                    "When phase or desiredVersion last changed; bake time and the progress deadline count from it.",
                    format: "date-time"),
            ])
    }
}

extension ServedRevision: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "A revision that served ready in every target cluster: everything that belongs to its model version.",
            required: ["version", "repository", "threshold"],
            properties: [
                "version": SchemaNode.string("The model version (image tag, MODEL_VERSION)."),
                "repository": SchemaNode.string("The image repository inside each cluster's registry."),
                "imageTag": SchemaNode.string("The image tag (spec.image.tag), when not the version."),
                "storageUri": SchemaNode.string("The storage URI template every cluster downloaded the model from (spec.model.storageUri)."),
                "clusterStorageUris": SchemaNode.map(
                    "Per-cluster storage URI templates (spec.clusters[].model.storageUri), by cluster name.",
                    values: SchemaNode.string("A storage URI template.")),
                "modelSHA256": SchemaNode.string("The model file's expected SHA-256 (MODEL_SHA256)."),
                "modelPath": SchemaNode.string("The model file's path (MODEL_PATH)."),
                "modelFormat": SchemaNode.string("The model file's format (MODEL_FORMAT)."),
                "threshold": SchemaNode.number("The decision threshold (THRESHOLD)."),
                "digest": SchemaNode.string("The revision's digest, as in the pod template's tandem.dev/revision annotation."),
                "servedAt": SchemaNode.string("When every target cluster first served it ready.", format: "date-time"),
            ])
    }
}
