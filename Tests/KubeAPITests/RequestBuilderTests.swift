import KubeAPI
import Testing

@Suite("Request building (pure, kube-rs request.rs style)")
struct RequestBuilderTests {
    let widgets = ResourceDescriptor(group: "example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)

    @Test("paths follow core and group prefixes, namespaces and subresources")
    func paths() throws {
        #expect(RequestBuilder(.configMaps, namespace: "ns").list().path == "/api/v1/namespaces/ns/configmaps")
        #expect(try RequestBuilder(.deployments, namespace: "a").get("web", subresource: "scale").path == "/apis/apps/v1/namespaces/a/deployments/web/scale")
        #expect(try RequestBuilder(.namespaces, namespace: "ignored").get("fraud").path == "/api/v1/namespaces/fraud")
        #expect(RequestBuilder(widgets).list().path == "/apis/example.com/v1/widgets")
    }

    @Test("list carries selectors, limit and continue, percent-encoded")
    func listQuery() {
        let request = RequestBuilder(widgets, namespace: "default").list(ListParameters(
            labelSelector: LabelSelector().equals("app", "fraud").in("tier", ["a", "b"]),
            fieldSelector: FieldSelector().equals("metadata.name", "w1"), limit: 500, continueToken: "abc=="))
        #expect(request.verb == "list" && request.method == "GET")
        #expect(request.pathAndQuery == "/apis/example.com/v1/namespaces/default/widgets?labelSelector=app%3Dfraud%2Ctier%20in%20%28a%2Cb%29&fieldSelector=metadata.name%3Dw1&limit=500&continue=abc%3D%3D")
    }

    @Test("watch asks for bookmarks and a timeout by default and resumes from a resourceVersion")
    func watchQuery() {
        let request = RequestBuilder(.configMaps, namespace: "x").watch(WatchParameters(resourceVersion: "42", timeoutSeconds: 10))
        #expect(request.queryValue("watch") == "true")
        #expect(request.queryValue("resourceVersion") == "42")
        #expect(request.queryValue("allowWatchBookmarks") == "true")
        #expect(request.queryValue("timeoutSeconds") == "10")
        #expect(request.isIdempotent)
    }

    @Test("writes carry fieldManager; apply requires it and alone may force")
    func writes() throws {
        let builder = RequestBuilder(widgets, namespace: "default")
        let create = builder.create(["metadata": ["name": "a"]], WriteParameters(fieldManager: "tandem"))
        #expect(create.method == "POST" && create.queryValue("fieldManager") == "tandem" && !create.isIdempotent)
        let apply = try builder.patch("a", .apply(["spec": ["size": 2]]), WriteParameters(fieldManager: "tandem", force: true))
        #expect(apply.contentType == "application/apply-patch+yaml")
        #expect(apply.queryValue("force") == "true")
        #expect(throws: RequestBuilder.Failure.self) { try builder.patch("a", .apply([:]), WriteParameters()) }
        #expect(throws: RequestBuilder.Failure.self) { try builder.patch("a", .merge([:]), WriteParameters(fieldManager: "m", force: true)) }
        #expect(try builder.patch("a", .strategic([:])).contentType == "application/strategic-merge-patch+json")
        #expect(try builder.patch("a", .json([.test("/a", 1)])).contentType == "application/json-patch+json")
        #expect(try builder.replace("a", ["metadata": ["name": "a"]]).verb == "update")
    }

    @Test("delete sends DeleteOptions with propagation and preconditions")
    func delete() throws {
        let request = try RequestBuilder(widgets, namespace: "default").delete("a", DeleteParameters(
            propagationPolicy: .foreground, preconditionUID: "u1", preconditionResourceVersion: "7"))
        let body = try JSONValue(parsing: try #require(request.body))
        #expect(body["propagationPolicy"] == "Foreground")
        #expect(body["preconditions"] == ["uid": "u1", "resourceVersion": "7"])
        #expect(request.verb == "delete")
        #expect(RequestBuilder(widgets, namespace: "default").deleteCollection(ListParameters(labelSelector: LabelSelector().exists("x"))).verb == "deletecollection")
    }

    @Test("a namespaced object needs a namespace and a name")
    func missingParts() {
        #expect(throws: RequestBuilder.Failure.self) { try RequestBuilder(widgets).get("a") }
        #expect(throws: RequestBuilder.Failure.self) { try RequestBuilder(widgets, namespace: "x").get("") }
    }

    @Test("JSON pointers escape ~ and /")
    func pointers() {
        #expect(JSONPatchOperation.pointer(["metadata", "labels", "app.kubernetes.io/name"]) == "/metadata/labels/app.kubernetes.io~1name")
        #expect(JSONPatchOperation.pointer(["a~b"]) == "/a~0b")
    }

    @Test("JSON patch operations built here apply with JSONPatch")
    func jsonPatchRoundTrip() throws {
        let patch = Patch.json([.test("/spec/size", 3), .replace("/spec/size", 4), .add("/metadata/labels", ["a": "b"]), .remove("/spec/color")])
        let document: JSONValue = ["metadata": ["name": "w"], "spec": ["size": 3, "color": "red"]]
        let patched = try JSONPatch.apply(try JSONValue(parsing: patch.body), to: document)
        #expect(patched == ["metadata": ["name": "w", "labels": ["a": "b"]], "spec": ["size": 4]])
    }

    @Test("apply bodies identify the object and drop server-owned metadata and status")
    func applyBody() {
        let live: JSONValue = ["metadata": ["name": "x", "resourceVersion": "5", "uid": "u", "managedFields": [], "labels": ["a": "b"]],
                               "spec": ["size": 2], "status": ["ready": true]]
        let body = ApplyBody.build(widgets, name: "w", namespace: "ns", fields: live)
        #expect(body == ["apiVersion": "example.com/v1", "kind": "Widget",
                         "metadata": ["name": "w", "namespace": "ns", "labels": ["a": "b"]], "spec": ["size": 2]])
    }

    @Test("merge diffs touch only what changed")
    func mergeDiff() {
        let original: JSONValue = ["spec": ["size": 1, "unknownField": "kept"], "metadata": ["labels": ["a": "1", "b": "2"]]]
        var modified = original
        modified[path: ["spec", "size"]] = 2
        modified[path: ["metadata", "labels", "b"]] = nil
        #expect(Patch.mergeDiff(from: original, to: modified) == .merge(["spec": ["size": 2], "metadata": ["labels": ["b": nil]]]))
    }
}
