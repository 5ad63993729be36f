import FraudServingContract
import KubeAPI

/// A type that publishes its OpenAPI v3 schema for the CRD.
public protocol OpenAPISchemaDescribed {
    /// The structural schema of the type's JSON form, with a description on every field.
    static var openAPISchema: JSONValue { get }
}

typealias V = FraudModelValidation
typealias D = FraudModelDefaults

extension FraudModelSpec: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "The desired state of a fraud model served from every member cluster. Apply the same manifest to every cluster.",
            required: ["modelVersion", "image"],
            properties: [
                "modelVersion": SchemaNode.string(
                    "The model version to serve: MODEL_VERSION, the {version} of storage URIs, and the image tag unless image.tag is set. Changing it starts a rollout.",
                    pattern: V.imageTagPattern, minLength: 1, maxLength: 128),
                "image": ImageSpec.openAPISchema,
                "replicas": SchemaNode.integer(
                    "Pods per cluster, 0 to 1000. Defaults to \(D.replicas). spec.clusters[].replicas overrides it.",
                    minimum: D.replicasRange.lowerBound, maximum: D.replicasRange.upperBound, default: D.replicas),
                "modelSHA256": SchemaNode.string(
                    "The SHA-256 of the model file, 64 lowercase hex digits. Every replica refuses readiness on mismatch.",
                    pattern: V.sha256Pattern),
                "threshold": SchemaNode.number(
                    "The decision threshold, 0 to 1: a score above it is reported as fraud. Defaults to \(D.threshold).",
                    minimum: 0, maximum: 1, default: D.threshold),
                "resources": ResourceRequirements.openAPISchema,
                "port": SchemaNode.integer(
                    "The port fraud-server listens on. Defaults to \(D.port).",
                    minimum: D.portRange.lowerBound, maximum: D.portRange.upperBound, default: D.port),
                "model": ModelSource.openAPISchema,
                "clusters": SchemaNode.array(
                    "Per-cluster overrides. When set, only the listed member clusters serve the model; when absent, every member cluster of the operator configuration does.",
                    items: ClusterOverride.openAPISchema, mapKeys: ["name"]),
                "rollout": RolloutSpec.openAPISchema,
                "traffic": TrafficSpec.openAPISchema,
            ])
    }
}

extension ImageSpec: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "The fraud-server image without registry; each cluster's registry is prefixed and the tag is image.tag, else modelVersion.",
            required: ["repository"],
            properties: [
                "repository": SchemaNode.string(
                    "The repository inside each cluster's registry, e.g. fraud-detector.", pattern: V.repositoryPattern, minLength: 1),
                "tag": SchemaNode.string(
                    "The image tag. Defaults to modelVersion, for images that carry their model. Required with a storage URI (model.storageUri): the model then comes from the store and the image stays the same across model versions. Part of the revision when set.",
                    pattern: V.imageTagPattern, minLength: 1, maxLength: 128),
                "pullPolicy": SchemaNode.string(
                    "The image pull policy. Defaults to \(D.pullPolicy.rawValue).",
                    enum: PullPolicy.allCases.map(\.rawValue), default: D.pullPolicy.rawValue),
            ])
    }
}

extension ResourceRequirements: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "CPU and memory requests and limits of the fraud-server container.",
            properties: [
                "limits": SchemaNode.map(
                    "Resource name (cpu, memory) to the most the container may use.",
                    values: SchemaNode.quantity("A quantity such as 500m or 1Gi.")),
                "requests": SchemaNode.map(
                    "Resource name (cpu, memory) to what the scheduler reserves for the container.",
                    values: SchemaNode.quantity("A quantity such as 250m or 512Mi.")),
            ])
    }
}

