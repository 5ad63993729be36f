// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
        .library(name: "KubeEmulator", targets: ["KubeEmulator"]),
        .library(name: "KubeNodeAgent", targets: ["KubeNodeAgent"]),
        .library(name: "KubeClient", targets: ["KubeClient"]),
        .executable(name: "kube-emulator", targets: ["kube-emulator"]),
        .library(name: "FraudServing", targets: ["FraudServing"]),
        .library(name: "FraudServer", targets: ["FraudServer"]),
        .executable(name: "fraud-server", targets: ["fraud-server"]),
        .library(name: "FraudModelAPI", targets: ["FraudModelAPI"]),
        .library(name: "FraudModelOperator", targets: ["FraudModelOperator"]),
        .executable(name: "tandem-operator", targets: ["tandem-operator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // the lowest layer: JSONValue, its parser and serializer, shared by KubeAPI and FraudServing
        .target(name: "JSONCore"),
        .testTarget(name: "JSONCoreTests", dependencies: ["JSONCore"]),
        // what several test targets share and that needs nothing else: a seeded random generator
        .target(name: "TandemTestSupport", path: "Tests/TandemTestSupport"),
        // the JSON log handler and log-format switch shared by the executables
        .target(
            name: "TandemLogging",
            dependencies: ["JSONCore", .product(name: "Logging", package: "swift-log")]
        ),
        // the names fraud-server and the operator share: model formats, environment variables
        .target(name: "FraudServingContract"),
        // fraud-server: model formats and inference (no HTTP)
        .target(
            name: "FraudServing",
            dependencies: ["JSONCore", "FraudServingContract"]
        ),
        // model files from S3, GCS, HTTP(S) or disk: SigV4, the AWS and Google credential chains,
        // streamed and verified downloads; no HTTP server, no Kubernetes, no cloud SDK
        .target(
            name: "ObjectStore",
            dependencies: [
                "JSONCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // a scripted HTTP server for tests of clients: pauses, trickled and cut-off bodies
        .target(
            name: "HTTPTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/HTTPTestSupport"
        ),
        .testTarget(
            name: "ObjectStoreTests",
            dependencies: [
                "ObjectStore",
                "HTTPTestSupport",
                "JSONCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        // fraud-server: HTTP API, metrics, lifecycle
        .target(
            name: "FraudServer",
            dependencies: [
                "FraudServing",
                "ObjectStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "fraud-server",
            dependencies: [
                "TandemLogging",
                "FraudServer",
                "FraudServing",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "FraudServingTests",
            dependencies: ["TandemTestSupport", "FraudServing"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "FraudServerTests",
            dependencies: [
                "TandemTestSupport",
                "HTTPTestSupport",
                "ObjectStore",
                "FraudServer",
                "FraudServing",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // core: pure Kubernetes types, no I/O
        .target(
            name: "KubeAPI",
            dependencies: ["JSONCore", .product(name: "Yams", package: "Yams")]
        ),
        // client: kubeconfig, auth, TLS, HTTP transport, retries, watches
        .target(
            name: "KubeClient",
            dependencies: [
                "KubeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "KubeClientTests",
            dependencies: [
                "TandemTestSupport",
                "KubeClient",
                "KubeAPI",
                "KubeEmulator",
                "KubeEmulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // runtime: informers, work queue, controller, leader election, events, probes
        .target(
            name: "KubeRuntime",
            dependencies: [
                "KubeAPI",
                "KubeClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "KubeRuntimeTests",
            dependencies: [
                "TandemTestSupport",
                "KubeRuntime",
                "KubeClient",
                "KubeAPI",
                "KubeEmulator",
                "KubeEmulatorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // hack/bench/runtime.sh's benchmark: two emulated clusters, cache sync, no-op reconciles
        .executableTarget(
            name: "kube-runtime-bench",
            dependencies: [
                "KubeRuntime",
                "KubeClient",
                "KubeAPI",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "hack/bench/runtime-bench"
        ),
        // kube-emulator's node agent for --run-pods: the kubelet (pods as processes in their own
        // network and mount namespaces, probes, logs), the endpoint-slice controller and the
        // loopback load balancer; it talks to the API server only through ClusterAccess
        .target(
            name: "KubeNodeAgent",
            dependencies: [
                "KubeAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .testTarget(
            name: "KubeNodeAgentTests",
            dependencies: [
                "KubeNodeAgent",
                "KubeAPI",
                "KubeEmulator",
                "KubeEmulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // the API server emulator used by tests and the local demo
        .target(
            name: "KubeEmulator",
            dependencies: [
                "KubeAPI",
                "KubeNodeAgent",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "kube-emulator",
            dependencies: [
                "KubeEmulator",
                "KubeNodeAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // hack/bench/emulator.sh's load client
        .executableTarget(
            name: "kube-emulator-bench",
            dependencies: [
                "KubeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "KubeAPITests",
            dependencies: ["TandemTestSupport", "KubeAPI"]
        ),
        // shared fixtures and clients for tests that run against kube-emulator
        .target(
            name: "KubeEmulatorTestSupport",
            dependencies: [
                "KubeEmulator",
                "KubeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/KubeEmulatorTestSupport"
        ),
        .testTarget(
            name: "KubeEmulatorTests",
            dependencies: [
                "TandemTestSupport",
                "KubeEmulator",
                "KubeNodeAgent",
                "KubeAPI",
                "KubeEmulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"]
        ),
        // the FraudModel custom resource: spec/status types and the generated CRD
        .target(
            name: "FraudModelAPI",
            dependencies: ["KubeAPI", "FraudServingContract"]
        ),
        // the pure rollout and traffic planners: the fleet's observed state in, decisions out;
        // no I/O, and the compiler keeps it so (it imports only the API types)
        .target(
            name: "FraudModelPlanning",
            dependencies: ["FraudModelAPI", "FraudServingContract", "KubeAPI"]
        ),
        // tandem-operator's domain logic: the configuration, the resource builders and the
        // fleet reconciler, on the planners
        .target(
            name: "FraudModelOperator",
            dependencies: [
                "FraudModelAPI",
                "FraudModelPlanning",
                "FraudServingContract",
                "KubeAPI",
                "KubeClient",
                "KubeRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "tandem-operator",
            dependencies: [
                "FraudModelAPI",
                "FraudModelOperator",
                "KubeAPI",
                "KubeClient",
                "KubeRuntime",
                "TandemLogging",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "FraudModelAPITests",
            dependencies: ["TandemTestSupport", "FraudModelAPI", "KubeAPI", "KubeEmulatorTestSupport"]
        ),
        .testTarget(
            name: "FraudModelOperatorTests",
            dependencies: [
                "TandemTestSupport",
                "FraudModelOperator",
                "FraudServer",
                "FraudModelPlanning",
                "FraudModelAPI",
                "KubeAPI",
                "KubeClient",
                "KubeRuntime",
                "KubeEmulator",
                "KubeEmulatorTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
