import Crypto
import Foundation
import Yams

/// Why an image catalog was refused: the file, the field and what was expected.
public struct ImageCatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the catalog came from (a path, or `admin request`).
    public var source: String
    /// The field path, e.g. `images[2].files./models/model.json`.
    public var field: String
    /// What is wrong.
    public var problem: String

    public var description: String { field.isEmpty ? "\(source): \(problem)" : "\(source): \(field): \(problem)" }
}

extension ImageCatalog {
    /// Reads a catalog file; relative file paths resolve against the file's folder.
    public static func load(path: String) throws(ImageCatalogError) -> ImageCatalog {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ImageCatalogError(source: path, field: "", problem: "cannot read the file: \(error.localizedDescription)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(text, source: path, baseDirectory: folder)
    }

    /// Parses catalog YAML (or JSON). Every `files` source must exist; relative sources resolve
    /// against `baseDirectory`.
    public static func parse(_ text: String, source: String, baseDirectory: String) throws(ImageCatalogError) -> ImageCatalog {
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw ImageCatalogError(source: source, field: "", problem: "not valid YAML: \(error)")
        }
        guard let document = root as? [String: Any] else {
            throw ImageCatalogError(source: source, field: "", problem: "expected a mapping with an `images` list")
        }
        for key in document.keys where key != "images" {
            throw ImageCatalogError(source: source, field: key, problem: "unknown field (expected `images`)")
        }
        guard let entries = document["images"] as? [Any] else {
            throw ImageCatalogError(source: source, field: "images", problem: "expected a list of images")
        }
        var images: [Image] = []
        for (index, entry) in entries.enumerated() {
            images.append(try parseImage(entry, field: "images[\(index)]", source: source, baseDirectory: baseDirectory))
        }
        return ImageCatalog(images: images)
    }

    private static let imageFields: Set<String> = ["image", "command", "args", "env", "workingDir", "files"]

    private static func parseImage(_ entry: Any, field: String, source: String, baseDirectory: String) throws(ImageCatalogError) -> Image {
        func fail(_ subfield: String, _ problem: String) -> ImageCatalogError {
            ImageCatalogError(source: source, field: subfield.isEmpty ? field : "\(field).\(subfield)", problem: problem)
        }
        guard let map = entry as? [String: Any] else { throw fail("", "expected a mapping") }
        for key in map.keys.sorted() where !imageFields.contains(key) {
            throw fail(key, "unknown field (expected one of \(imageFields.sorted().joined(separator: ", ")))")
        }
        guard let reference = map["image"] as? String, !reference.isEmpty else { throw fail("image", "required: an image reference") }
        func strings(_ key: String) throws(ImageCatalogError) -> [String] {
            guard let value = map[key] else { return [] }
            guard let list = value as? [Any], list.allSatisfy({ $0 is String || $0 is Int || $0 is Double }) else {
                throw fail(key, "expected a list of strings")
            }
            return list.map { "\($0)" }
        }
        let command = try strings("command")
        guard let executable = command.first else { throw fail("command", "required: the image's entrypoint (an absolute path)") }
        guard executable.hasPrefix("/") else { throw fail("command[0]", "expected an absolute path, got \"\(executable)\"") }
        var env: [(name: String, value: String)] = []
        if let value = map["env"] {
            guard let envMap = value as? [String: Any] else { throw fail("env", "expected a mapping of NAME: value") }
            for name in envMap.keys.sorted() {
                guard let raw = envMap[name], raw is String || raw is Int || raw is Double || raw is Bool else {
                    throw fail("env.\(name)", "expected a string value")
                }
                env.append((name, "\(raw)"))
            }
        }
        var workingDir = "/"
        if let value = map["workingDir"] {
            guard let dir = value as? String, dir.hasPrefix("/") else { throw fail("workingDir", "expected an absolute path") }
            workingDir = dir
        }
        var files: [String: String] = [:]
        if let value = map["files"] {
            guard let fileMap = value as? [String: Any] else { throw fail("files", "expected a mapping of container path: host path") }
            for (target, rawSource) in fileMap {
                guard target.hasPrefix("/"), !target.split(separator: "/").contains("..") else {
                    throw fail("files.\(target)", "the container path must be absolute, without `..`")
                }
                guard let hostPath = rawSource as? String, !hostPath.isEmpty else {
                    throw fail("files.\(target)", "expected a path on this machine")
                }
                let resolved = hostPath.hasPrefix("/") ? hostPath : URL(fileURLWithPath: baseDirectory).appendingPathComponent(hostPath).standardized.path
                guard FileManager.default.fileExists(atPath: resolved) else {
                    throw fail("files.\(target)", "no such file or directory: \(resolved)")
                }
                files[target] = resolved
            }
        }
        return Image(reference: reference, command: command, args: try strings("args"), env: env, workingDir: workingDir, files: files)
    }
}

/// A stable content digest for a catalog image: sha256 of its description (what would be the
/// image config), so a changed catalog entry shows as a new imageID.
enum ImageDigest {
    static func of(_ image: ImageCatalog.Image) -> String {
        var text = image.reference + "\u{0}" + image.command.joined(separator: "\u{0}") + "\u{1}" + image.args.joined(separator: "\u{0}")
        for (name, value) in image.env { text += "\u{2}\(name)=\(value)" }
        for (target, source) in image.files.sorted(by: { $0.key < $1.key }) { text += "\u{3}\(target)=\(source)" }
        return "sha256:" + SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
