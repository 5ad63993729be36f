import Foundation
import KubeAPI
import KubeNodeAgent

/// The query of `GET pods/NAME/log`, decoded and validated as kube-apiserver does before it asks
/// the kubelet: undecodable values are 400 BadRequest, values out of range are 422 Invalid
/// (`PodLogOptions "NAME" is invalid: …`). Unknown parameters are ignored.
struct PodLogQuery: Sendable, Equatable {
    /// `container`; nil when absent or empty (the pod's only container is meant).
    var container: String?
    var follow = false
    var tailLines: Int?
    var sinceSeconds: Int?
    var sinceTime: Date?
    var timestamps = false
    var previous = false
    var limitBytes: Int?

    /// Decodes and validates the query of a log request for the pod `podName`.
    init(_ query: [String: String], podName: String) throws(KubeStatus) {
        container = query["container"].flatMap { $0.isEmpty ? nil : $0 }
        follow = Self.bool(query["follow"])
        timestamps = Self.bool(query["timestamps"])
        previous = Self.bool(query["previous"])
        tailLines = try Self.integer("tailLines", query["tailLines"])
        sinceSeconds = try Self.integer("sinceSeconds", query["sinceSeconds"])
        limitBytes = try Self.integer("limitBytes", query["limitBytes"])
        if let text = query["sinceTime"], !text.isEmpty {
            guard let date = Timestamp.parse(text) else {
                throw KubeStatus.badRequest("sinceTime: invalid value \"\(text)\": must be an RFC 3339 time such as 2006-01-02T15:04:05Z")
            }
            sinceTime = date
        }
        try validate(podName: podName)
    }

    /// The options the kubelet gets, for the resolved container.
    func options(container: String) -> PodLogOptions {
        var options = PodLogOptions(container: container)
        options.follow = follow
        options.tailLines = tailLines
        options.sinceSeconds = sinceSeconds
        options.sinceTime = sinceTime
        options.timestamps = timestamps
        options.previous = previous
        options.limitBytes = limitBytes
        return options
    }

    /// kube-apiserver's `ValidatePodLogOptions`.
    private func validate(podName: String) throws(KubeStatus) {
        var causes: [KubeStatus.Cause] = []
        func invalid(_ field: String, _ value: Int, _ message: String) {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(value): \(message)", field: field))
        }
        if let tailLines, tailLines < 0 { invalid("tailLines", tailLines, "must be greater than or equal to 0") }
        if let limitBytes, limitBytes < 1 { invalid("limitBytes", limitBytes, "must be greater than 0") }
        if sinceSeconds != nil, sinceTime != nil {
            causes.append(.init(reason: "FieldValueForbidden", message: "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", field: ""))
        } else if let sinceSeconds, sinceSeconds < 1 {
            invalid("sinceSeconds", sinceSeconds, "must be greater than 0")
        }
        guard !causes.isEmpty else { return }
        var status = KubeStatus.invalid(kind: "PodLogOptions", group: "", name: podName, causes: causes)
        // The message renders the empty path as kube-apiserver does (": Forbidden: …"), the causes omit it.
        status.causes = causes.map { cause in
            var cause = cause
            if cause.field == "" { cause.field = nil }
            return cause
        }
        throw status
    }

    /// A boolean query parameter as apimachinery converts it: absent, `0` or `false` (any case)
    /// is false, anything else, even an empty value, is true.
    private static func bool(_ value: String?) -> Bool {
        guard let value else { return false }
        return value != "0" && value.lowercased() != "false"
    }

    /// An integer query parameter; absent or empty is nil.
    private static func integer(_ name: String, _ value: String?) throws(KubeStatus) -> Int? {
        guard let value, !value.isEmpty else { return nil }
        guard let number = Int(value) else {
            throw KubeStatus.badRequest("\(name): invalid value \"\(value)\": must be an integer")
        }
        return number
    }
}

/// Which container of a pod a log request means, as kube-apiserver's `validateContainer` decides.
enum PodContainerChoice {
    /// The named container (any of the pod's containers, init containers or ephemeral containers),
    /// or the pod's only container when `requested` is nil. 400 BadRequest otherwise.
    static func resolve(_ requested: String?, in pod: JSONValue, podName: String) throws(KubeStatus) -> String {
        let containers = names(pod, "containers")
        let initContainers = names(pod, "initContainers")
        guard let requested else {
            if containers.count == 1 { return containers[0] }
            var message = "a container name must be specified for pod \(podName)"
            if !containers.isEmpty {
                message += ", choose one of: [\(containers.joined(separator: " "))]"
                if !initContainers.isEmpty { message += " or one of the init containers: [\(initContainers.joined(separator: " "))]" }
            }
            throw KubeStatus.badRequest(message)
        }
        guard (containers + initContainers + names(pod, "ephemeralContainers")).contains(requested) else {
            throw KubeStatus.badRequest("container \(requested) is not valid for pod \(podName)")
        }
        return requested
    }

    private static func names(_ pod: JSONValue, _ field: String) -> [String] {
        (pod[path: ["spec", field]]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }
}
