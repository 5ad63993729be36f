/// Server-side apply and field ownership as kube-apiserver does them: merging applied
/// configurations, detecting conflicts, and recording `metadata.managedFields` for every write.
///
/// Pure functions over `JSONValue` objects; the caller stores the result and sets
/// `resourceVersion`, `uid` and the like.
///
/// # Guarantees
/// - After `apply`, the applier's `Apply` entry holds exactly the fields of the configuration
///   (less `apiVersion`, `kind`, `metadata.name`/`namespace` and other server-set metadata).
/// - A field of the configuration owned by another entry with a different live value is a
///   conflict unless `force`; with an equal value it becomes shared.
/// - Fields the applier applied before and no longer applies are removed unless another entry owns them.
/// - `recordUpdate` gives the fields a write changed to the writer's `Update` entry and takes
///   them from everyone else; every entry left empty is dropped.
///
/// # Caveats
/// - The schema is an `ApplySchema` hint, not the full OpenAPI schema: unknown lists are atomic,
///   unknown objects are structures. On create, objects the write adds are owned as such
///   (`".": {}`), as for custom resources; kube-apiserver omits that for built-in non-pointer structs.
/// - No version conversion: entries of other API versions are compared in the object's version.
public enum ServerSideApply {
    /// The annotation in which client-side `kubectl apply` keeps the configuration it last applied.
    static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// What kind of write is being tracked, and how objects of its kind are shaped.
    public struct Options: Sendable, Hashable {
        /// The list and map types. Defaults to `.kubernetes`.
        public var schema: ApplySchema
        /// Fields nobody owns on this endpoint: `status` for a main resource with a status subresource,
        /// `spec` for the status subresource. Defaults to none. Their values still merge: the caller
        /// resets them afterwards, as kube-apiserver's registry strategies do.
        public var ignoredFields: FieldSet
        /// The subresource written (`status`, `scale`), recorded in entries. Defaults to nil (the main resource).
        public var subresource: String?
        /// The most `Update` entries kept before the oldest merge into `ancient-changes`. Defaults to 10.
        public var maxUpdateEntries: Int

        /// Options for a write; see each property for its default.
        public init(schema: ApplySchema = .kubernetes, ignoredFields: FieldSet = FieldSet(), subresource: String? = nil, maxUpdateEntries: Int = 10) {
            self.schema = schema
            self.ignoredFields = ignoredFields
            self.subresource = subresource
            self.maxUpdateEntries = maxUpdateEntries
        }

        /// Writes to the main resource; `status` is ignored when the kind has a status subresource.
        public static func mainResource(schema: ApplySchema = .kubernetes, hasStatusSubresource: Bool) -> Options {
            Options(schema: schema, ignoredFields: hasStatusSubresource ? FieldSet([FieldPath(fields: "status")]) : FieldSet())
        }

        /// Writes to the status subresource: `spec` is ignored, entries say `subresource: status`.
        public static func statusSubresource(schema: ApplySchema = .kubernetes) -> Options {
            Options(schema: schema, ignoredFields: FieldSet([FieldPath(fields: "spec")]), subresource: "status")
        }
    }

    // MARK: - Apply

