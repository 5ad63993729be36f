import KubeAPI

extension Fixtures {
    /// A Deployment `name` with `app: name` labels and one container.
    public static func deployment(_ name: String, image: String = "registry.example/app:1", replicas: Int64 = 2) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "app", "image": .string(image), "ports": [["containerPort": 8080]]]]],
                ],
            ],
        ]
    }

    public static func deployments(_ namespace: String = "default") -> String {
        "/apis/apps/v1/namespaces/\(namespace)/deployments"
    }

    public static func configMap(_ name: String, owner: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)]]
        if let owner {
            object[path: ["metadata", "ownerReferences"]] = [[
                "apiVersion": owner["apiVersion"] ?? "v1", "kind": owner["kind"] ?? "ConfigMap",
                "name": owner[path: ["metadata", "name"]] ?? "", "uid": owner[path: ["metadata", "uid"]] ?? "",
            ]]
        }
        return object
    }
}

extension EmulatorTestClient {
    /// Polls `path` until `predicate` holds for its JSON, within `timeout`.
    @discardableResult
    public func eventually(_ path: String, within timeout: Duration = .seconds(30), _ predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        var last: JSONValue = .null
        while ContinuousClock.now < deadline {
            last = try await get(path).json
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(path) never satisfied the condition; last: \(last.jsonString.prefix(600))")
    }
}
