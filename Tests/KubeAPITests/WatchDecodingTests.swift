import KubeAPI
import Testing
import TandemTestSupport

@Suite("Watch event decoding and line framing")
struct WatchDecodingTests {
    @Test("every event type decodes; ERROR becomes a KubeError")
    func eventTypes() throws {
        let added = try WatchEvent<JSONValue>(line: Array(#"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"3"}}}"#.utf8))
        #expect(added.type == .added && added.object?.name == "a")
        let bookmark = try WatchEvent<JSONValue>(line: Array(#"{"type":"BOOKMARK","object":{"kind":"Widget","metadata":{"resourceVersion":"17"}}}"#.utf8))
        guard case .bookmark(let rv) = bookmark else { Issue.record("not a bookmark"); return }
        #expect(rv == "17")
        let error = try WatchEvent<JSONValue>(line: Array(#"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","code":410,"reason":"Expired","message":"too old resource version: 1 (5)"}}"#.utf8))
        guard case .error(let status) = error else { Issue.record("not an error"); return }
        #expect(status.isGone && status.isExpired && status.code == 410)
    }

    @Test("typed events decode the object; a bad object is a decoding error")
    func typed() throws {
        let event = try WatchEvent<ConfigMap>(line: Array(#"{"type":"MODIFIED","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}}"#.utf8))
        #expect(event.object?.data == ["k": "v"])
        #expect(throws: WatchEventDecodingError.self) {
            try WatchEvent<ConfigMap>(line: Array(#"{"type":"ADDED","object":{"metadata":"nope"}}"#.utf8))
        }
        #expect(throws: WatchEventDecodingError.self) { try WatchEvent<JSONValue>(line: Array(#"{"type":"WHAT","object":{}}"#.utf8)) }
        #expect(throws: WatchEventDecodingError.self) { try WatchEvent<JSONValue>(line: Array("{not json".utf8)) }
    }

    @Test("the framer returns the same lines whatever the chunk boundaries (fuzz)")
    func framerFuzz() throws {
        var generator = SplitMix(seed: 0x7A4D)
        for round in 0..<300 {
            let count = Int(generator.next() % 20)
            var lines: [[UInt8]] = []
            for index in 0..<count {
                let length = 1 + Int(generator.next() % 300)
                // Multi-byte UTF-8 so boundaries also fall inside characters.
                let text = String(repeating: "é\(index)x€", count: length / 4 + 1)
                lines.append(Array(#"{"type":"ADDED","object":{"n":"\#(text)"}}"#.utf8))
            }
            var stream: [UInt8] = []
            for line in lines { stream += line + (generator.next() % 5 == 0 ? [13, 10] : [10]) }
            var framer = LineFramer()
            var output: [[UInt8]] = []
            var offset = 0
            while offset < stream.count {
                let size = generator.next() % 4 == 0 ? 1 : 1 + Int(generator.next() % 700)
                let end = min(stream.count, offset + size)
                output += try framer.append(stream[offset..<end])
                offset = end
            }
            #expect(framer.finish() == nil)
            #expect(output == lines, "round \(round)")
            for line in output { _ = try WatchEvent<JSONValue>(line: line) }
        }
    }

    @Test("an unterminated last line is returned by finish; overlong lines throw")
    func framerEdges() throws {
        var framer = LineFramer(maximumLineLength: 8)
        #expect(try framer.append(Array("ab\n\ncd".utf8)) == [Array("ab".utf8)])
        #expect(framer.finish() == Array("cd".utf8))
        #expect(throws: LineFramer.LineTooLong.self) { try framer.append(Array("0123456789".utf8)) }
    }
}
