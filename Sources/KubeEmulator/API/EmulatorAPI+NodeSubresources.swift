import KubeAPI

extension EmulatorAPI {
    /// Serves the subresources that reach the node rather than the store: `pods/log`,
    /// `pods/proxy` and `services/proxy` (core group, namespaced, named). nil for every other path.
    func nodeSubresource(_ definition: ResourceDefinition, path: Route.ResourcePath, request: EmulatorRequest) async -> EmulatorResponse? {
        guard definition.group.isEmpty, let subresource = path.subresource, let name = path.name, let namespace = path.namespace else { return nil }
        switch (definition.plural, subresource) {
        case ("pods", "log"):
            return PodLogHandler(pods: definition, namespace: namespace, name: name, request: request, store: store, kubelet: kubelet).respond()
        case ("pods", "proxy"), ("services", "proxy"):
            return await ProxyHandler(definition: definition, path: path, request: request, store: store, kubelet: kubelet).respond()
        default:
            return nil
        }
    }
}
