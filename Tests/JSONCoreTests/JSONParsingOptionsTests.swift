import JSONCore
import Testing

/// What each parsing option changes, against the Go-compatible defaults.
@Suite struct JSONParsingOptionsTests {
    func parse(_ text: String, _ options: JSONParsingOptions) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8), options: options)
    }

    func offset(of text: String, _ options: JSONParsingOptions) -> Int? {
        do {
            _ = try parse(text, options)
            return nil
        } catch {
            return error.offset
        }
    }

    @Test("a repeated key keeps the last value, the first value, or is refused")
    func duplicateKeys() throws {
        let text = #"{"a":1,"b":{"a":3},"a":2}"#
        #expect(try parse(text, .default)["a"] == 2)
        #expect(try parse(text, JSONParsingOptions(duplicateKeys: .firstWins))["a"] == 1)
        #expect(offset(of: text, JSONParsingOptions(duplicateKeys: .reject)) == 24)
    }

    @Test("nesting is accepted up to maximumDepth and refused beyond it")
    func maximumDepth() {
        let options = JSONParsingOptions(maximumDepth: 3)
        #expect((try? parse("[[[1]]]", options)) == [[[1]]])
        #expect(offset(of: "[[[[1]]]]", options) == 3)
        #expect(offset(of: "[{\"a\":[{}]}]", options) == 7)
    }

    @Test("invalid UTF-8 and unpaired surrogates become U+FFFD, or are refused when strict")
    func invalidUnicode() throws {
        let strict = JSONParsingOptions(rejectsInvalidUnicode: true)
        let invalidUTF8: [UInt8] = Array("[\"ab".utf8) + [0xFF] + Array("\"]".utf8)
        #expect(try JSONValue(parsing: invalidUTF8) == ["ab\u{FFFD}"])
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: invalidUTF8, options: strict) }
        let encodedSurrogate: [UInt8] = [0x22, 0x5C, 0x6E, 0xED, 0xA0, 0x80, 0x22]  // "\n" then U+D800 in UTF-8
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: encodedSurrogate, options: strict) }
        for text in [#""\ud800""#, #""\ud800x""#, #""\ud800\u0041""#, #""\udc00""#] {
            #expect(try parse(text, .default).stringValue?.unicodeScalars.first == "\u{FFFD}", "\(text)")
            #expect(offset(of: text, strict) != nil, "\(text)")
        }
        #expect(try parse(#""\ud83d\ude00 é""#, strict) == "😀 é")
    }

    @Test("a byte order mark is skipped unless refused")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("{}".utf8)
        #expect(try JSONValue(parsing: bytes) == .emptyObject)
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: bytes, options: JSONParsingOptions(allowsByteOrderMark: false))
        }
    }

    @Test("integers stay Int64 to both ends of the range, larger ones become doubles")
    func integers() throws {
        #expect(try parse("[9223372036854775807,-9223372036854775808,-0]", .default) == [.int(.max), .int(.min), .int(0)])
        #expect(try parse("9223372036854775808", .default) == .double(9223372036854775808))
        #expect(try parse("-9223372036854775809", .default) == .double(-9223372036854775809))
    }

    @Test("fractional numbers round once to the nearest Double, as Double(String) does")
    func doublesRoundCorrectly() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF)
            for text in [value.description, "\(Int.random(in: 0..<1_000_000, using: &generator)).\(generator.next())e-7"] {
                #expect(try parse(text, .default) == .double(Double(text)!), "\(text)")
            }
        }
        #expect(try parse("-1e-400", .default).doubleValue == 0)
    }

    @Test("float32 precision rounds once from the text where Double then Float would round twice")
    func float32RoundsOnce() throws {
        // Just above the midpoint between 1 and the next Float: the nearest Double is the
        // midpoint itself, which then rounds to even (1); the nearest Float is 1 + 2⁻²³.
        let text = "1.0000000596046447758"
        let float32 = JSONParsingOptions(fractionalNumberPrecision: .float32)
        #expect(Float(text) == 1 + Float.ulpOfOne)
        #expect(try parse(text, float32).doubleValue.map(Float.init) == 1 + Float.ulpOfOne)
        #expect(try parse(text, .default).doubleValue.map(Float.init) == 1)
        #expect(try parse("[3, 16777217]", float32) == [3, 16777217], "integers are not rounded")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let digits = String(UInt64.random(in: 1...UInt64.max, using: &generator))
            let text = "-0.\(digits)e\(Int.random(in: -40...30, using: &generator))"
            #expect(try parse(text, float32).doubleValue.map(Float.init) == Float(text), "\(text)")
        }
    }

    @Test("buffer pointers, array slices and strings parse in place with the same result")
    func inputKinds() throws {
        let text = #"{"a":[1,2.5,"x"]}"#
        let bytes = Array(text.utf8)
        let expected: JSONValue = ["a": [1, 2.5, "x"]]
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try JSONValue(parsing: bytes[...]) == expected)
        #expect(try bytes.withUnsafeBufferPointer { try JSONValue(parsing: $0) } == expected)
        #expect(try JSONValue(parsing: bytes.lazy.map { $0 }) == expected)
    }
}
