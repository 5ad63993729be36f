import Foundation
import Testing

/// gcp-storage-emulator (in memory, on 127.0.0.1) seeded with ``objects`` by
/// `Fixtures/gcs/seed_gcs.py` through google-cloud-storage itself.
struct GCSEmulator: SuiteEmulator {
    /// What the seed uploads: bucket → object name → content.
    static let objects: [String: [String: String]] = [
        "models": [
            "fraud/v1/model.json": #"{"weights":[0.25,0.75]}"#,
            "dir with space/ünïcødé model+v1 (50%).json": "an awkward object name",
            "top-level.bin": "no slashes at all",
        ]
    ]

    let emulator: EmulatorProcess

    /// The server of the running suite (see ``EmulatorSuiteTrait``).
    @TaskLocal static var current: GCSEmulator?
    static var suiteInstance: TaskLocal<GCSEmulator?> { $current }

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
            _ = try await EmulatorProcess.output(
                of: "\(venv)/bin/python", [EmulatorProcess.fixture("gcs/seed_gcs.py"), EmulatorProcess.manifest(objects)],
                environment: ["STORAGE_EMULATOR_HOST": emulator.baseURL])
            try await body(GCSEmulator(emulator: emulator))
        }
    }
}

extension Trait where Self == EmulatorSuiteTrait<GCSEmulator> {
    /// A seeded gcp-storage-emulator for the suite's tests.
    static var gcsEmulator: Self { Self() }
}
