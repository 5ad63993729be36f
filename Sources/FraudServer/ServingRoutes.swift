import FraudServing
import Hummingbird
import NIOPosix

/// fraud-server's HTTP API: the seed's `POST /predict`, the Open Inference Protocol
/// (V2) REST endpoints, and `GET /metrics`.
///
/// # Guarantees
/// - Bad input is answered 4xx with `{"error": "…"}`; handlers never throw, so a
///   client mistake never becomes a 5xx. 503 means "not ready" (integrity failure), or,
///   with `Retry-After`, that `MAX_INFLIGHT_REQUESTS` requests are already in inference.
/// - A body whose `Content-Length` exceeds `MAX_BODY_BYTES` is answered 413 before it
///   is read.
/// - Decoding, scoring and encoding run on NIO's blocking thread pool (one thread per
///   core), never on the event loops or Swift's cooperative pool, so `/v2/health/live`,
///   readiness and `/metrics` stay answerable however busy inference is.
public struct ServingRoutes: Sendable {
    public let state: ServingState
    public let metrics: ServerMetrics

    /// The version string `GET /v2` reports.
    public static let serverVersion = "1.0.0"

    public init(state: ServingState, metrics: ServerMetrics) {
        self.state = state
        self.metrics = metrics
    }

    /// Builds the router with every route and the metrics middleware; `/metrics` is among
    /// them unless `METRICS_PORT` moves it to ``metricsRouter()``.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        router.post("/predict") { request, _ in await predict(request) }
        if state.configuration.metricsPort == nil { addMetrics(to: router) }
        router.get("/v2/health/live") { _, _ in json(.ok) { $0.raw("{\"live\":true}") } }
        router.get("/v2/health/ready") { _, _ in
            let ready = state.isReady
            return json(ready ? .ok : .serviceUnavailable) { writer in
                writer.raw(ready ? "{\"ready\":true" : "{\"ready\":false")
                if !ready {
                    // Why not: shutting down, the download or integrity failure, or still loading.
                    writer.raw(",\"reason\":")
                    writer.string(state.notReadyReason)
                }
                writer.bytes.append(UInt8(ascii: "}"))
            }
        }
        router.get("/v2") { _, _ in
            json(.ok) { writer in
                writer.raw("{\"name\":\"fraud-server\",\"version\":")
                writer.string(Self.serverVersion)
                writer.raw(",\"extensions\":[]}")
            }
        }
        for prefix in ["/v2/models/:name", "/v2/models/:name/versions/:version"] {
            router.get(RouterPath(prefix)) { _, context in
                if let failure = modelLookupFailure(context) { return failure }
                return modelMetadata()
            }
            router.get(RouterPath(prefix + "/ready")) { _, context in
                if let failure = modelLookupFailure(context) { return failure }
                let ready = state.isReady
                return json(ready ? .ok : .serviceUnavailable) { writer in
                    writer.raw("{\"name\":")
                    writer.string(state.configuration.modelName)
                    writer.raw(ready ? ",\"ready\":true}" : ",\"ready\":false}")
                }
            }
            router.post(RouterPath(prefix + "/infer")) { request, context in
                if let failure = modelLookupFailure(context) { return failure }
                return await infer(request)
            }
        }
        return router
    }

    /// The router of the `METRICS_PORT` listener: `GET /metrics` alone.
    public func metricsRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        addMetrics(to: router)
        return router
    }

    private func addMetrics(to router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            response(.ok, metrics.render(ready: state.isReady), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }

    // MARK: - Handlers

    func predict(_ request: Request) async -> Response {
        guard let model = state.model else { return notReady() }
        return await runInference(request) { body in predictResponse(model, body) }
    }

    func infer(_ request: Request) async -> Response {
        guard let model = state.model else { return notReady() }
        return await runInference(request) { body in inferResponse(model, body) }
    }

    /// Decodes, scores and answers a `/predict` body (on an inference thread).
    func predictResponse(_ model: TreeModel, _ body: ByteBuffer) -> Response {
        let decoder = PredictBodyDecoder(width: model.featureCount, maxRows: state.configuration.maxBatchRows)
        let features: FeatureMatrix
        switch decode(body, with: { bytes throws(RequestError) in try decoder.decode(bytes) }) {
        case .success(let matrix): features = matrix
        case .failure(let error): return errorResponse(error)
        }
        if let error = missingValueError(model, features) { return errorResponse(error) }
        let outputs = score(model, features)
        let task = model.task
        let threshold = state.configuration.threshold
        let width = model.outputsPerRow
        return json(.ok, capacity: 64 + features.rowCount * (task == .regression ? 24 : 28 * width)) { writer in
            writer.raw("{\"predictions\":[")
            for row in 0..<features.rowCount {
                if row > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                writeLabel(&writer, outputs, row: row, task: task, threshold: threshold, labels: model.classLabels)
            }
            writer.raw("]")
            if task != .regression {
                writer.raw(",\"probabilities\":[")
                for row in 0..<features.rowCount {
                    if row > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                    if width == 1 {
                        writer.number(outputs[row])
                    } else {
                        writer.bytes.append(UInt8(ascii: "["))
                        for column in 0..<width {
                            if column > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                            writer.number(outputs[row * width + column])
                        }
                        writer.bytes.append(UInt8(ascii: "]"))
                    }
                }
                writer.raw("]")
            }
            writer.raw(",\"model_version\":")
            writer.string(state.configuration.modelVersion)
            writer.raw("}")
        }
    }

    /// Decodes, scores and answers a V2 inference body (on an inference thread).
    func inferResponse(_ model: TreeModel, _ body: ByteBuffer) -> Response {
        let decoder = InferenceRequestDecoder(width: model.featureCount, maxRows: state.configuration.maxBatchRows)
        let inference: InferenceRequest
        switch decode(body, with: { bytes throws(RequestError) in try decoder.decode(bytes) }) {
        case .success(let value): inference = value
        case .failure(let error): return errorResponse(error)
        }
        let regression = model.task == .regression
        let valueOutput = regression ? "predictions" : "probabilities"
        let available = regression ? [valueOutput] : [valueOutput, "label"]
        let requested = inference.requestedOutputs ?? available
        if let unknown = requested.first(where: { !available.contains($0) }) {
            return errorResponse(
                .unprocessable("unknown output '\(unknown)'; this model has \(available.joined(separator: ", "))"))
        }
        if let error = missingValueError(model, inference.features) { return errorResponse(error) }
        let outputs = score(model, inference.features)
        let rows = inference.features.rowCount
        let width = model.outputsPerRow
        let threshold = state.configuration.threshold
        return json(.ok, capacity: 256 + rows * 28 * width) { writer in
            writer.raw("{\"model_name\":")
            writer.string(state.configuration.modelName)
            writer.raw(",\"model_version\":")
            writer.string(state.configuration.modelVersion)
            if let id = inference.id {
                writer.raw(",\"id\":")
                writer.string(id)
            }
            writer.raw(",\"outputs\":[")
            for (index, name) in requested.enumerated() {
                if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                writer.raw("{\"name\":")
                writer.string(name)
                if name == "label" {
                    writer.raw(",\"shape\":[")
                    writer.integer(rows)
                    writer.raw("],\"datatype\":")
                    writer.string(Self.labelDatatype(model))
                    writer.raw(",\"data\":[")
                    for row in 0..<rows {
                        if row > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                        writeLabel(&writer, outputs, row: row, task: model.task, threshold: threshold, labels: model.classLabels)
                    }
                } else {
                    writer.raw(",\"shape\":[")
                    writer.integer(rows)
                    if width > 1 {
                        writer.bytes.append(UInt8(ascii: ","))
                        writer.integer(width)
                    }
                    writer.raw("],\"datatype\":\"FP64\",\"data\":[")
                    for index in 0..<rows * width {
                        if index > 0 { writer.bytes.append(UInt8(ascii: ",")) }
                        writer.number(outputs[index])
                    }
                }
                writer.raw("]}")
            }
            writer.raw("]}")
        }
    }

    func modelMetadata() -> Response {
        guard let model = state.model else { return notReady() }
        let configuration = state.configuration
        return json(.ok) { writer in
            writer.raw("{\"name\":")
            writer.string(configuration.modelName)
            writer.raw(",\"versions\":[")
            writer.string(configuration.modelVersion)
            writer.raw("],\"platform\":")
            writer.string(model.format.platform)
            writer.raw(",\"inputs\":[{\"name\":")
            writer.string(model.inputName ?? "input-0")
            writer.raw(",\"datatype\":\"FP64\",\"shape\":[-1,")
            writer.integer(model.featureCount)
            writer.raw("]}],\"outputs\":[")
            if model.task == .regression {
                writer.raw("{\"name\":\"predictions\",\"datatype\":\"FP64\",\"shape\":[-1]}")
            } else {
                writer.raw("{\"name\":\"probabilities\",\"datatype\":\"FP64\",\"shape\":[-1")
                if model.outputsPerRow > 1 {
                    writer.bytes.append(UInt8(ascii: ","))
                    writer.integer(model.outputsPerRow)
                }
                writer.raw("]},{\"name\":\"label\",\"datatype\":")
                writer.string(Self.labelDatatype(model))
                writer.raw(",\"shape\":[-1]}")
            }
            writer.raw("],\"parameters\":{\"sha256\":")
            writer.string(state.sha256)
            writer.raw(",\"objective\":")
            writer.string(model.objective)
            writer.raw(",\"trees\":")
            writer.integer(model.treeCount)
            writer.raw(",\"threshold\":")
            writer.number(configuration.threshold)
            writer.raw("}}")
        }
    }

    // MARK: - Helpers

    /// 404 unless the path names the served model (and version, when given).
    func modelLookupFailure(_ context: BasicRequestContext) -> Response? {
        let configuration = state.configuration
        let name = context.parameters.get("name") ?? ""
        guard name == configuration.modelName else {
            return errorResponse(RequestError(.notFound, "model '\(name)' not found; this server serves '\(configuration.modelName)'"))
        }
        if let version = context.parameters.get("version"), version != configuration.modelVersion {
            return errorResponse(
                RequestError(
                    .notFound,
                    "model '\(name)' version '\(version)' not found; this server serves version '\(configuration.modelVersion)'"))
        }
        return nil
    }

    /// A 422 for the first missing value when the model has no way to take one (a linear
    /// model without an imputer): its answer would be NaN.
    func missingValueError(_ model: TreeModel, _ features: FeatureMatrix) -> RequestError? {
        guard !model.acceptsMissingValues, let index = features.values.firstIndex(where: \.isNaN) else { return nil }
        return .unprocessable(
            "row \(index / features.width), feature \(index % features.width) is missing (null), and this model "
                + "(\(model.objective)) has no imputer for missing values")
    }

    func score(_ model: TreeModel, _ features: FeatureMatrix) -> [Double] {
        let count = features.rowCount * model.outputsPerRow
        let outputs = [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            features.values.withUnsafeBufferPointer { input in
                model.predict(rows: input, rowCount: features.rowCount, into: buffer)
            }
            initialized = count
        }
        metrics.recordBatch(rows: features.rowCount)
        return outputs
    }

    /// Writes a row's label: the class index, or the model's own label for it (``ClassLabels``).
    func writeLabel(
        _ writer: inout JSONWriter, _ outputs: [Double], row: Int, task: ModelTask, threshold: Double, labels: ClassLabels?
    ) {
        let index: Int
        switch task {
        case .binaryClassification:
            index = outputs[row] > threshold ? 1 : 0
        case .multiclassClassification(let classes):
            var best = 0
            for column in 1..<classes where outputs[row * classes + column] > outputs[row * classes + best] { best = column }
            index = best
        case .regression:
            return writer.number(outputs[row])
        }
        switch labels {
        case nil: writer.integer(index)
        case .integers(let values)?: writer.integer(Int(values[index]))
        case .strings(let values)?: writer.string(values[index])
        }
    }

    /// The V2 datatype of the `label` output.
    static func labelDatatype(_ model: TreeModel) -> String {
        if case .strings? = model.classLabels { return "BYTES" }
        return "INT64"
    }

    /// Reads the body, then runs `respond` on an inference thread, if fewer than
    /// `MAX_INFLIGHT_REQUESTS` requests are in inference; otherwise answers 503 with
    /// `Retry-After` at once (before reading the body when the bound is already reached).
    func runInference(_ request: Request, _ respond: @escaping @Sendable (ByteBuffer) -> Response) async -> Response {
        let admission = state.admission
        guard !admission.isFull else { return overloaded() }
        let body: ByteBuffer
        switch await readBody(request) {
        case .success(let bytes): body = bytes
        case .failure(let error): return errorResponse(error)
        }
        guard admission.tryEnter() else { return overloaded() }
        defer { admission.leave() }
        do {
            return try await NIOThreadPool.singleton.runIfActive { respond(body) }
        } catch {
            // Only when the request's task was cancelled (the client went away).
            return errorResponse(RequestError(.serviceUnavailable, "inference did not run: \(error)"))
        }
    }

    /// 503 with `Retry-After`: the in-flight bound is reached.
    func overloaded() -> Response {
        var response = errorResponse(
            RequestError(
                .serviceUnavailable,
                "\(state.admission.limit) requests are already in inference (MAX_INFLIGHT_REQUESTS); "
                    + "retry after \(Self.retryAfterSeconds) s"))
        response.headers[.retryAfter] = String(Self.retryAfterSeconds)
        return response
    }

    /// The `Retry-After` (seconds) of an overload 503: inference requests take milliseconds.
    static let retryAfterSeconds = 1

    func decode<T>(_ body: ByteBuffer, with decode: (UnsafeRawBufferPointer) throws(RequestError) -> T)
        -> Result<T, RequestError>
    {
        body.withUnsafeReadableBytes { bytes in
            do throws(RequestError) { return .success(try decode(bytes)) } catch { return .failure(error) }
        }
    }

    /// Collects the body within `MAX_BODY_BYTES` (answering 413 early when the declared
    /// length is over it) after checking the content type.
    func readBody(_ request: Request) async -> Result<ByteBuffer, RequestError> {
        let limit = state.configuration.maxBodyBytes
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingWhitespace().lowercased() } ?? ""
            guard mediaType == "application/json" || mediaType.hasSuffix("+json") else {
                return .failure(RequestError(.unsupportedMediaType, "content type '\(contentType)' is not application/json"))
            }
        }
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return .failure(.tooLarge(limit: limit))
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return .failure(.tooLarge(limit: limit))
        } catch {
            return .failure(RequestError(.badRequest, "could not read the request body: \(error)"))
        }
        return .success(body)
    }

    func notReady() -> Response {
        let reason = state.notReadyReason
        return errorResponse(RequestError(.serviceUnavailable, "model not ready: \(reason)"))
    }

    func errorResponse(_ error: RequestError) -> Response {
        json(error.status) { writer in
            writer.raw("{\"error\":")
            writer.string(error.message)
            writer.raw("}")
        }
    }

    func json(_ status: HTTPResponse.Status, capacity: Int = 256, _ body: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter(capacity: capacity)
        body(&writer)
        return response(status, writer.bytes, contentType: "application/json")
    }

    func response(_ status: HTTPResponse.Status, _ bytes: [UInt8], contentType: String) -> Response {
        Response(
            status: status, headers: [.contentType: contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