extension ModelSource: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "Where the model file lives: inside the image (path) or in an object store (storageUri). Optional: fraud-server's defaults apply when absent.",
            properties: [
                "path": SchemaNode.string(
                    "The path of the model file in the container (MODEL_PATH). Not allowed with storageUri, which replaces the file in the image.",
                    minLength: 1),
                "storageUri": storageURISchema(
                    "Where every target cluster downloads the model from at start (MODEL_URI; MODEL_CACHE_DIR is an emptyDir): s3://BUCKET/KEY, gs://BUCKET/OBJECT, https://HOST/PATH, http://HOST/PATH or file:///PATH, where {version} stands for the model version, e.g. s3://fraud-models/fraud-detector/{version}/model.json. No whitespace, no other placeholder, no credentials (user information or query): the pods authenticate with the member cluster's workload identity (the operator configuration's serving block). Needs image.tag. spec.clusters[].model.storageUri overrides it. Part of the revision: a new URI is rolled out cluster by cluster and rolled back like a new version."),
                "format": SchemaNode.string(
                    "The model format (MODEL_FORMAT): xgboost_json (XGBoost's save_model JSON), lightgbm_text (LightGBM's save_model text) or onnx (an ONNX tree ensemble or linear model with its preprocessing, e.g. a scikit-learn Pipeline through skl2onnx). Detected from the file when absent.",
                    enum: ModelFormat.names),
            ])
    }
}

extension ClusterOverride: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "A member cluster that serves the model, with optional overrides.",
            required: ["name"],
            properties: [
                "name": SchemaNode.string(
                    "The member cluster's name in the operator configuration (a DNS label).",
                    pattern: V.dnsLabelPattern, maxLength: 63),
                "replicas": SchemaNode.integer(
                    "Pods in this cluster, 0 to 1000. Defaults to spec.replicas.",
                    minimum: D.replicasRange.lowerBound, maximum: D.replicasRange.upperBound),
                "registry": SchemaNode.string(
                    "The image registry in this cluster, e.g. us-central1-docker.pkg.dev/my-project/my-repo. Defaults to the operator configuration's registry.",
                    pattern: V.registryPattern, minLength: 1),
                "model": ClusterModelSource.openAPISchema,
            ])
    }
}

extension ClusterModelSource: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "Where this cluster's model comes from, instead of spec.model, so that EKS reads S3 and GKE reads GCS.",
            properties: [
                "storageUri": storageURISchema(
                    "This cluster's storage URI, with {version} for the model version, e.g. gs://fraud-models/fraud-detector/{version}/model.json. Defaults to spec.model.storageUri. Part of the revision."),
            ])
    }
}

/// A storage URI template: ``StorageURITemplate``'s pattern and length.
func storageURISchema(_ description: String) -> JSONValue {
    SchemaNode.string(description, pattern: StorageURITemplate.pattern, maxLength: StorageURITemplate.maximumLength)
}

extension RolloutSpec: OpenAPISchemaDescribed {
    public static var openAPISchema: JSONValue {
        SchemaNode.object(
            "How a new model version moves across the member clusters.",
            properties: [
                "strategy": SchemaNode.string(
                    "Sequential moves one cluster at a time in rollout.order, each after every earlier cluster served the version ready for bakeSeconds; Parallel moves every cluster at once. Defaults to \(D.strategy.rawValue).",
                    enum: RolloutStrategy.allCases.map(\.rawValue), default: D.strategy.rawValue),
                "order": SchemaNode.array(
                    "The order clusters move in with Sequential. Defaults to the operator configuration's order; clusters not listed follow in that order.",
                    items: SchemaNode.string("A member cluster's name (a DNS label).", pattern: V.dnsLabelPattern, maxLength: 63),
                    set: true),
                "bakeSeconds": SchemaNode.integer(
                    "Seconds a cluster must serve the new version with every replica ready before the next cluster moves. Defaults to \(D.bakeSeconds).",
                    minimum: 0, default: D.bakeSeconds),
                "progressDeadlineSeconds": SchemaNode.integer(
                    "Seconds a cluster has to serve a new version ready before the rollout fails. Defaults to \(D.progressDeadlineSeconds).",
                    minimum: D.minimumProgressDeadlineSeconds, default: D.progressDeadlineSeconds),
                "onFailure": SchemaNode.string(
                    "What a failed rollout does: RollbackAll moves every cluster back to status.lastGoodVersion, RollbackFailed only the clusters not serving the new version ready, Pause moves nothing. Defaults to \(D.onFailure.rawValue).",
                    enum: FailurePolicy.allCases.map(\.rawValue), default: D.onFailure.rawValue),
                "paused": SchemaNode.boolean(
                    "When true no cluster changes version, and the status says so. Defaults to \(D.paused).", default: D.paused),
            ],
            default: .emptyObject)
    }
}
