import Foundation
import JSONCore
import Testing

/// An emulator a whole suite shares: started once before the suite's first test, stopped after
/// its last (see ``EmulatorSuiteTrait``).
protocol SuiteEmulator: Sendable {
    /// Where the running suite finds its instance: the `$current` of a `@TaskLocal static var current`.
    static var suiteInstance: TaskLocal<Self?> { get }

    /// Starts the emulator, prepares it, and runs `body` with it.
    static func run(_ body: @Sendable (Self) async throws -> Void) async throws
}

/// Runs a suite with one `Emulator`, in its ``SuiteEmulator/suiteInstance``.
struct EmulatorSuiteTrait<Emulator: SuiteEmulator>: SuiteTrait, TestScoping {
    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        try await Emulator.run { emulator in
            try await Emulator.suiteInstance.withValue(emulator) { try await function() }
        }
    }
}

extension EmulatorProcess {
    /// The path of `name` under the test bundle's `Fixtures`.
    static func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(name).path
    }

    /// `objects` (bucket → key → content) as the JSON the seed scripts read.
    static func manifest(_ objects: [String: [String: String]]) -> String {
        JSONValue.object(objects.mapValues { .object($0.mapValues(JSONValue.string)) }).jsonString
    }
}
