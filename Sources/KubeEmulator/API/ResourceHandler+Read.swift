import Foundation
import KubeAPI

extension ResourceHandler {
    func get() throws(KubeStatus) -> EmulatorResponse {
        guard let name = path.name else { throw notFound("") }
        let found = store.read { $0.object(definition.storageKey, key(name)) }
        guard let object = found else { throw notFound(name) }
        let served = present(object)
        if wantsTable {
            let rv = served[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            return .json(tableBuilder.table(for: [served], resourceVersion: rv, now: now))
        }
        return .json(served)
    }

    /// Parsed `labelSelector` and `fieldSelector`.
    func selectors() throws(KubeStatus) -> (LabelSelector, FieldSelector) {
        do {
            let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
            var fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
            for field in fields.fields where !supportedFieldSelectors.contains(field) {
                throw KubeStatus.badRequest("field label not supported: \(field)")
            }
            if definition.conversion == .eventsV1 {
                // Objects are matched in their stored (v1) shape.
                fields = FieldSelector(fields.requirements.map {
                    FieldSelector.Requirement(field: EventConversion.storedField($0.field), value: $0.value, equal: $0.equal)
                })
            }
            return (labels, fields)
        } catch let error as SelectorParseError {
            throw KubeStatus.badRequest(error.description)
        } catch let error as KubeStatus {
            throw error
        } catch {
            throw KubeStatus.badRequest("\(error)")
        }
    }

    var supportedFieldSelectors: Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        switch definition.kind {
        case "Event":
            for prefix in ["involvedObject", "regarding"] {
                for field in ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"] { fields.insert("\(prefix).\(field)") }
            }
            fields.formUnion(["reason", "reportingComponent", "source", "type", "reportingController"])
        case "Secret": fields.insert("type")
        case "Namespace": fields.insert("status.phase")
        case "Pod": fields.formUnion(["spec.nodeName", "status.phase", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.podIP", "status.nominatedNodeName"])
        default: break
        }
        return fields
    }

    static func labels(of object: JSONValue) -> [String: String] {
        (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }

    func matches(_ object: JSONValue, _ labels: LabelSelector, _ fields: FieldSelector) -> Bool {
        labels.matches(Self.labels(of: object)) && fields.matches(object)
    }

    func list() throws(KubeStatus) -> EmulatorResponse {
        let (labels, fields) = try selectors()
        let limit = request.query["limit"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
        let token = try request.query["continue"].flatMap { text throws(KubeStatus) -> ContinueToken? in
            guard !text.isEmpty else { return nil }
            guard let token = ContinueToken(encoded: text) else { throw KubeStatus.badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
            return token
        }
        let scope = definition.namespaced ? path.namespace : nil
        let (items, listRV, remaining, nextKey) = store.read { state -> ([JSONValue], Int64, Int, String?) in
            var selected: [JSONValue] = []
            var remaining = 0
            var nextKey: String?
            for (key, object) in state.objects(definition.storageKey, namespace: scope) {
                if let token, key.token <= token.start { continue }
                guard matches(object, labels, fields) else { continue }
                if let limit, selected.count >= limit {
                    remaining += 1
                    continue
                }
                selected.append(object)
                if let limit, selected.count == limit { nextKey = key.token }
            }
            return (selected, state.resourceVersion, remaining, nextKey)
        }
        let resourceVersion = token.map { String($0.resourceVersion) } ?? String(listRV)
        let continueToken = remaining > 0 ? nextKey.map { ContinueToken(resourceVersion: token?.resourceVersion ?? listRV, start: $0).encoded } : nil
        let served = items.map(present)
        if wantsTable {
            return .json(tableBuilder.table(for: served, resourceVersion: resourceVersion, continueToken: continueToken, now: now))
        }
        var metadata: JSONValue = ["resourceVersion": .string(resourceVersion)]
        if let continueToken {
            metadata["continue"] = .string(continueToken)
            metadata["remainingItemCount"] = .int(Int64(remaining))
        }
        return .json(["kind": .string(definition.listKind), "apiVersion": .string(definition.apiVersion), "metadata": metadata, "items": .array(served)])
    }
}

/// The opaque `continue` token of a paged list: the list's resourceVersion and the last key served.
struct ContinueToken: Sendable {
    var resourceVersion: Int64
    var start: String

    init(resourceVersion: Int64, start: String) {
        self.resourceVersion = resourceVersion
        self.start = start
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let json = try? JSONValue(parsing: Array(data)),
            let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue
        else { return nil }
        self.init(resourceVersion: rv, start: start)
    }

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(start)]
        return Data(json.serialized()).base64EncodedString()
    }
}
