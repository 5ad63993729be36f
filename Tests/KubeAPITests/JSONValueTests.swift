import Foundation
import KubeAPI
import Testing

@Suite("JSONValue parsing and serialization")
struct JSONValueTests {
    @Test("integers stay integers and doubles keep their value")
    func numbersRoundTrip() throws {
        let value = try JSONValue(parsing: #"{"a":3,"b":3.5,"c":-0,"d":1e3,"e":9223372036854775807,"f":12345678901234567890}"#)
        #expect(value["a"] == .int(3))
        #expect(value["b"] == .double(3.5))
        #expect(value["d"] == .double(1000))
        #expect(value["e"] == .int(Int64.max))
        #expect(value["f"]?.doubleValue == 12345678901234567890)
        #expect(value.jsonString.contains(#""a":3,"#))
        // Integral doubles print without a fraction, as Go does, so they come back as integers.
        #expect(try JSONValue(parsing: value.jsonString).isSemanticallyEqual(to: value))
        #expect(value["d"]?.jsonString == "1000")
    }

    @Test("strings with escapes, unicode and surrogate pairs round-trip")
    func stringsRoundTrip() throws {
        let text = #"{"s":"line\nbreak \"quoted\" tab\t slash\/ \u00e9 \ud83d\ude00 <tag> & done"}"#
        let value = try JSONValue(parsing: text)
        #expect(value["s"]?.stringValue == "line\nbreak \"quoted\" tab\t slash/ é 😀 <tag> & done")
        let reparsed = try JSONValue(parsing: value.jsonString)
        #expect(reparsed == value)
        #expect(value.jsonString.contains(#"\u003ctag\u003e \u0026"#))
    }

    @Test("object keys serialize sorted, so equal values give equal bytes")
    func sortedKeys() throws {
        let a = try JSONValue(parsing: #"{"b":1,"a":{"z":true,"y":null}}"#)
        #expect(a.jsonString == #"{"a":{"y":null,"z":true},"b":1}"#)
    }

    @Test("malformed documents fail with the byte offset", arguments: [
        ("{\"a\":}", 5), ("[1,2", 4), ("{\"a\":1} x", 8), ("tru", 0), ("\"abc", 4), ("01", 1), ("{\"a\" 1}", 5), ("[1e999]", 6),
    ])
    func malformed(text: String, offset: Int) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        do {
            _ = try JSONValue(parsing: text)
        } catch {
            #expect(error.offset == offset)
        }
    }

    @Test("duplicate keys are rejected only when asked")
    func duplicates() throws {
        let text = #"{"a":1,"a":2}"#
        #expect(try JSONValue(parsing: Array(text.utf8))["a"] == .int(2))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(text.utf8), rejectDuplicateKeys: true) }
    }

    @Test("deep nesting is refused instead of overflowing the stack")
    func depthLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
    }

    @Test("random bytes never crash the parser")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,0123456789.-eE+truefalsn \u\"abc"#.utf8)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            if let value = try? JSONValue(parsing: bytes) {
                #expect((try? JSONValue(parsing: value.serialized()))?.isSemanticallyEqual(to: value) == true)
            }
        }
    }

    @Test("path subscripts read and create nested members")
    func paths() {
        var value: JSONValue = .emptyObject
        value[path: ["metadata", "labels", "app"]] = "web"
        #expect(value.jsonString == #"{"metadata":{"labels":{"app":"web"}}}"#)
        value[path: ["metadata", "labels"]] = nil
        #expect(value.jsonString == #"{"metadata":{}}"#)
        #expect(value[path: ["missing", "x"]] == nil)
    }

    @Test("YAML documents convert with YAML 1.1 scalars")
    func yaml() throws {
        let value = try JSONValue(yaml: """
            a: 1
            b: 2.5
            c: "3"
            d: yes
            e: null
            f: [x, 'y']
            g: {h: ~}
            """)
        #expect(value == ["a": 1, "b": 2.5, "c": "3", "d": true, "e": nil, "f": ["x", "y"], "g": ["h": nil]])
        let documents = try JSONValue.documents(yaml: "a: 1\n---\n---\nb: 2\n")
        #expect(documents == [["a": 1], ["b": 2]])
    }

    @Test("semantic equality treats 1 and 1.0 as the same number")
    func semanticEquality() {
        #expect(JSONValue.int(1).isSemanticallyEqual(to: .double(1.0)))
        #expect(JSONValue.int(1) != .double(1.0))
        #expect(!JSONValue.int(1).isSemanticallyEqual(to: .string("1")))
    }
}
