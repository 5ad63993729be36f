/// A model file format fraud-server can load.
///
/// The raw values are the one spelling shared by fraud-server (`MODEL_FORMAT`,
/// `--model-format`), the FraudModel CRD's `spec.model.format` enum and the operator.
public enum ModelFormat: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// XGBoost's JSON model (`Booster.save_model("model.json")`), XGBoost 1.x to 3.x.
    case xgboostJSON = "xgboost_json"
    /// LightGBM's text model (`Booster.save_model("model.txt")`).
    case lightgbmText = "lightgbm_text"
    /// An ONNX model (`ModelProto`) holding an `ai.onnx.ml` tree ensemble, as skl2onnx and
    /// onnxmltools export scikit-learn, XGBoost and LightGBM models.
    case onnx = "onnx"

    /// The platform name reported in Open Inference Protocol model metadata.
    public var platform: String { rawValue }

    public var description: String { rawValue }

    /// The canonical names, in declaration order: what the CRD's enum lists.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// Parses a `--model-format` / `MODEL_FORMAT` value.
    ///
    /// Accepts the canonical names, their hyphenated spellings and the short aliases
    /// `xgboost`, `json`, `lightgbm`, `lgbm`, `txt`, `text`, `onnx_model` and `onnx_ml`; `auto` (or an empty value)
    /// returns `.some(nil)`, meaning "detect"; anything else returns `nil`.
    public static func parse(_ text: String) -> ModelFormat?? {
        switch text.lowercased().replacingHyphens() {
        case "", "auto": return .some(nil)
        case "xgboost_json", "xgboost", "json": return .some(.xgboostJSON)
        case "lightgbm_text", "lightgbm", "lgbm", "txt", "text": return .some(.lightgbmText)
        case "onnx", "onnx_model", "onnx_ml": return .some(.onnx)
        default: return nil
        }
    }
}

extension String {
    fileprivate func replacingHyphens() -> String {
        String(map { $0 == "-" ? "_" : $0 })
    }
}