    /// Applies `configuration` for `manager` to `live` (nil: the object does not exist yet).
    ///
    /// Follows kube-apiserver's field manager: an object without managedFields first gives all its
    /// fields to `before-first-apply`; the manager `kubectl` may take fields its client-side
    /// `last-applied-configuration` annotation still matches without conflict, and keeps that annotation
    /// up to date when the object has one.
    ///
    /// - Parameters:
    ///   - now: the RFC 3339 time written into the entries that changed.
    /// - Returns: the merged object with `metadata.managedFields` updated.
    /// - Throws: `ApplyError.conflict` with every conflicting field (HTTP 409), or
    ///   `ApplyError.badRequest` for a configuration kube-apiserver would reject (HTTP 400).
    public static func apply(_ configuration: JSONValue, to live: JSONValue?, manager: String, force: Bool, options: Options = Options(), now: String) throws(ApplyError) -> JSONValue {
        let updater = FieldOwnershipUpdater(walker: ObjectFieldWalker(schema: options.schema), ignored: options.ignoredFields)
        let apiVersion = try checkConfiguration(configuration, live: live, walker: updater.walker)
        var entries: FieldOwnershipUpdater.Entries
        do {
            entries = try keyed(ManagedFieldsEntry.entries(of: live ?? .emptyObject))
        } catch {
            throw .badRequest("failed to decode managed fields: \(error.description)")
        }
        let liveObject = withoutManagedFields(live ?? .emptyObject)
        if entries.isEmpty, live != nil {
            let empty: JSONValue = ["apiVersion": live?["apiVersion"] ?? .null, "kind": live?["kind"] ?? .null]
            let fields = updater.recordUpdate(from: empty, to: liveObject, entries: &entries).subtracting(FieldOwnershipUpdater.strippedFields)
            if !fields.isEmpty {
                let entry = ManagedFieldsEntry(manager: "before-first-apply", operation: .update, apiVersion: apiVersion, time: now, fields: fields)
                entries[entry.identity] = entry
            }
        }
        let identity = ManagedFieldsEntry.Identity(manager: manager, operation: .apply, apiVersion: "", subresource: options.subresource)
        var result: (object: JSONValue, entries: FieldOwnershipUpdater.Entries)
        do {
            result = try updater.apply(configuration, to: liveObject, entries: entries, identity: identity, apiVersion: apiVersion, force: force)
        } catch {
            // kubectl moving from client-side to server-side apply takes what its last-applied annotation still matches.
            guard manager == "kubectl", let allowed = fieldsStillLastApplied(in: liveObject, apiVersion: apiVersion, walker: updater.walker) else {
                throw .conflict(error)
            }
            let remaining = error.conflicts.filter { !allowed.contains($0.path) }
            if !remaining.isEmpty { throw .conflict(ApplyConflict(conflicts: remaining)) }
            do {
                result = try updater.apply(configuration, to: liveObject, entries: entries, identity: identity, apiVersion: apiVersion, force: true)
            } catch {
                throw .conflict(error)
            }
        }
        if let own = result.entries[identity] {
            let fields = own.fields.subtracting(FieldOwnershipUpdater.strippedFields)
            result.entries[identity] = fields.isEmpty ? nil : own
            result.entries[identity]?.fields = fields
        }
        if result.object != liveObject { result.entries[identity]?.time = now }
        var object = result.object
        if manager == "kubectl", let annotation = object[path: ["metadata", "annotations", lastAppliedAnnotation]]?.stringValue, !annotation.isEmpty {
            object[path: ["metadata", "annotations", lastAppliedAnnotation]] = .string(lastAppliedValue(of: configuration))
        }
        return withManagedFields(object, result.entries)
    }

    /// The configuration's apiVersion, after kube-apiserver's checks of an apply patch.
    private static func checkConfiguration(_ configuration: JSONValue, live: JSONValue?, walker: ObjectFieldWalker) throws(ApplyError) -> String {
        guard case .object = configuration else {
            throw .badRequest("the applied configuration must be a JSON object, not \(configuration.typeName)")
        }
        guard let apiVersion = configuration["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            throw .badRequest("apiVersion must be set in the applied configuration")
        }
        if let expected = live?["apiVersion"]?.stringValue, expected != apiVersion {
            throw .badRequest("Incorrect version specified in apply patch. Specified patch version: \(apiVersion), expected: \(expected)")
        }
        if configuration[path: ["metadata", "managedFields"]] != nil {
            throw .badRequest("metadata.managedFields must be nil")
        }
        if let failure = walker.validationFailure(of: configuration) {
            throw .badRequest("failed to create typed patch object: \(failure)")
        }
        return apiVersion
    }

    /// The fields of the live object's last-applied annotation that still hold the live values, or
    /// nil when there is no usable annotation (kube-apiserver's `lastAppliedManager`).
    static func fieldsStillLastApplied(in live: JSONValue, apiVersion: String, walker: ObjectFieldWalker) -> FieldSet? {
        guard let text = live[path: ["metadata", "annotations", lastAppliedAnnotation]]?.stringValue, !text.isEmpty,
            let lastApplied = try? JSONValue(parsing: text), lastApplied["apiVersion"]?.stringValue == apiVersion
        else { return nil }
        let comparison = walker.compare(lastApplied, live)
        return walker.fieldSet(of: lastApplied).subtracting(comparison.modified).subtracting(comparison.added).subtracting(comparison.removed)
    }

    /// The last-applied annotation kube-apiserver writes for an apply by `kubectl`: the configuration
    /// without that annotation, as compact JSON with a trailing newline.
    static func lastAppliedValue(of configuration: JSONValue) -> String {
        var copy = configuration
        if copy[path: ["metadata", "annotations"]] != nil {
            copy[path: ["metadata", "annotations", lastAppliedAnnotation]] = nil
        }
        return copy.jsonString + "\n"
    }

    // MARK: - Updates

