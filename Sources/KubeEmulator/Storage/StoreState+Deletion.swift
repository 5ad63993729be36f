import Foundation
import KubeAPI

/// Deletion as kube-apiserver and kube-controller-manager's garbage collector do it:
/// finalizers keep an object (marked with `deletionTimestamp`) until they are gone,
/// `propagationPolicy` decides what happens to dependents, and objects whose owners are all
/// gone are collected.
extension StoreState {
    static let foregroundFinalizer = "foregroundDeletion"
    static let orphanFinalizer = "orphan"

    /// Starts deleting an object: with finalizers (or Foreground/Orphan propagation) it is marked
    /// and kept; otherwise it is removed. Returns its state afterwards (marked, or last).
    mutating func beginDeletion(_ storage: StorageKey, _ key: ObjectKey, propagation: String?, now: Date,
                                gracePeriodSeconds: Int64? = nil) -> JSONValue? {
        guard var object = object(storage, key) else { return nil }
        if let graceful = beginGracefulPodDeletion(storage, key, object, now: now, gracePeriodSeconds: gracePeriodSeconds) {
            return graceful
        }
        var finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        let extra: JSONValue? = switch propagation {
        case "Foreground": .string(Self.foregroundFinalizer)
        case "Orphan": .string(Self.orphanFinalizer)
        default: nil
        }
        if let extra, !finalizers.contains(extra), hasDependents(uid: object[path: ["metadata", "uid"]]?.stringValue ?? "") {
            finalizers.append(extra)
        }
        if finalizers.isEmpty {
            let last = removeWithSideEffects(storage, key)
            collectGarbage(now: now)
            return last
        }
        if object[path: ["metadata", "deletionTimestamp"]] == nil || object[path: ["metadata", "finalizers"]]?.arrayValue != finalizers {
            if object[path: ["metadata", "deletionTimestamp"]] == nil {
                object[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.rfc3339(now))
                object[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(0)
            }
            object[path: ["metadata", "finalizers"]] = .array(finalizers)
            object = put(storage, key, object)
        }
        collectGarbage(now: now)
        return self.object(storage, key) ?? object
    }

    static let podsStorage = StorageKey(group: "", resource: "pods")

    /// A scheduled pod with a grace period is marked (deletionTimestamp = now + grace) and left
    /// for its kubelet, which stops its containers and then calls `finishDeletion`. Returns nil
    /// when the ordinary path applies.
    private mutating func beginGracefulPodDeletion(_ storage: StorageKey, _ key: ObjectKey, _ object: JSONValue, now: Date,
                                                   gracePeriodSeconds: Int64?) -> JSONValue? {
        guard gracefulPodDeletion, storage == Self.podsStorage,
              !(object[path: ["spec", "nodeName"]]?.stringValue ?? "").isEmpty else { return nil }
        let phase = object[path: ["status", "phase"]]?.stringValue
        let requested = gracePeriodSeconds ?? object[path: ["spec", "terminationGracePeriodSeconds"]]?.intValue ?? 30
        // As kube-apiserver: a pod that never ran, or has finished, needs no grace.
        let grace = phase == "Succeeded" || phase == "Failed" ? 0 : max(0, requested)
        if grace == 0 { return nil }
        if let existing = object[path: ["metadata", "deletionGracePeriodSeconds"]]?.intValue, existing <= grace { return object }
        var marked = object
        marked[path: ["metadata", "deletionTimestamp"]] = .string(Timestamp.rfc3339(now.addingTimeInterval(Double(grace))))
        marked[path: ["metadata", "deletionGracePeriodSeconds"]] = .int(grace)
        return put(storage, key, marked)
    }

    /// The kubelet's last word on a pod it stopped: the object goes, unless finalizers hold it.
    @discardableResult
    mutating func finishDeletion(_ storage: StorageKey, _ key: ObjectKey, now: Date) -> JSONValue? {
        guard let current = object(storage, key) else { return nil }
        guard (current[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty else { return current }
        let last = removeWithSideEffects(storage, key)
        collectGarbage(now: now)
        return last
    }

    /// Removes an object for good, with a CRD's instances and an emptied namespace.
    @discardableResult
    mutating func removeWithSideEffects(_ storage: StorageKey, _ key: ObjectKey) -> JSONValue? {
        let last = remove(storage, key)
        if storage == StorageKey(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"), let crd = last {
            for served in CustomResourceDefinitions.definitions(of: crd).prefix(1) { dropAll(served.storageKey) }
            KindSemantics.refreshCustomResources(&self)
        }
        if !key.namespace.isEmpty { finalizeNamespaceIfEmpty(key.namespace) }
        return last
    }

    /// Removes a terminating namespace once nothing is left in it.
    mutating func finalizeNamespaceIfEmpty(_ namespace: String) {
        let storage = StorageKey(group: "", resource: "namespaces")
        let key = ObjectKey(namespace: "", name: namespace)
        guard let ns = object(storage, key), ns[path: ["metadata", "deletionTimestamp"]] != nil,
            (ns[path: ["metadata", "finalizers"]]?.arrayValue ?? []).isEmpty, !namespaceHasObjects(namespace)
        else { return }
        remove(storage, key)
    }

    private func hasDependents(uid: String) -> Bool {
        !uid.isEmpty && !dependents(of: uid).isEmpty
    }

    static func ownerUIDs(of object: JSONValue) -> [String] {
        (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).compactMap { $0["uid"]?.stringValue }
    }

    /// The garbage collector, working through the owners the indexes flagged: collects objects
    /// whose owners are all gone, drops dangling owner references, orphans the dependents of
    /// owners deleted with Orphan, deletes those of owners deleted with Foreground and releases
    /// those owners once no dependent is left. Each step costs what the owner's dependents cost.
    mutating func collectGarbage(now: Date) {
        while let owner = garbageCandidates.popFirst() {
            if let ref = objectsByUID[owner], let object = object(ref.storage, ref.key) {
                settleDeletingOwner(owner, ref: ref, object: object, now: now)
                continue
            }
            for dependent in dependents(of: owner) {
                guard let object = object(dependent.storage, dependent.key) else { continue }
                let live = Self.ownerUIDs(of: object).filter { objectsByUID[$0] != nil }
                if live.isEmpty {
                    if object[path: ["metadata", "deletionTimestamp"]] == nil {
                        _ = beginDeletion(dependent.storage, dependent.key, propagation: nil, now: now)
                    }
                } else {
                    dropOwnerReference(owner, from: dependent.storage, dependent.key)
                }
            }
        }
    }

    /// Orphan and Foreground propagation for an owner being deleted.
    private mutating func settleDeletingOwner(_ uid: String, ref: ObjectRef, object: JSONValue, now: Date) {
        guard object[path: ["metadata", "deletionTimestamp"]] != nil else { return }
        let finalizers = object[path: ["metadata", "finalizers"]]?.arrayValue ?? []
        if finalizers.contains(.string(Self.orphanFinalizer)) {
            for dependent in dependents(of: uid) { dropOwnerReference(uid, from: dependent.storage, dependent.key) }
            releaseFinalizer(Self.orphanFinalizer, ref.storage, ref.key)
        } else if finalizers.contains(.string(Self.foregroundFinalizer)) {
            let remaining = dependents(of: uid)
            if remaining.isEmpty {
                releaseFinalizer(Self.foregroundFinalizer, ref.storage, ref.key)
            } else {
                for dependent in remaining
                where self.object(dependent.storage, dependent.key)?[path: ["metadata", "deletionTimestamp"]] == nil {
                    _ = beginDeletion(dependent.storage, dependent.key, propagation: "Foreground", now: now)
                }
            }
        }
    }

    private mutating func dropOwnerReference(_ uid: String, from storage: StorageKey, _ key: ObjectKey) {
        guard var object = object(storage, key) else { return }
        let references = (object[path: ["metadata", "ownerReferences"]]?.arrayValue ?? []).filter { $0["uid"]?.stringValue != uid }
        object[path: ["metadata", "ownerReferences"]] = references.isEmpty ? nil : .array(references)
        put(storage, key, object)
    }

    private mutating func releaseFinalizer(_ finalizer: String, _ storage: StorageKey, _ key: ObjectKey) {
        guard var object = object(storage, key) else { return }
        let remaining = (object[path: ["metadata", "finalizers"]]?.arrayValue ?? []).filter { $0 != .string(finalizer) }
        object[path: ["metadata", "finalizers"]] = remaining.isEmpty ? nil : .array(remaining)
        if remaining.isEmpty, storage.resource != "namespaces" {
            removeWithSideEffects(storage, key)
        } else {
            put(storage, key, object)
        }
    }
}
