import KubeAPI

extension EmulatorAPI {
    /// Serves the resources answered by the authentication and authorization layer rather than
    /// the store: `serviceaccounts/token` (TokenRequest) and the review kinds. nil for every other path.
    func authResource(_ definition: ResourceDefinition, path: Route.ResourcePath, request: EmulatorRequest) -> EmulatorResponse? {
        if definition.group.isEmpty, definition.plural == "serviceaccounts", path.subresource == "token", path.name != nil, path.namespace != nil {
            return TokenRequestHandler(path: path, request: request, store: store, tokens: tokens).respond()
        }
        if AccessReviewHandler.serves(definition) {
            return AccessReviewHandler(definition: definition, path: path, request: request, authorizer: policies.authorizer).respond()
        }
        return nil
    }
}
