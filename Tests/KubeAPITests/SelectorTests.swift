import KubeAPI
import Testing

@Suite("label and field selectors")
struct SelectorTests {
    let labels = ["app": "web", "tier": "gold", "env": "prod"]

    @Test("each operator matches as Kubernetes defines it", arguments: [
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app!=db", true), ("missing!=x", true),
        ("tier in (gold,silver)", true), ("tier in (silver)", false), ("tier notin (silver)", true),
        ("missing notin (x)", true), ("app", true), ("missing", false), ("!missing", true), ("!app", false),
        ("app=web,tier=gold", true), ("app=web,tier=silver", false), ("", true),
        ("  app = web , env in ( prod , dev ) ", true),
    ])
    func matching(selector: String, expected: Bool) throws {
        let parsed = try LabelSelector(parsing: selector)
        #expect(parsed.matches(labels) == expected)
    }

    @Test("invalid selectors are rejected with the reason", arguments: ["app=", "=web", "a in gold", "a in (x", "app,,tier", "bad key!=x"])
    func invalid(selector: String) {
        if selector == "app=" {
            #expect((try? LabelSelector(parsing: selector))?.matches(["app": ""]) == true)
            return
        }
        #expect(throws: SelectorParseError.self) { try LabelSelector(parsing: selector) }
    }

    @Test("the builder prints the string form that parses back")
    func builderRoundTrip() throws {
        let selector = LabelSelector().equals("app", "web").in("tier", ["gold", "silver"]).notIn("env", ["dev"]).exists("team").doesNotExist("legacy")
        #expect(selector.description == "app=web,tier in (gold,silver),env notin (dev),team,!legacy")
        #expect(try LabelSelector(parsing: selector.description) == selector)
        #expect(LabelSelector(matchLabels: ["b": "2", "a": "1"]).description == "a=1,b=2")
    }

    @Test("field selectors compare dotted paths, with escapes")
    func fieldSelectors() throws {
        let object: JSONValue = ["metadata": ["name": "x,y", "namespace": "default"], "status": ["phase": "Running"]]
        #expect(try FieldSelector(parsing: #"metadata.name=x\,y"#).matches(object))
        #expect(try FieldSelector(parsing: "metadata.namespace==default,status.phase!=Pending").matches(object))
        #expect(try !FieldSelector(parsing: "metadata.namespace!=default").matches(object))
        #expect(try FieldSelector(parsing: "spec.nodeName=").matches(object))
        #expect(throws: SelectorParseError.self) { try FieldSelector(parsing: "metadata.name") }
        #expect(FieldSelector().equals("metadata.name", "a").notEquals("status.phase", "b").description == "metadata.name=a,status.phase!=b")
    }
}