    /// Records a create (`old` nil), update or non-apply patch by `manager`: returns `new` with
    /// `metadata.managedFields` updated.
    ///
    /// Follows kube-apiserver: managedFields sent in `new` replace the stored ones (an empty list or
    /// `[{}]` clears them), except on subresources; an existing object without managedFields stays
    /// untracked until its first apply; the changed fields go to the `Update` entry of `manager`
    /// for `new`'s apiVersion, stamped `now`.
    public static func recordUpdate(from old: JSONValue?, to new: JSONValue, manager: String, options: Options = Options(), now: String) -> JSONValue {
        let updater = FieldOwnershipUpdater(walker: ObjectFieldWalker(schema: options.schema), ignored: options.ignoredFields)
        var entries = startingEntries(old: old, new: new, subresource: options.subresource)
        let newObject = withoutManagedFields(new)
        let isCreate = old == nil || (old?[path: ["metadata", "uid"]]?.stringValue ?? "").isEmpty
        if entries.isEmpty, !isCreate { return newObject }
        let oldObject = withoutManagedFields(old ?? .emptyObject)
        let changed = updater.recordUpdate(from: oldObject, to: newObject, entries: &entries).subtracting(FieldOwnershipUpdater.strippedFields)
        if !changed.isEmpty {
            let apiVersion = new["apiVersion"]?.stringValue ?? old?["apiVersion"]?.stringValue ?? ""
            let identity = ManagedFieldsEntry.Identity(manager: manager, operation: .update, apiVersion: apiVersion, subresource: options.subresource)
            let previous = entries[identity]?.fields ?? FieldSet()
            entries[identity] = ManagedFieldsEntry(
                manager: manager, operation: .update, apiVersion: apiVersion, time: now, subresource: options.subresource,
                fields: changed.union(previous))
        }
        FieldOwnershipUpdater.capUpdateEntries(&entries, limit: options.maxUpdateEntries)
        return withManagedFields(newObject, entries)
    }

    /// The entries an update starts from: those sent in `new` unless absent, empty or unreadable
    /// (then the stored ones); none when `new` resets them.
    private static func startingEntries(old: JSONValue?, new: JSONValue, subresource: String?) -> FieldOwnershipUpdater.Entries {
        let stored = (try? keyed(ManagedFieldsEntry.entries(of: old ?? .emptyObject))) ?? [:]
        if subresource != nil { return stored }
        let sent = new[path: ["metadata", "managedFields"]]
        switch sent {
        case .array(let list)? where list.isEmpty || list == [.emptyObject]:
            return [:]
        default:
            guard let entries = try? keyed(ManagedFieldsEntry.entries(in: sent)), !entries.isEmpty else { return stored }
            return entries
        }
    }

    // MARK: - Managers

    /// The field manager of a non-apply write: `fieldManager` when given, else the user agent up to its
    /// first `/` (`kubectl/v1.30.0 (linux/amd64)` → `kubectl`), printable characters only, at most 128 bytes.
    public static func manager(fieldManager: String?, userAgent: String?) -> String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        let prefix = (userAgent ?? "").split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var result = ""
        for character in prefix where character.unicodeScalars.allSatisfy({ !$0.properties.generalCategory.isInvisible }) {
            if result.utf8.count + character.utf8.count > 128 { break }
            result.append(character)
        }
        return result
    }

    // MARK: - Encoding

    private static func keyed(_ entries: [ManagedFieldsEntry]) -> FieldOwnershipUpdater.Entries {
        Dictionary(entries.map { ($0.identity, $0) }, uniquingKeysWith: { _, last in last })
    }

    private static func withoutManagedFields(_ object: JSONValue) -> JSONValue {
        var copy = object
        if copy[path: ["metadata", "managedFields"]] != nil { copy[path: ["metadata", "managedFields"]] = nil }
        return copy
    }

    private static func withManagedFields(_ object: JSONValue, _ entries: FieldOwnershipUpdater.Entries) -> JSONValue {
        var copy = withoutManagedFields(object)
        let list = ManagedFieldsEntry.sorted(Array(entries.values.filter { !$0.fields.isEmpty }))
        if !list.isEmpty { copy[path: ["metadata", "managedFields"]] = .array(list.map(\.json)) }
        return copy
    }
}

extension Unicode.GeneralCategory {
    /// Control, format, unassigned and separator characters other than the space, which Go's `unicode.IsPrint` rejects.
    var isInvisible: Bool {
        switch self {
        case .control, .format, .unassigned, .surrogate, .privateUse, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
