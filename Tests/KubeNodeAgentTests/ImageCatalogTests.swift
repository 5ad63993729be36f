import Foundation
import Testing
@testable import KubeNodeAgent

@Suite("Image catalog")
struct ImageCatalogTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "catalog-tests-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: "\(path)/models", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(path)/models/model.json", contents: Data("{}".utf8))
        return path
    }()

    @Test("an entry matches its reference behind any registry prefix, and only whole path segments")
    func matchesBehindRegistryPrefixes() throws {
        let catalog = try ImageCatalog.parse("""
            images:
            - image: fraud-detector:2.1.0
              command: [/bin/true]
            - image: busybox
              command: [/bin/sh]
            """, source: "test.yaml", baseDirectory: folder)
        #expect(catalog.image(for: "fraud-detector:2.1.0")?.command == ["/bin/true"])
        #expect(catalog.image(for: "123.dkr.ecr.us-east-1.amazonaws.com/team/fraud-detector:2.1.0") != nil)
        #expect(catalog.image(for: "my-fraud-detector:2.1.0") == nil)
        #expect(catalog.image(for: "fraud-detector:2.2.0") == nil)
        #expect(catalog.image(for: "busybox:latest")?.command == ["/bin/sh"])
        #expect(catalog.image(for: "docker.io/library/busybox") != nil)
    }

    @Test("relative file paths resolve against the catalog's folder; env keeps its values")
    func resolvesFilesAndEnvironment() throws {
        try Data("""
            images:
            - image: fraud-detector:2.1.0
              command: [/bin/server, serve]
              args: [--port, 8080]
              env: {MODEL_PATH: /models/model.json, REPLICAS: 3}
              workingDir: /srv
              files:
                /models/model.json: ./models/model.json
            """.utf8).write(to: URL(fileURLWithPath: "\(folder)/catalog.yaml"))
        let catalog = try ImageCatalog.load(path: "\(folder)/catalog.yaml")
        let image = try #require(catalog.images.first)
        #expect(image.files["/models/model.json"] == "\(folder)/models/model.json")
        #expect(image.args == ["--port", "8080"])
        #expect(image.env.map(\.name) == ["MODEL_PATH", "REPLICAS"])
        #expect(image.env.map(\.value) == ["/models/model.json", "3"])
        #expect(image.workingDir == "/srv")
        #expect(image.digest.hasPrefix("sha256:") && image.digest.count == 71)
    }

    @Test("errors name the file, the field and what was expected", arguments: [
        ("images:\n- command: [/bin/true]\n", "images[0].image: required"),
        ("images:\n- image: x\n  command: [bin/true]\n", "images[0].command[0]: expected an absolute path"),
        ("images:\n- image: x\n  command: [/bin/true]\n  entrypoint: [/x]\n", "images[0].entrypoint: unknown field"),
        ("images:\n- image: x\n  command: [/bin/true]\n  files: {/m: ./missing.json}\n", "images[0].files./m: no such file or directory"),
        ("images:\n- image: x\n  command: [/bin/true]\n  files: {m: ./models/model.json}\n", "images[0].files.m: the container path must be absolute"),
        ("imagez: []\n", "imagez: unknown field"),
        ("images: [\n", "not valid YAML"),
    ])
    func refusesBadCatalogs(text: String, expected: String) {
        #expect {
            _ = try ImageCatalog.parse(text, source: "catalog.yaml", baseDirectory: folder)
        } throws: { error in
            let message = "\(error)"
            return message.hasPrefix("catalog.yaml: ") && message.contains(expected)
        }
    }
}
