extension ModelFormat {
    /// Detects the format from the file's first bytes: `{` starts XGBoost JSON,
    /// `tree` starts LightGBM text. Returns `nil` for anything else.
    public static func detect(_ bytes: [UInt8]) -> ModelFormat? {
        guard let first = bytes.firstIndex(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) else {
            return nil
        }
        if bytes[first] == UInt8(ascii: "{") { return .xgboostJSON }
        if bytes[first...].starts(with: Array("tree".utf8)) { return .lightgbmText }
        return nil
    }
}
