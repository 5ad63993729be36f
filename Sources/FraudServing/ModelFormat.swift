/// A model file format fraud-server can load.
public enum ModelFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// XGBoost's JSON model (`Booster.save_model("model.json")`), XGBoost 1.x to 3.x.
    case xgboostJSON = "xgboost_json"
    /// LightGBM's text model (`Booster.save_model("model.txt")`).
    case lightgbmText = "lightgbm_text"

    /// The platform name reported in Open Inference Protocol model metadata.
    public var platform: String { rawValue }

    public var description: String { rawValue }

    /// Parses a `--model-format` / `MODEL_FORMAT` value.
    ///
    /// Accepts the platform names and the short aliases `xgboost`, `json`, `lightgbm`,
    /// `lgbm` and `txt`; `auto` (or an empty value) returns `nil`, meaning "detect".
    public static func parse(_ text: String) -> ModelFormat?? {
        switch text.lowercased() {
        case "", "auto": return .some(nil)
        case "xgboost_json", "xgboost", "json": return .some(.xgboostJSON)
        case "lightgbm_text", "lightgbm", "lgbm", "txt", "text": return .some(.lightgbmText)
        default: return nil
        }
    }

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
