import Foundation
import FraudServing
import Logging
import ObjectStore
import ServiceLifecycle

/// Fetches the model from `MODEL_URI` while the server already answers: live at once, ready
/// once the file is downloaded, verified against `MODEL_SHA256` and compiled.
///
/// A failure is logged, counted in `fraud_server_model_load_failures_total{reason}` and shown
/// by the readiness endpoints. Network trouble (timeouts, 5xx, a cut download) is retried
/// without end, `DownloadPolicy.maxBackoff` apart, after the downloader's own retries; a
/// verdict (wrong checksum, no such object, access denied, too large, unparseable) is final:
/// the replica stays live and unready, saying why, instead of crash-looping.
struct RemoteModelLoader: Service {
    let uri: ObjectURI
    let state: ServingState
    let metrics: ServerMetrics
    let downloader: ModelDownloader
    let logger: Logger
    /// When the server started: `fraud_server_model_load_seconds` counts from here.
    let started: ContinuousClock.Instant

    func run() async {
        await cancelWhenGracefulShutdown { await load() }
    }

    func load() async {
        let configuration = state.configuration
        while !Task.isCancelled {
            do {
                let fetched = try await downloader.fetch(uri, expectedSHA256: configuration.modelSHA256)
                let bytes: [UInt8]
                do {
                    defer { discardUncached(fetched) }
                    bytes = try ModelLoader.readFile(fetched.path)
                }
                let model = try ModelLoader.load(bytes: bytes, format: configuration.modelFormat, file: uri.description)
                let elapsed = ContinuousClock.now - started
                state.logLoaded(model, sha256: fetched.sha256, source: uri.description, logger: logger)
                logger.info(
                    "model fetched",
                    metadata: [
                        "uri": "\(uri)", "origin": "\(fetched.origin.rawValue)", "bytes": "\(fetched.bytes)",
                        "attempts": "\(fetched.attempts)", "seconds_to_ready": "\(elapsed)",
                    ])
                state.install(ServingState.LoadedModel(model: model, sha256: fetched.sha256))
                metrics.recordModel(sha256: fetched.sha256, format: model.format.platform)
                metrics.recordModelLoaded(after: elapsed)
                return
            } catch let error as ObjectStoreError {
                metrics.recordModelLoadFailure(reason: error.kind.rawValue)
                guard error.isRetryable else {
                    logger.error("cannot fetch the model; this replica will not become ready", metadata: ["uri": "\(uri)", "error": "\(error.message)"])
                    state.fail(error.message)
                    return
                }
                let pause = downloader.policy.maxBackoff
                logger.error("cannot fetch the model yet; trying again", metadata: ["uri": "\(uri)", "error": "\(error.message)", "retry_in": "\(pause)"])
                state.fail("\(error.message) (trying again every \(pause))")
                try? await Task.sleep(for: pause)
            } catch {
                metrics.recordModelLoadFailure(reason: "invalid_model")
                logger.error("cannot load the model; this replica will not become ready", metadata: ["uri": "\(uri)", "error": "\(error)"])
                state.fail("cannot load the model from \(uri): \(error)")
                return
            }
        }
    }

    /// Without a cache directory a download is read once and removed.
    private func discardUncached(_ fetched: FetchedModel) {
        if fetched.origin == .download, downloader.cacheDirectory == nil {
            try? FileManager.default.removeItem(atPath: fetched.path)
        }
    }
}
