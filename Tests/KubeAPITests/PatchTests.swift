import KubeAPI
import Testing

@Suite("patches")
struct PatchTests {
    @Test("merge patch follows the RFC 7386 examples", arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(target: String, patch: String, result: String) throws {
        let applied = MergePatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: target))
        #expect(applied == (try JSONValue(parsing: result)))
    }

    @Test("a merge patch diff applied to the original gives the modified document")
    func mergeDiff() throws {
        let original = try JSONValue(parsing: #"{"a":1,"b":{"c":2,"d":3},"e":[1]}"#)
        let modified = try JSONValue(parsing: #"{"a":1,"b":{"c":5},"e":[2],"f":"new"}"#)
        let patch = MergePatch.diff(from: original, to: modified)
        #expect(patch == (try JSONValue(parsing: #"{"b":{"c":5,"d":null},"e":[2],"f":"new"}"#)))
        #expect(MergePatch.apply(patch, to: original) == modified)
        #expect(MergePatch.diff(from: original, to: original) == .emptyObject)
    }

    @Test("JSON patch applies every operation")
    func jsonPatch() throws {
        let document = try JSONValue(parsing: #"{"a":{"b":[1,2,3]},"c":"x"}"#)
        let operations = try JSONValue(parsing: #"""
            [{"op":"test","path":"/c","value":"x"},
             {"op":"add","path":"/a/b/1","value":9},
             {"op":"add","path":"/a/b/-","value":4},
             {"op":"remove","path":"/a/b/0"},
             {"op":"replace","path":"/c","value":"y"},
             {"op":"copy","from":"/c","path":"/d"},
             {"op":"move","from":"/d","path":"/a/e~1f"}]
            """#)
        let result = try JSONPatch.apply(operations, to: document)
        #expect(result == (try JSONValue(parsing: #"{"a":{"b":[9,2,3,4],"e/f":"y"},"c":"y"}"#)))
    }

    @Test("a failed JSON patch test is reported as such, and the document is left alone")
    func jsonPatchTestFailure() throws {
        let document: JSONValue = ["metadata": ["resourceVersion": "5"]]
        let operations = try JSONValue(parsing: #"[{"op":"test","path":"/metadata/resourceVersion","value":"4"},{"op":"remove","path":"/metadata"}]"#)
        #expect {
            try JSONPatch.apply(operations, to: document)
        } throws: { error in
            (error as? JSONPatch.Failure)?.testFailed == true
        }
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply(try JSONValue(parsing: #"[{"op":"replace","path":"/missing","value":1}]"#), to: document) }
    }

    @Test("strategic merge patch merges containers by name and honours $patch directives")
    func strategicMerge() throws {
        let deployment = try JSONValue(parsing: #"""
            {"spec":{"template":{"spec":{"containers":[{"name":"app","image":"a:1","env":[{"name":"X","value":"1"}]},{"name":"sidecar","image":"s:1"}]}}},
             "metadata":{"finalizers":["a"]}}
            """#)
        let patch = try JSONValue(parsing: #"""
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"app"}],
              "containers":[{"name":"app","image":"a:2","env":[{"name":"Y","value":"2"}]},{"name":"sidecar","$patch":"delete"}]}}},
             "metadata":{"finalizers":["b"]}}
            """#)
        let result = StrategicMergePatch.apply(patch, to: deployment)
        let containers = result[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
        #expect(containers.count == 1)
        #expect(containers.first?["image"] == "a:2")
        #expect(containers.first?["env"]?.arrayValue?.count == 2)
        #expect(result[path: ["metadata", "finalizers"]] == ["a", "b"])
        #expect(result[path: ["spec", "template", "spec"]]?["$setElementOrder/containers"] == nil)
    }
}
