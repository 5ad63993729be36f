@testable import FraudServer
import FraudServing
import Testing
import TandemTestSupport

/// Random and mutated bodies never crash the decoders, and every error has the right
/// class: 400 exactly when the body is not JSON, otherwise 413 or 422. The V2 decoder's
/// single pass answers exactly as decoding a whole JSON tree does.
@Suite struct DecoderFuzzTests {
    static let seeds: [[UInt8]] = [
        Array("[[0.1,null,-2.5e-3,4,5],[1,2,3,4,5]]".utf8),
        Array("[[1e308,-0,0.0,1E+2,null]]".utf8),
        Array("[ [ 1 , 2 , 3 , 4 , 5 ] ]".utf8),
        Array("{\"id\":\"x\",\"inputs\":[{\"name\":\"a\",\"shape\":[1,5],\"datatype\":\"FP64\",\"data\":[1,2,3,4,null]}]}".utf8),
        Array(
            ("{\"id\":\"x\",\"inputs\":[{\"name\":\"a\",\"shape\":[2,5],\"datatype\":\"FP32\",\"data\":[[1,2,3,4,null],[5,6,7,8,9]]}],"
                + "\"outputs\":[{\"name\":\"label\"}]}").utf8),
        Array("{\"inputs\":[{\"data\":[1,2,3,4,5],\"shape\":[5],\"datatype\":\"FP64\"}],\"inputs\":[]}".utf8),
        Array("{\"inputs\":[{\"name\":\"a\",\"data\":[\"x\",1,{}],\"shape\":[1,5],\"datatype\":\"FP64\",\"data\":[1]}]}".utf8),
        Array(
            ("{\"parameters\":{\"a\":[1,{\"b\":null}]},\"inputs\":[{\"name\":\"a\",\"shape\":[1,5],\"datatype\":\"FP64\","
                + "\"data\":[[[1,2],[3]],4,true]}]}").utf8),
    ]
    static let alphabet = Array("[]{},:\"0123456789.eE+-nulltruefalse \n\\u".utf8)

    func mutate(_ input: [UInt8], using random: inout SplitMix) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
            case 1: bytes.insert(Self.alphabet.randomElement(using: &random)!, at: Int.random(in: 0...bytes.count, using: &random))
            case 2 where !bytes.isEmpty:
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 3 where !bytes.isEmpty: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
            default:
                if !bytes.isEmpty {
                    let start = Int.random(in: 0..<bytes.count, using: &random)
                    let end = min(bytes.count, start + Int.random(in: 1...8, using: &random))
                    bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &random))
                }
            }
        }
        return bytes
    }

    func check(_ bytes: [UInt8]) {
        let isJSON = (try? JSONValue(parsing: bytes, options: .fraudServing)) != nil
        let predict = PredictBodyDecoder(width: 5, maxRows: 3)
        do {
            let matrix = try predict.decode(bytes)
            #expect(isJSON && matrix.width == 5 && matrix.rowCount >= 1 && matrix.rowCount <= 3)
        } catch {
            if isJSON {
                #expect([422, 413].contains(error.status.code), "\(String(decoding: bytes, as: UTF8.self)) → \(error)")
            } else {
                #expect(error.status.code == 400, "\(String(decoding: bytes, as: UTF8.self)) → \(error)")
            }
        }
        let infer = InferenceRequestDecoder(width: 5, maxRows: 3)
        let fast = Result { () throws(RequestError) in try infer.decode(bytes) }
        switch fast {
        case .success: #expect(isJSON)
        case .failure(let error): #expect(isJSON ? [422, 413].contains(error.status.code) : error.status.code == 400)
        }
        let tree = bytes.withUnsafeBufferPointer { buffer in Result { () throws(RequestError) in try infer.decodeTree(buffer) } }
        switch (fast, tree) {
        case (.success(let request), .success(let reference)):
            #expect(request == reference)
        case (.failure(let error), .failure(let reference)):
            // Which syntax error is named first may differ; everything else is the same.
            #expect(error.status == reference.status)
            if error.status != .badRequest { #expect(error.message == reference.message) }
        default:
            Issue.record("\(String(decoding: bytes, as: UTF8.self)): single pass \(fast), tree \(tree)")
        }
    }

    @Test("a model width near Int.max overflows nothing in either decoder")
    func hugeWidth() {
        // `width * 4` (a reservation) overflowed.
        #expect(throws: RequestError.self) { try PredictBodyDecoder(width: Int.max / 2, maxRows: 10).decode(Array("[[1]]".utf8)) }
        // `rows * width` overflowed.
        let body = "{\"inputs\":[{\"name\":\"a\",\"shape\":[3,\(Int.max / 2)],\"datatype\":\"FP64\",\"data\":[1]}]}"
        #expect {
            try InferenceRequestDecoder(width: Int.max / 2, maxRows: 10).decode(Array(body.utf8))
        } throws: { error in
            (error as? RequestError)?.status == .unprocessableContent
                && (error as? RequestError)?.message.contains("a \(body.utf8.count)-byte body holds at most") == true
        }
    }

    @Test("mutated valid bodies")
    func mutatedBodies() {
        var random = SplitMix(seed: 0xF2A0D)
        for iteration in 0..<20_000 {
            check(mutate(Self.seeds[iteration % Self.seeds.count], using: &random))
        }
    }

    @Test("random bytes")
    func randomBytes() {
        var random = SplitMix(seed: 42)
        for _ in 0..<5_000 {
            let count = Int.random(in: 0..<64, using: &random)
            let fromAlphabet = Bool.random(using: &random)
            check(
                (0..<count).map { _ in
                    fromAlphabet ? Self.alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                })
        }
    }

    @Test("deep nesting is refused without exhausting the stack")
    func deepNesting() {
        check(Array(repeating: UInt8(ascii: "["), count: 100_000))
        check(Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000))
    }

    @Test("numbers decode exactly as Python's float() does")
    func numbers() throws {
        let decoder = PredictBodyDecoder(width: 6, maxRows: 1)
        let matrix = try decoder.decode(Array("[[0.1,1e-7,123456789012345678901234567890,-0,2.2250738585072014e-308,null]]".utf8))
        #expect(matrix.values[0] == 0.1)
        #expect(matrix.values[1] == 1e-7)
        #expect(matrix.values[2] == 123456789012345678901234567890.0)
        #expect(matrix.values[3] == 0 && matrix.values[3].sign == .minus)
        #expect(matrix.values[4] == 2.2250738585072014e-308)
        #expect(matrix.values[5].isNaN)
        var random = SplitMix(seed: 7)
        for _ in 0..<20_000 {
            let value = Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random(using: &random) ? 1 : -1)
            for text in [value.description, String(format: value, digits: Int.random(in: 1...20, using: &random))] {
                #expect(DecimalParser.parseDouble(Substring(text)) == Double(text), "\(text)")
            }
        }
    }
}

extension String {
    /// `value` printed with `digits` significant digits in plain decimal or exponent form.
    init(format value: Double, digits: Int) {
        let text = value.description
        func mantissa(_ part: Substring) -> String {
            var kept = String(part.prefix(digits + 2))
            if kept.hasSuffix(".") { kept.removeLast() }  // "1." is not a JSON number
            return kept
        }
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            self = mantissa(Substring(text))
            return
        }
        self = mantissa(text[..<e]) + String(text[e...])
    }
}
