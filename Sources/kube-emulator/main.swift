import ArgumentParser
import Foundation
import KubeEmulator
import KubeNodeAgent
import Logging

/// `kube-emulator`: a Kubernetes API server emulator for tests and the local demo.
@main
struct KubeEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-emulator",
        abstract: "A Kubernetes API server emulator that real kubectl and client libraries work against.",
        discussion: """
            Once listening it merges a cluster, user and context into --kubeconfig-out (under a file lock, \
            so several emulators can share one file), then prints one line `listening URL` and serves until \
            SIGTERM or SIGINT.
            """)

    @Option(help: "Address and port to listen on (port 0 picks a free one).")
    var listen = "127.0.0.1:0"

    @Option(help: "The cluster's name.")
    var name = "kube"

    @Option(name: .customLong("kubeconfig-out"), help: "Kubeconfig file to write (merged) the cluster, user and context into.")
    var kubeconfigOut: String?

    @Option(help: "Context (and cluster and user) name in the kubeconfig. Defaults to --name.")
    var context: String?

    @Flag(help: "Serve HTTPS with a generated CA; needs --token or --client-ca-auth. Without it (plain HTTP, for tests) loopback callers without credentials are cluster admins.")
    var tls = false

    @Option(help: "Bearer token that authenticates as user admin, a cluster admin (group system:masters).")
    var token: String?

    @Flag(name: .customLong("client-ca-auth"), help: "Authenticate client certificates issued by the emulator's CA (CN user, O groups); without --token the kubeconfig gets one for a cluster admin.")
    var clientCAAuth = false

    @Option(help: "Watch events kept for replay; older resourceVersions get 410 Expired.")
    var history = 1000

    @Flag(help: "Serve the /_emulator/ admin endpoint (to cluster admins on loopback only).")
    var admin = false

    @Option(name: .customLong("bookmark-interval"), help: "Seconds between watch bookmarks.")
    var bookmarkInterval: Double = 60

    @Flag(name: .customLong("simulate-workloads"), help: "Play the deployment controller and kubelet: simulated pods, rollouts, Deployment status.")
    var simulateWorkloads = false

    @Option(name: .customLong("pod-ready-seconds"), help: "Seconds a simulated pod takes to become ready.")
    var podReadySeconds: Double = 0.5

    @Option(name: .customLong("unpullable-images"), help: "Regular expression: containers whose image matches never pull (ImagePullBackOff).")
    var unpullableImages: String?

    @Flag(name: .customLong("run-pods"), help: ArgumentHelp(
        "Run pods for real: every container is a process in the pod's own network and mount namespaces, with probes, logs, Endpoints and loopback load balancers. Implies the controllers of --simulate-workloads. Needs root."))
    var runPods = false

    @Option(name: .customLong("image-catalog"), help: "YAML file mapping image references to what they contain (command, env, files); with --run-pods.")
    var imageCatalog: String?

    @Option(name: .customLong("pod-cidr"), help: "The pod network, an IPv4 /16 (default: the first free one of 10.201.0.0/16 … 10.254.0.0/16).")
    var podCIDR: String?

    @Option(name: .customLong("pod-egress"), help: ArgumentHelp(
        "An IPv4 CIDR of this machine pods may also reach, e.g. another emulator's API server at its pod-network address 10.M.255.1/32 (repeatable). By default pods reach only their own API server and each other.",
        valueName: "cidr"))
    var podEgress: [String] = []

    @Option(name: .customLong("crashloop-backoff-seconds"), help: "The first crash-loop back-off; it doubles up to --max-backoff-seconds (kubelet: 10).")
    var crashLoopBackoffSeconds: Double = 10

    @Option(name: .customLong("max-backoff-seconds"), help: "The longest crash-loop back-off (kubelet: 300).")
    var maxBackoffSeconds: Double = 300

    @Option(name: .customLong("state-dir"), help: "Where pods' files live (swept of dead emulators' leftovers at start).")
    var stateDir = "/tmp/kube-emulator-nodes"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func validate() throws {
        if clientCAAuth && !tls { throw ValidationError("--client-ca-auth needs --tls") }
        if token != nil && !tls { throw ValidationError("--token needs --tls: kubectl sends no bearer token over plain http") }
        if let token, token.isEmpty { throw ValidationError("--token must not be empty") }
        if tls && token == nil && !clientCAAuth {
            throw ValidationError("--tls needs --token or --client-ca-auth: without a way to authenticate every request would be refused")
        }
        guard ListenAddress(listen) != nil else { throw ValidationError("--listen must be HOST:PORT, got '\(listen)'") }
        if let unpullableImages, (try? Regex(unpullableImages)) == nil {
            throw ValidationError("--unpullable-images is not a valid regular expression: \(unpullableImages)")
        }
        if !runPods, imageCatalog != nil || podCIDR != nil || !podEgress.isEmpty {
            throw ValidationError("--image-catalog, --pod-cidr and --pod-egress need --run-pods")
        }
        if crashLoopBackoffSeconds <= 0 || maxBackoffSeconds < crashLoopBackoffSeconds {
            throw ValidationError("--crashloop-backoff-seconds must be positive and at most --max-backoff-seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel)!
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kube-emulator")
        let address = ListenAddress(listen)!
        var configuration = KubeEmulatorConfiguration()
        configuration.host = address.host
        configuration.port = address.port
        configuration.name = name
        configuration.tls = tls
        configuration.token = token
        configuration.clientCertificateAuth = clientCAAuth
        configuration.historySize = history
        configuration.admin = admin
        configuration.bookmarkInterval = .milliseconds(Int64(bookmarkInterval * 1000))
        configuration.simulateWorkloads = simulateWorkloads
        configuration.podReadySeconds = podReadySeconds
        configuration.unpullableImages = unpullableImages
        configuration.runPods = runPods
        configuration.nodeAgent.podCIDR = podCIDR
        configuration.nodeAgent.podEgress = podEgress
        configuration.nodeAgent.stateRoot = stateDir
        configuration.nodeAgent.initialBackoff = .milliseconds(Int64(crashLoopBackoffSeconds * 1000))
        configuration.nodeAgent.maxBackoff = .milliseconds(Int64(maxBackoffSeconds * 1000))
        if let imageCatalog {
            do { configuration.nodeAgent.images = try ImageCatalog.load(path: imageCatalog) } catch {
                FileHandle.standardError.write(Data("kube-emulator: --image-catalog \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
        let signals = SignalWaiter(signals: [SIGTERM, SIGINT])
        let emulator = try await KubeEmulator.start(configuration, logger: logger)
        if let kubeconfigOut {
            try KubeconfigWriter.merge(try emulator.kubeconfigEntry(context: context ?? name), into: kubeconfigOut)
        }
        // Unbuffered: the one line scripts wait for must arrive at once.
        FileHandle.standardOutput.write(Data("listening \(emulator.url)\n".utf8))
        await signals.wait()
        logger.info("shutting down")
        await emulator.shutdown()
    }
}

/// `HOST:PORT`, with `[v6]:PORT` for IPv6.
struct ListenAddress {
    var host: String
    var port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }
}

/// Waits for the first of some signals.
final class SignalWaiter {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func wait() async {
        for await _ in stream { return }
    }
}
