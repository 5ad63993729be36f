import KubeAPI
import KubeNodeAgent

/// Serves `GET /api/v1/namespaces/NS/pods/NAME/log` (`kubectl logs`): validates the query,
/// resolves the container, and streams what the kubelet's log source sends as `text/plain`,
/// one flushed chunk per chunk the source yields.
///
/// # Guarantees
/// - Errors come before any byte of the body: an invalid query, a missing pod or container, or
///   the log source refusing (e.g. `previous` without a restart) is a Status with its code.
/// - With `follow`, the response stays open until the source's stream ends or the client goes
///   away; then iteration stops, which cancels the source's stream (its `onTermination` runs).
///
/// # Caveats
/// - Without a log source (simulated pods) there are no logs: the answer is kube-apiserver's 400
///   for a waiting container, or a 400 that says so.
struct PodLogHandler: Sendable {
    let pods: ResourceDefinition
    let namespace: String
    let name: String
    let request: EmulatorRequest
    let store: ObjectStore
    let kubelet: KubeletConnection

    func respond() -> EmulatorResponse {
        do {
            return try stream()
        } catch {
            return .status(error)
        }
    }

    private func stream() throws(KubeStatus) -> EmulatorResponse {
        guard request.method == "GET" else { throw KubeStatus.methodNotAllowed() }
        let query = try PodLogQuery(request.query, podName: name)
        let found = store.read { $0.object(pods.storageKey, ObjectKey(namespace: namespace, name: name)) }
        guard let pod = found else { throw KubeStatus.notFound(resource: pods.plural, group: pods.group, name: name) }
        let container = try PodContainerChoice.resolve(query.container, in: pod, podName: name)
        let options = query.options(container: container)
        guard let source = kubelet.logs else {
            throw Self.simulatedPodStatus(pod, podName: name, container: container, previous: query.previous)
        }
        let uid = pod[path: ["metadata", "uid"]]?.stringValue ?? ""
        let chunks = try source.logs(namespace: namespace, pod: name, uid: uid, options: options)
        return .stream(status: 200, contentType: "text/plain", headers: []) { send in
            for try await chunk in chunks where !chunk.isEmpty {
                try await send(chunk)
            }
        }
    }

    /// What a request for the logs of a simulated pod gets: the kubelet's message for a
    /// container it has not started (or never restarted), else a 400 that names the reason.
    static func simulatedPodStatus(_ pod: JSONValue, podName: String, container: String, previous: Bool) -> KubeStatus {
        let statuses = ["containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"]
            .flatMap { pod[path: ["status", $0]]?.arrayValue ?? [] }
        let status = statuses.first { $0["name"]?.stringValue == container }
        if previous, status?[path: ["lastState", "terminated"]] == nil {
            return .badRequest("previous terminated container \"\(container)\" in pod \"\(podName)\" not found")
        }
        if !previous, let waiting = status?[path: ["state", "waiting"]] {
            let reason = waiting["reason"]?.stringValue ?? ""
            let detail = switch reason {
            case "ErrImagePull": "image can't be pulled"
            case "ImagePullBackOff": "trying and failing to pull image"
            default: reason
            }
            return .badRequest("container \"\(container)\" in pod \"\(podName)\" is waiting to start: \(detail)")
        }
        return .badRequest(
            "logs of container \"\(container)\" in pod \"\(podName)\" are not available: kube-emulator simulates pods "
                + "and captures no output (start it with --run-pods to run pods as processes and read their logs)")
    }
}
