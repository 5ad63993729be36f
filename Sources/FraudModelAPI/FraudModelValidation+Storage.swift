extension FraudModelValidation {
    /// Every problem of the model's location in `spec`: each storage URI template valid, and,
    /// once one is set, no `spec.model.path`, a template for every target cluster and an
    /// explicit `spec.image.tag`.
    ///
    /// `spec.model.path` is refused rather than ignored: with a storage URI the model is
    /// downloaded (`MODEL_URI`), and a path would suggest the file in the image still counts.
    /// The image tag is required because with a storage URI the image no longer carries the
    /// model: tagging it with each `modelVersion` would ask every cluster for an image no one
    /// built. A cluster without a template would keep serving the image's file whatever the
    /// version, so templates are all or nothing.
    static func storageProblems(in spec: FraudModelSpec) -> [FraudModelDecodingError.Problem] {
        var problems: [FraudModelDecodingError.Problem] = []
        if let uri = spec.model?.storageURI, let problem = StorageURITemplate.problem(in: uri) {
            problems.append(.init(field: "spec.model.storageUri", message: problem))
        }
        for (index, cluster) in (spec.clusters ?? []).enumerated() {
            guard let uri = cluster.model?.storageURI, let problem = StorageURITemplate.problem(in: uri) else { continue }
            problems.append(.init(field: "spec.clusters[\(index)].model.storageUri", message: problem))
        }
        guard spec.model?.storageURI != nil || spec.clusterStorageURIs != nil else { return problems }
        if spec.model?.path != nil {
            problems.append(.init(field: "spec.model.path", message:
                "not allowed with a storageUri: the model is downloaded from the store (MODEL_URI), not read from the image; remove spec.model.path"))
        }
        if spec.model?.storageURI == nil,
            let (index, cluster) = (spec.clusters ?? []).enumerated().first(where: { $0.element.model?.storageURI == nil })
        {
            problems.append(.init(field: "spec.model.storageUri", message:
                "Required value: spec.clusters[\(index)] (\(cluster.name)) has no model.storageUri; once one cluster downloads the model every target cluster must (set spec.model.storageUri as the default)"))
        }
        if spec.image.tag == nil {
            problems.append(.init(field: "spec.image.tag", message:
                "Required value: with a storageUri the image does not carry the model and must not change with modelVersion; set the fraud-server image tag"))
        }
        return problems
    }
}
