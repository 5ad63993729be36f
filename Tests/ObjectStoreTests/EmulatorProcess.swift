import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// A local emulator (moto, gcp-storage-emulator, …) run as a child process on a free port of
/// 127.0.0.1 for the length of a test or a suite.
///
/// Use ``run(_:_:)``: the process lives exactly as long as its body. It runs in a process group of
/// its own, which gets SIGTERM at the end, then SIGKILL after 5 seconds, so helpers it started go
/// too. Its standard output and error go to ``logPath`` (removed after a clean run, kept and
/// quoted when it fails to start).
///
/// # Caveats
/// - If the test process itself is killed, the emulator outlives it.
struct EmulatorProcess: Sendable {
    /// What to run and how to know it is up.
    struct Configuration: Sendable {
        /// The program, an absolute path (see ``pythonEnvironment(providing:)``).
        var executable: String
        /// Its arguments, given the port it must listen on.
        var arguments: @Sendable (_ port: Int) -> [String]
        /// Variables added to (or replacing) the test process's environment.
        var environment: [String: String] = [:]
        /// The path polled until the emulator answers it with any HTTP status. Defaults to `/`.
        var readinessPath = "/"
        /// How long the emulator may take to answer. Defaults to 60 seconds.
        var startupTimeout: Duration = .seconds(60)
        /// Starts tried, each on a new port, while the process exits before answering (another
        /// process took the port in between). Defaults to 3.
        var attempts = 3
    }

    /// The port it listens on, on 127.0.0.1.
    let port: Int
    /// Where its standard output and error go.
    let logPath: String

    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// `127.0.0.1:PORT`, for variables such as `STORAGE_EMULATOR_HOST`.
    var hostAndPort: String { "127.0.0.1:\(port)" }

    /// Starts the emulator, waits until it answers, runs `body` with it, then stops it.
    /// - Throws: ``StartupFailure`` when it does not answer in time or keeps exiting; whatever `body` throws.
    static func run<T: Sendable>(_ configuration: Configuration, _ body: @Sendable (EmulatorProcess) async throws -> T) async throws -> T {
        var failure: StartupFailure?
        for _ in 0..<max(1, configuration.attempts) {
            let port = try await freePort()
            let logPath = FileManager.default.temporaryDirectory
                .appendingPathComponent("emulator-\(URL(fileURLWithPath: configuration.executable).lastPathComponent)-\(port)-\(UUID().uuidString.prefix(8)).log").path
            let process = try start(configuration, port: port, logPath: logPath)
            do {
                try await waitUntilReady(process, url: "http://127.0.0.1:\(port)\(configuration.readinessPath)", logPath: logPath, timeout: configuration.startupTimeout)
            } catch let error as StartupFailure {
                await stop(process)
                guard error.exited else { throw error }
                failure = error
                continue
            } catch {
                await stop(process)
                throw error
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(EmulatorProcess(port: port, logPath: logPath)))
            } catch {
                result = .failure(error)
            }
            await stop(process)
            try? FileManager.default.removeItem(atPath: logPath)
            return try result.get()
        }
        throw failure ?? StartupFailure(exited: true, message: "\(configuration.executable) did not start")
    }

    /// Why an emulator could not be started.
    struct StartupFailure: Error, CustomStringConvertible {
        /// Whether the process exited (rather than staying silent).
        let exited: Bool
        let message: String
        var description: String { message }
    }

    // MARK: - Python tools

    /// The object-store test tools' Python virtual environment, the first that has `bin/TOOL`:
    /// `<repo>/.venv`, else `$OBJECTSTORE_VENV`. Take every program of a test from the same one
    /// (`VENV/bin/python` for scripts that import the tool's packages).
    /// - Throws: a message saying how to install the environment, when neither has `tool`.
    static func pythonEnvironment(providing tool: String) throws -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates: [String?] = [repository.appendingPathComponent(".venv").path, ProcessInfo.processInfo.environment["OBJECTSTORE_VENV"]]
        for case let venv? in candidates where FileManager.default.isExecutableFile(atPath: "\(venv)/bin/\(tool)") {
            return venv
        }
        throw StartupFailure(
            exited: false,
            message: "no Python environment with \(tool): run hack/install-deps.sh (it installs hack/requirements-objectstore.txt "
                + "into \(repository.path)/.venv), or point OBJECTSTORE_VENV at a virtualenv that has it")
    }

    /// Runs `executable` with `arguments` to completion and returns its standard output.
    /// - Throws: ``StartupFailure`` with its standard error when it exits with a non-zero status.
    static func output(of executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let stdout = directory.appendingPathComponent("stdout")
        let stderr = directory.appendingPathComponent("stderr")
        let process = try configuredProcess(executable, arguments, environment: environment, stdout: stdout.path, stderr: stderr.path)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard status == 0 else {
            let errors = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            throw StartupFailure(exited: true, message: "\(executable) \(arguments.first ?? "") exited with status \(status):\n\(errors.suffix(4000))")
        }
        return try String(contentsOf: stdout, encoding: .utf8)
    }

    // MARK: - Process control

    private static func configuredProcess(
        _ executable: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        for path in Set([stdout, stderr]) { FileManager.default.createFile(atPath: path, contents: nil) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardOutput = output
        process.standardError = stderr == stdout ? output : try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        process.standardInput = FileHandle.nullDevice
        return process
    }

    /// Starts the process; Foundation makes it the leader of a new process group.
    private static func start(_ configuration: Configuration, port: Int, logPath: String) throws -> Process {
        let process = try configuredProcess(
            configuration.executable, configuration.arguments(port), environment: configuration.environment, stdout: logPath, stderr: logPath)
        try process.run()
        return process
    }

    /// A port of 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    private static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw ChannelError.unknownLocalAddress }
        return port
    }

    private static func waitUntilReady(_ process: Process, url: String, logPath: String, timeout: Duration) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(1), read: .seconds(5))
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let result: Result<Void, any Error>
        do {
            result = .success(try await poll(url, client: client, until: ContinuousClock.now + timeout, while: process, logPath: logPath))
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        try result.get()
    }

    private static func poll(_ url: String, client: HTTPClient, until deadline: ContinuousClock.Instant, while process: Process, logPath: String) async throws {
        let name = process.executableURL?.lastPathComponent ?? "emulator"
        func log() -> String { String(((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").suffix(4000)) }
        while true {
            if let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return
            }
            guard process.isRunning else {
                throw StartupFailure(exited: true, message: "\(name) exited with status \(process.terminationStatus) before answering \(url); its log:\n\(log())")
            }
            guard ContinuousClock.now < deadline else {
                throw StartupFailure(exited: false, message: "\(name) did not answer \(url) in time; its log (\(logPath)):\n\(log())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// SIGTERM to the process group, SIGKILL after 5 seconds (at once when the task is cancelled).
    private static func stop(_ process: Process) async {
        let group = -process.processIdentifier
        guard process.processIdentifier > 0 else { return }
        kill(group, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        kill(group, SIGKILL)
        process.waitUntilExit()
    }
}
