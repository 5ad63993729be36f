extension ModelFormat {
    /// Detects the format from the file's first bytes: `{` starts XGBoost JSON,
    /// `tree` starts LightGBM text, and an ONNX `ModelProto` starts with its `ir_version`
    /// field (tag `0x08`, then a varint 1–127) followed by another field tag of
    /// `ModelProto`. Returns `nil` for anything else.
    public static func detect(_ bytes: [UInt8]) -> ModelFormat? {
        if bytes.count >= 3, bytes[0] == 0x08, (1...127).contains(bytes[1]), onnxFieldTags.contains(bytes[2]) {
            return .onnx
        }
        guard let first = bytes.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else {
            return nil
        }
        if bytes[first] == UInt8(ascii: "{") { return .xgboostJSON }
        if bytes[first...].starts(with: Array("tree".utf8)) { return .lightgbmText }
        return nil
    }

    /// The first-byte tags of ModelProto fields 2–9 and 14 (producer_name … graph,
    /// opset_import, metadata_props): what follows `ir_version` in every exporter's output.
    private static let onnxFieldTags: Set<UInt8> = [0x12, 0x1A, 0x22, 0x28, 0x32, 0x3A, 0x42, 0x72]
}
