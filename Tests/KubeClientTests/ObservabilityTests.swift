import Foundation
import KubeAPI
import KubeClient
import KubeEmulator
import KubeEmulatorTestSupport
import Logging
import MetricsTestKit
import Testing

@Suite("Logs never hold secrets; metrics use client-go's names")
struct ObservabilityTests {
    @Test("no token, certificate or key appears in trace-level logs, errors or descriptions")
    func noSecretsInLogs() async throws {
        let capture = LogCapture()
        try await withTLSEmulator(clientCertificates: true) { emulator, admin in
            let credentials = try emulator.pki!.issueClientCertificate(user: "alice", groups: ["system:masters"])
            // Token auth, with retries and a 401 from a stale token file.
            try await injectFault(admin, ["verb": "list", "resource": "configmaps", "status": 503, "count": 1])
            try await withClient(clientConfiguration(emulator), logger: capture.logger()) { client in
                _ = try await client.resource(.configMaps).list()
                _ = try await client.resource(.configMaps).create(configMap("logged"))
            }
            // Client certificate auth.
            var certificateConfiguration = clientConfiguration(emulator, authentication: KubeClientConfiguration.Authentication.none)
            certificateConfiguration.tls.clientCertificatePEM = Array(credentials.certificatePEM.utf8)
            certificateConfiguration.tls.clientKeyPEM = Array(credentials.privateKeyPEM.utf8)
            try await withClient(certificateConfiguration, logger: capture.logger()) { client in
                _ = try await client.resource(.configMaps).get("logged")
            }
            // An exec plugin whose first token is refused (a 401, a refresh and a retry).
            let fixture = try ExecPluginFixture(emulator: emulator, badRuns: 1)
            defer { fixture.directory.cleanup() }
            try await withClient(try fixture.configuration(), logger: capture.logger()) { client in
                _ = try await client.resource(.configMaps).list()
                let configuration = client.configuration
                for text in ["\(configuration)", "\(configuration.authentication)", String(reflecting: configuration)] {
                    #expect(!text.contains(emulatorToken))
                }
            }
            let wrong = Credentials(bearerToken: emulatorToken, clientCertificatePEM: Array(credentials.certificatePEM.utf8), clientKeyPEM: Array(credentials.privateKeyPEM.utf8))
            var dumped = ""
            dump(wrong, to: &dumped)
            for text in ["\(wrong)", String(reflecting: wrong), dumped, "\(KubeClientConfiguration.Authentication.token(emulatorToken))"] {
                #expect(!text.contains(emulatorToken) && !text.contains("BEGIN"), "\(text)")
            }

            let records = capture.all
            #expect(records.contains { $0.level == .trace })
            #expect(records.contains { $0.text.contains("retrying") })
            #expect(records.contains { $0.text.contains("unauthorized") })
            let keyBody = credentials.privateKeyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let certificateBody = credentials.certificatePEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            for record in records {
                #expect(!record.text.contains(emulatorToken), "token in log: \(record.text)")
                #expect(!record.text.contains("refused-token"), "plugin token in log: \(record.text)")
                #expect(!record.text.contains("BEGIN"), "PEM in log: \(record.text)")
                #expect(!record.text.contains(String(keyBody.prefix(24))), "key in log: \(record.text)")
                #expect(!record.text.contains(String(certificateBody.prefix(24))), "certificate in log: \(record.text)")
                #expect(!record.text.lowercased().contains("authorization:"), "header in log: \(record.text)")
            }
        }
    }

    @Test("insecure-skip-tls-verify is honoured with a warning")
    func insecureWarning() async throws {
        let capture = LogCapture()
        try await withTLSEmulator { emulator, _ in
            var configuration = clientConfiguration(emulator)
            configuration.tls = .init(insecureSkipVerify: true)
            try await withClient(configuration, logger: capture.logger(level: .info)) { client in
                _ = try await client.resource(.configMaps).list()
            }
        }
        #expect(capture.all.contains { $0.level == .warning && $0.text.contains("insecure-skip-tls-verify") })
    }

    @Test("requests, durations and retries are counted with client-go's metric names and labels")
    func metrics() async throws {
        let metrics = TestMetrics()
        try await withTLSEmulator { emulator, admin in
            try await injectFault(admin, ["verb": "get", "resource": "configmaps", "status": 503, "count": 1])
            try await withClient(clientConfiguration(emulator), metrics: metrics) { client in
                _ = try await client.resource(.configMaps).getIfExists("missing")
                _ = try await client.resource(.configMaps).list()
            }
            let host = "127.0.0.1:\(emulator.port)"
            #expect(metrics.counterTotal(label: "rest_client_requests_total", dimensions: [("code", "503"), ("method", "GET"), ("host", host)]) == 1)
            #expect(metrics.counterTotal(label: "rest_client_requests_total", dimensions: [("code", "404"), ("method", "GET"), ("host", host)]) == 1)
            #expect(metrics.counterTotal(label: "rest_client_requests_total", dimensions: [("code", "200"), ("method", "GET"), ("host", host)]) == 1)
            #expect(metrics.counterTotal(label: "rest_client_request_retries_total") == 1)
            let timers = metrics.timers(label: "rest_client_request_duration_seconds", dimensions: [("verb", "GET"), ("host", host)])
            #expect(timers.reduce(0) { $0 + $1.values.count } == 3)
        }
    }
}
