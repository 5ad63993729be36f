import Foundation
import JSONCore
import Testing

/// gcp-storage-emulator (in memory, on 127.0.0.1) seeded with ``objects`` by
/// `Fixtures/gcs/seed_gcs.py` through google-cloud-storage itself.
struct GCSEmulator: Sendable {
    /// What the seed uploads: bucket → object name → content.
    static let objects: [String: [String: String]] = [
        "models": [
            "fraud/v1/model.json": #"{"weights":[0.25,0.75]}"#,
            "dir with space/ünïcødé model+v1 (50%).json": "an awkward object name",
            "top-level.bin": "no slashes at all",
        ]
    ]

    let emulator: EmulatorProcess

    /// The server of the running suite (see ``GCSEmulatorTrait``).
    @TaskLocal static var current: GCSEmulator?

    /// The environment pointing Google clients at this emulator, plus `variables`.
    func environment(_ variables: [String: String] = [:]) -> [String: String] {
        ["STORAGE_EMULATOR_HOST": emulator.baseURL].merging(variables) { $1 }
    }

    /// Starts the emulator, seeds it, and runs `body` with it.
    static func run(_ body: @Sendable (GCSEmulator) async throws -> Void) async throws {
        let venv = try EmulatorProcess.pythonEnvironment(providing: "gcp-storage-emulator")
        let configuration = EmulatorProcess.Configuration(
            executable: "\(venv)/bin/gcp-storage-emulator",
            arguments: { ["start", "--host=127.0.0.1", "--port=\($0)", "--in-memory"] }
        )
        try await EmulatorProcess.run(configuration) { emulator in
            let script = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("gcs/seed_gcs.py").path
            let manifest = JSONValue.object(objects.mapValues { .object($0.mapValues(JSONValue.string)) }).jsonString
            _ = try await EmulatorProcess.output(
                of: "\(venv)/bin/python", [script, manifest], environment: ["STORAGE_EMULATOR_HOST": emulator.baseURL])
            try await body(GCSEmulator(emulator: emulator))
        }
    }
}

/// Runs a suite with one ``GCSEmulator`` (in ``GCSEmulator/current``), started before its first
/// test and stopped after its last.
struct GCSEmulatorTrait: SuiteTrait, TestScoping {
    func scopeProvider(for test: Test, testCase: Test.Case?) -> GCSEmulatorTrait? {
        test.isSuite ? self : nil
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await GCSEmulator.run { emulator in
            try await GCSEmulator.$current.withValue(emulator) { try await function() }
        }
    }
}

extension Trait where Self == GCSEmulatorTrait {
    /// A seeded gcp-storage-emulator for the suite's tests.
    static var gcsEmulator: Self { GCSEmulatorTrait() }
}
