import Testing

@testable import KubeAPI

/// Real-shaped objects and managedFields, as kube-apiserver writes them.
enum ServerSideApplyFixtures {
    /// `kubectl apply --server-side` of this Deployment records `deploymentAppliedFields`.
    static let deployment = try! JSONValue(parsing: #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}]}]}}}}
        """#)

    static let deploymentAppliedFields = try! JSONValue(parsing: #"""
        {"f:metadata":{"f:labels":{"f:app":{}}},
         "f:spec":{"f:replicas":{},"f:selector":{},
          "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
           "f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{},
            "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
        """#)

    /// A ConfigMap created by `kubectl apply` (client-side), as stored by kube-apiserver.
    static let configMapManagedFields = try! JSONValue(parsing: #"""
        [{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:00Z",
          "fieldsType":"FieldsV1","fieldsV1":{"f:data":{".":{},"f:a":{}},
          "f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}}}}]
        """#)

    static let finalizerFields = try! JSONValue(parsing: #"{"f:metadata":{"f:finalizers":{".":{},"v:\"example.com/cleanup\"":{}}}}"#)

    static let now = "2024-05-01T12:00:00Z"
}

@Suite("server-side apply: FieldsV1 sets")
struct ServerSideApplyFieldSetTests {
    @Test("FieldsV1 documents of real managedFields decode and encode back unchanged", arguments: [
        ServerSideApplyFixtures.deploymentAppliedFields,
        ServerSideApplyFixtures.configMapManagedFields[0]!["fieldsV1"]!,
        ServerSideApplyFixtures.finalizerFields,
    ])
    func fieldsV1RoundTrip(document: JSONValue) throws {
        let set = try FieldSet(fieldsV1: document)
        #expect(set.fieldsV1 == document)
        #expect(try FieldSet(fieldsV1: set.fieldsV1) == set)
    }

    @Test("a managedFields list reads into entries and writes back unchanged")
    func managedFieldsEntriesRoundTrip() throws {
        let entries = try ManagedFieldsEntry.entries(in: ServerSideApplyFixtures.configMapManagedFields)
        #expect(entries.count == 1)
        #expect(entries[0].manager == "kubectl-client-side-apply")
        #expect(entries[0].operation == .update)
        #expect(entries[0].fields.contains(FieldPath(fields: "data", "a")))
        #expect(entries[0].fields.contains(FieldPath(fields: "data")))
        #expect(!entries[0].fields.contains(FieldPath(fields: "metadata")))
        #expect(JSONValue.array(entries.map(\.json)) == ServerSideApplyFixtures.configMapManagedFields)
    }

    @Test("the fields of an applied Deployment are the FieldsV1 kubectl's Apply entry shows")
    func fieldsOfAppliedDeployment() throws {
        let stripped = FieldSet([
            FieldPath(fields: "apiVersion"), FieldPath(fields: "kind"),
            FieldPath(fields: "metadata", "name"), FieldPath(fields: "metadata", "namespace"),
        ])
        let fields = FieldSet(of: ServerSideApplyFixtures.deployment).subtracting(stripped)
        #expect(fields.fieldsV1 == ServerSideApplyFixtures.deploymentAppliedFields)
    }

    @Test("paths print as in kube-apiserver's conflict messages")
    func pathDescriptions() throws {
        let set = try FieldSet(fieldsV1: ServerSideApplyFixtures.deploymentAppliedFields)
        let printed = set.paths.map(\.description)
        #expect(printed.contains(".spec.template.spec.containers[name=\"app\"].image"))
        #expect(printed.contains(".spec.template.spec.containers[name=\"app\"].ports[containerPort=80,protocol=\"TCP\"]"))
        #expect(printed.contains(".spec.replicas"))
        let finalizers = try FieldSet(fieldsV1: ServerSideApplyFixtures.finalizerFields).paths.map(\.description)
        #expect(finalizers == [".metadata.finalizers", ".metadata.finalizers[=\"example.com/cleanup\"]"])
    }

    @Test("invalid FieldsV1 is refused with a message naming the member", arguments: [
        (#"{"x:foo":{}}"#, "x:foo"),
        (#"{"f:spec":[]}"#, "f:spec"),
        (#"{"f:spec":{"k:not json":{}}}"#, "k:not json"),
        (#"{".":{}}"#, "\".\""),
    ])
    func invalidFieldsV1(document: String, named: String) throws {
        let parsed = try JSONValue(parsing: document)
        #expect {
            try FieldSet(fieldsV1: parsed)
        } throws: { error in
            (error as? FieldsV1Error)?.description.contains(named) == true
        }
    }

    @Test("set operations follow structured-merge-diff")
    func setOperations() {
        let a = FieldSet([FieldPath(fields: "spec", "a"), FieldPath(fields: "spec", "b")])
        let b = FieldSet([FieldPath(fields: "spec", "b"), FieldPath(fields: "spec", "c")])
        #expect(a.union(b).paths.count == 3)
        #expect(a.intersection(b).paths == [FieldPath(fields: "spec", "b")])
        #expect(a.subtracting(b).paths == [FieldPath(fields: "spec", "a")])
        let whole = FieldSet([FieldPath(fields: "spec")])
        #expect(a.subtracting(whole) == a)
        #expect(a.recursivelySubtracting(whole).isEmpty)
    }

    @Test("a CRD schema's list and map markers decide how a custom resource's fields are owned")
    func customResourceSchema() throws {
        let schema = try JSONValue(parsing: #"""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "rules":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],
                "items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer","default":443}}}},
              "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
              "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}},
              "weights":{"type":"object","additionalProperties":{"type":"integer"}},
              "containers":{"type":"array","items":{"type":"object"}}}}}}
            """#)
        let object = try JSONValue(parsing: #"""
            {"spec":{"rules":[{"name":"a","port":80},{"name":"b"}],"tags":["x"],"selector":{"app":"web"},
              "weights":{"blue":1},"containers":[{"name":"c"}]},"metadata":{"labels":{"l":"v"},"finalizers":["f"]}}
            """#)
        let fields = FieldSet(of: object, schema: ApplySchema(openAPIV3Schema: schema))
        let expected = try JSONValue(parsing: #"""
            {"f:metadata":{"f:labels":{"f:l":{}},"f:finalizers":{"v:\"f\"":{}}},
             "f:spec":{"f:rules":{"k:{\"name\":\"a\",\"port\":80}":{".":{},"f:name":{},"f:port":{}},
                                  "k:{\"name\":\"b\",\"port\":443}":{".":{},"f:name":{}}},
                       "f:tags":{"v:\"x\"":{}},"f:selector":{},"f:weights":{"f:blue":{}},"f:containers":{}}}
            """#)
        #expect(fields.fieldsV1 == expected)
    }

    @Test("the default manager is the user agent up to its first slash")
    func defaultManager() {
        #expect(ServerSideApply.manager(fieldManager: nil, userAgent: "kubectl/v1.30.0 (linux/amd64) kubernetes/7c48c2b") == "kubectl")
        #expect(ServerSideApply.manager(fieldManager: "", userAgent: "Go-http-client/1.1") == "Go-http-client")
        #expect(ServerSideApply.manager(fieldManager: "helm", userAgent: "kubectl/v1.30.0") == "helm")
        #expect(ServerSideApply.manager(fieldManager: nil, userAgent: String(repeating: "a", count: 200)).count == 128)
    }
}
