import Foundation
import Yams

/// What each container image would contain, for pods that run as processes: the parts of an OCI
/// image config a container needs (entrypoint, cmd, env, working directory) and the files it
/// would carry, taken from this machine.
///
/// ```yaml
/// images:
/// - image: fraud-detector:2.1.0      # matches any registry prefix: …/fraud-detector:2.1.0
///   command: [/abs/path/fraud-server]
///   args: []
///   env: {MODEL_PATH: /models/model.json}
///   workingDir: /
///   files:
///     /models/model.json: ./models/2.1.0/model.json   # relative to the catalog file
/// ```
public struct ImageCatalog: Sendable, Equatable {
    /// One image.
    public struct Image: Sendable, Equatable {
        /// The reference as written (`fraud-detector:2.1.0`, `registry/x/fraud-detector@sha256:…`).
        public var reference: String
        /// ENTRYPOINT.
        public var command: [String]
        /// CMD.
        public var args: [String]
        /// ENV, in order.
        public var env: [(name: String, value: String)]
        /// WORKDIR; defaults to `/`.
        public var workingDir: String
        /// Container path → absolute path on this machine (a file or a directory).
        public var files: [String: String]

        public init(reference: String, command: [String], args: [String] = [], env: [(name: String, value: String)] = [],
                    workingDir: String = "/", files: [String: String] = [:]) {
            self.reference = reference
            self.command = command
            self.args = args
            self.env = env
            self.workingDir = workingDir
            self.files = files
        }

        public static func == (lhs: Image, rhs: Image) -> Bool {
            lhs.reference == rhs.reference && lhs.command == rhs.command && lhs.args == rhs.args
                && lhs.env.map(\.name) == rhs.env.map(\.name) && lhs.env.map(\.value) == rhs.env.map(\.value)
                && lhs.workingDir == rhs.workingDir && lhs.files == rhs.files
        }

        /// A digest that names this content (`sha256:…` of its description), for `imageID`.
        public var digest: String { ImageDigest.of(self) }
    }

    /// The images, in file order.
    public var images: [Image]

    public init(images: [Image] = []) {
        self.images = images
    }

    /// The image a container reference names: an exact match first, then one whose reference
    /// matches after dropping the registry/repository path prefix (`…/fraud-detector:2.1.0`
    /// matches `fraud-detector:2.1.0`). A reference without tag or digest means `:latest`.
    public func image(for reference: String) -> Image? {
        let wanted = Self.normalized(reference)
        if let exact = images.first(where: { Self.normalized($0.reference) == wanted }) { return exact }
        return images.first { image in
            let entry = Self.normalized(image.reference)
            return wanted.hasSuffix("/" + entry)
        }
    }

    /// `name` → `name:latest`; references with a tag or digest stay as they are.
    static func normalized(_ reference: String) -> String {
        if reference.contains("@") { return reference }
        let lastSegment = reference.split(separator: "/").last.map(String.init) ?? reference
        return lastSegment.contains(":") ? reference : reference + ":latest"
    }
}
