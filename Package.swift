// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Tandem",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "KubeAPI", targets: ["KubeAPI"]),
        .library(name: "KubeEmulator", targets: ["KubeEmulator"]),
        .executable(name: "kube-emulator", targets: ["kube-emulator"]),
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
    ],
    targets: [
        // core: pure Kubernetes types, no I/O
        .target(
            name: "KubeAPI",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // the API server emulator used by tests and the local demo
        .target(
            name: "KubeEmulator",
            dependencies: [
                "KubeAPI",
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
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "KubeAPITests",
            dependencies: ["KubeAPI"]
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
                "KubeEmulator",
                "KubeAPI",
                "KubeEmulatorTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ]
)
