#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads model files into ``TreeModel``s.
public enum ModelLoader {
    /// Parses `bytes` as a model of `format` (detected from the content when `nil`).
    ///
    /// - Parameter file: names the source in error messages.
    /// - Throws: ``ModelLoadError`` naming `file` and the problem; a model that uses an
    ///   unsupported feature is always refused rather than served with wrong answers.
    public static func load(bytes: [UInt8], format: ModelFormat?, file: String) throws(ModelLoadError) -> TreeModel {
        guard !bytes.isEmpty else { throw ModelLoadError(file: file, kind: .unreadable, reason: "the file is empty") }
        guard let format = format ?? ModelFormat.detect(bytes) else {
            throw ModelLoadError(
                file: file, kind: .malformed,
                reason: "cannot detect the format (expected XGBoost JSON starting with '{', LightGBM text "
                    + "starting with 'tree' or an ONNX ModelProto); set --model-format")
        }
        switch format {
        case .xgboostJSON: return try XGBoostJSONLoader(file: file).load(bytes)
        case .lightgbmText: return try LightGBMTextLoader(file: file).load(bytes)
        case .onnx: return try ONNXModelLoader(file: file).load(bytes)
        }
    }

    /// Reads and parses the model file at `path` (see ``load(bytes:format:file:)``).
    public static func load(path: String, format: ModelFormat? = nil) throws(ModelLoadError) -> TreeModel {
        try load(bytes: try readFile(path), format: format, file: path)
    }

    /// Reads a whole file, with errors that name it.
    public static func readFile(_ path: String) throws(ModelLoadError) -> [UInt8] {
        guard let handle = fopen(path, "rb") else {
            throw ModelLoadError(file: path, kind: .unreadable, reason: String(cString: strerror(errno)))
        }
        defer { fclose(handle) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count {
                if ferror(handle) != 0 {
                    throw ModelLoadError(file: path, kind: .unreadable, reason: String(cString: strerror(errno)))
                }
                return bytes
            }
        }
    }
}
