/// The ownership bookkeeping of structured-merge-diff's `merge.Updater`, on `JSONValue`
/// objects: what kube-apiserver runs under its field manager for every write.
///
/// Managed fields are kept by entry identity; the caller decodes and encodes them.
struct FieldOwnershipUpdater: Sendable {
    typealias Entries = [ManagedFieldsEntry.Identity: ManagedFieldsEntry]

    let walker: ObjectFieldWalker
    /// Fields no manager may own (`status` on a main resource with a status subresource).
    let ignored: FieldSet

    /// Fields kube-apiserver strips from every manager's set (its `stripMetaManager`).
    static let strippedFields = FieldSet([
        FieldPath(fields: "apiVersion"), FieldPath(fields: "kind"), FieldPath(fields: "metadata"),
        FieldPath(fields: "metadata", "name"), FieldPath(fields: "metadata", "namespace"),
        FieldPath(fields: "metadata", "creationTimestamp"), FieldPath(fields: "metadata", "selfLink"),
        FieldPath(fields: "metadata", "uid"), FieldPath(fields: "metadata", "clusterName"),
        FieldPath(fields: "metadata", "generation"), FieldPath(fields: "metadata", "managedFields"),
        FieldPath(fields: "metadata", "resourceVersion"),
    ])

    /// Gives the fields that changed between `old` and `new` away from every entry but `workflow`:
    /// fields modified or added leave their owners, removed fields leave everyone.
    ///
    /// - Throws: the conflicts when `force` is false and another entry owns a changed field.
    @discardableResult
    func transferChanges(from old: JSONValue, to new: JSONValue, entries: inout Entries, workflow: ManagedFieldsEntry.Identity?, force: Bool) throws(ApplyConflict) -> ObjectFieldWalker.Comparison {
        let comparison = walker.compare(old, new).excluding(ignored)
        let changed = comparison.modified.union(comparison.added)
        var conflicts: [ManagedFieldsEntry.Identity: FieldSet] = [:]
        for (identity, entry) in entries where identity != workflow {
            let owned = entry.fields.intersection(changed)
            if !owned.isEmpty { conflicts[identity] = owned }
        }
        if !force, !conflicts.isEmpty {
            throw ApplyConflict(conflicts: conflicts.flatMap { owner, set in set.paths.map { ApplyConflict.Conflict(owner: owner, path: $0) } })
        }
        for (identity, owned) in conflicts {
            if let fields = entries[identity]?.fields { entries[identity]?.fields = fields.subtracting(owned) }
        }
        if !comparison.removed.isEmpty {
            for (identity, entry) in entries where identity != workflow {
                entries[identity]?.fields = entry.fields.subtracting(comparison.removed)
            }
        }
        entries = entries.filter { !$0.value.fields.isEmpty }
        return comparison
    }

    /// Merges `configuration` into `live` for the applier `identity`, who then owns exactly the
    /// configuration's fields; fields it owned before and no longer applies are removed unless someone else owns them.
    ///
    /// - Returns: the new object and entries (the applier's set not yet stripped of metadata).
    func apply(_ configuration: JSONValue, to live: JSONValue, entries: Entries, identity: ManagedFieldsEntry.Identity, apiVersion: String, force: Bool) throws(ApplyConflict) -> (object: JSONValue, entries: Entries) {
        var entries = entries
        let merged = walker.merge(live, configuration)
        let lastSet = entries[identity]?.fields
        entries[identity] = ManagedFieldsEntry(
            manager: identity.manager, operation: .apply, apiVersion: apiVersion, time: entries[identity]?.time,
            subresource: identity.subresource, fields: walker.fieldSet(of: configuration).recursivelySubtracting(ignored))
        let pruned = prune(merged, entries: entries, lastSet: lastSet)
        try transferChanges(from: live, to: pruned, entries: &entries, workflow: identity, force: force)
        return (pruned, entries)
    }

    /// Removes from `merged` the fields of `lastSet` that no entry owns any more (structured-merge-diff's `prune`).
    func prune(_ merged: JSONValue, entries: Entries, lastSet: FieldSet?) -> JSONValue {
        guard let lastSet, !lastSet.isEmpty else { return merged }
        let last = walker.ensuringNamedFieldsAreMembers(lastSet)
        let owned = walker.ensuringNamedFieldsAreMembers(entries.values.reduce(FieldSet()) { $0.union($1.fields) })
        let mergedSet = walker.ensuringNamedFieldsAreMembers(walker.fieldSet(of: merged))
        // Remove what the applier owned, then put back whatever some entry still owns…
        let removed = walker.removing(last, from: merged)
        let removedSet = walker.ensuringNamedFieldsAreMembers(walker.fieldSet(of: removed))
        let ownedBack = walker.removing(mergedSet.subtracting(removedSet.union(owned)), from: merged)
        // …and only drop items the applier did own (unowned items under them stay).
        let ownedBackSet = walker.ensuringNamedFieldsAreMembers(walker.fieldSet(of: ownedBack))
        return walker.removing(mergedSet.subtracting(ownedBackSet).intersection(last), from: merged)
    }

    /// The fields a non-apply write changed, given to nobody yet (the caller merges them into the writer's entry).
    func recordUpdate(from old: JSONValue, to new: JSONValue, entries: inout Entries) -> FieldSet {
        // `force` is true: an update never conflicts, it takes the fields it changes.
        let comparison = (try? transferChanges(from: old, to: new, entries: &entries, workflow: nil, force: true)) ?? ObjectFieldWalker.Comparison()
        return comparison.modified.union(comparison.added).subtracting(comparison.removed).recursivelySubtracting(ignored)
    }

    /// Merges the oldest Update entries into `ancient-changes` buckets (one per API version) until
    /// at most `limit` Update entries remain, as kube-apiserver's `capManagersManager`.
    static func capUpdateEntries(_ entries: inout Entries, limit: Int) {
        let updaters = entries.values.filter { $0.operation == .update }
            .sorted { ($0.time ?? "", $0.identity.encoded) < ($1.time ?? "", $1.identity.encoded) }
        var remaining = updaters.count
        var firstByVersion: [String: ManagedFieldsEntry.Identity] = [:]
        for entry in updaters where remaining > limit {
            let bucket = ManagedFieldsEntry.Identity(manager: "ancient-changes", operation: .update, apiVersion: entry.apiVersion, subresource: nil)
            guard let first = firstByVersion[entry.apiVersion] else {
                firstByVersion[entry.apiVersion] = entry.identity
                continue
            }
            if entries[bucket] == nil, var moved = entries.removeValue(forKey: first) {
                moved.manager = bucket.manager
                moved.subresource = nil
                entries[bucket] = moved
            }
            if let fields = entries[bucket]?.fields { entries[bucket]?.fields = fields.union(entry.fields) }
            entries[bucket]?.time = entry.time
            if entry.identity != bucket { entries[entry.identity] = nil }
            remaining -= 1
        }
    }
}
