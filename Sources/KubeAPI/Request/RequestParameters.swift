/// Options of `list` (and `deletecollection`), as `metav1.ListOptions`.
public struct ListParameters: Sendable, Hashable {
    /// Only objects whose labels match. Defaults to empty (all).
    public var labelSelector: LabelSelector
    /// Only objects whose fields match. Defaults to empty (all).
    public var fieldSelector: FieldSelector
    /// The page size; nil asks for everything at once. Defaults to nil here; the client's paging
    /// `listAll` uses `ListParameters.defaultPageSize` (500, as client-go's pager).
    public var limit: Int?
    /// The token of the page to read, from the previous page's `metadata.continue`.
    public var continueToken: String?
    /// `resourceVersion`: nil reads the newest data (a quorum read); `"0"` allows any cached data.
    public var resourceVersion: String?
    /// `resourceVersionMatch` (`NotOlderThan`, `Exact`); nil leaves it to the server.
    public var resourceVersionMatch: String?

    /// Parameters with the given selectors and limit; defaults as documented on each property.
    public init(labelSelector: LabelSelector = LabelSelector(), fieldSelector: FieldSelector = FieldSelector(), limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil, resourceVersionMatch: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }

    /// client-go's pager and kube-rs's watcher page size: 500.
    public static let defaultPageSize = 500

    var queryItems: [KubeRequest.QueryItem] {
        var items: [KubeRequest.QueryItem] = []
        if !labelSelector.isEmpty { items.append(.init("labelSelector", labelSelector.description)) }
        if !fieldSelector.isEmpty { items.append(.init("fieldSelector", fieldSelector.description)) }
        if let limit { items.append(.init("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(.init("continue", continueToken)) }
        if let resourceVersion { items.append(.init("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { items.append(.init("resourceVersionMatch", resourceVersionMatch)) }
        return items
    }
}

/// Options of `watch`.
public struct WatchParameters: Sendable, Hashable {
    /// Only objects whose labels match. Defaults to empty (all).
    public var labelSelector: LabelSelector
    /// Only objects whose fields match. Defaults to empty (all).
    public var fieldSelector: FieldSelector
    /// Start after this resourceVersion (from a list or the last event). nil or `"0"` starts with
    /// synthetic ADDED events for every current object.
    public var resourceVersion: String?
    /// Ask for BOOKMARK events so a resumed watch starts from a recent version. Defaults to true
    /// (as client-go's reflector and kube-rs).
    public var allowWatchBookmarks: Bool
    /// The server closes the watch after this many seconds; the client treats a connection idle
    /// for longer (plus a margin) as dead. Defaults to 290 (kube-rs).
    public var timeoutSeconds: Int

    /// Parameters; defaults as documented on each property.
    public init(labelSelector: LabelSelector = LabelSelector(), fieldSelector: FieldSelector = FieldSelector(), resourceVersion: String? = nil,
                allowWatchBookmarks: Bool = true, timeoutSeconds: Int = WatchParameters.defaultTimeoutSeconds) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }

    /// 290 s, kube-rs's default (below common proxies' 5-minute idle limit).
    public static let defaultTimeoutSeconds = 290

    var queryItems: [KubeRequest.QueryItem] {
        var items: [KubeRequest.QueryItem] = [.init("watch", "true")]
        if !labelSelector.isEmpty { items.append(.init("labelSelector", labelSelector.description)) }
        if !fieldSelector.isEmpty { items.append(.init("fieldSelector", fieldSelector.description)) }
        if let resourceVersion { items.append(.init("resourceVersion", resourceVersion)) }
        if allowWatchBookmarks { items.append(.init("allowWatchBookmarks", "true")) }
        items.append(.init("timeoutSeconds", String(timeoutSeconds)))
        return items
    }
}

/// Options of create, replace and patch (`metav1.CreateOptions`/`UpdateOptions`/`PatchOptions`).
public struct WriteParameters: Sendable, Hashable {
    /// The field manager recorded in `managedFields`. Required for apply patches. Clients set
    /// their default on every write when this is nil.
    public var fieldManager: String?
    /// Validate and default, but persist nothing. Defaults to false.
    public var dryRun: Bool
    /// Apply patches only: take ownership of fields other managers own. Defaults to false.
    public var force: Bool

    /// Parameters; defaults as documented on each property.
    public init(fieldManager: String? = nil, dryRun: Bool = false, force: Bool = false) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.force = force
    }

    func queryItems(forApply: Bool) -> [KubeRequest.QueryItem] {
        var items: [KubeRequest.QueryItem] = []
        if dryRun { items.append(.init("dryRun", "All")) }
        if let fieldManager { items.append(.init("fieldManager", fieldManager)) }
        if forApply, force { items.append(.init("force", "true")) }
        return items
    }
}

/// What happens to an object's dependents when it is deleted.
public enum PropagationPolicy: String, Sendable, Hashable, Codable {
    /// Delete dependents first, then the owner.
    case foreground = "Foreground"
    /// Delete the owner now and dependents in the background.
    case background = "Background"
    /// Leave dependents without an owner.
    case orphan = "Orphan"
}

/// Options of delete and deletecollection (`metav1.DeleteOptions`, sent as the body).
public struct DeleteParameters: Sendable, Hashable {
    /// How dependents are deleted; nil leaves the resource's default.
    public var propagationPolicy: PropagationPolicy?
    /// The grace period; nil uses the object's default, 0 deletes immediately.
    public var gracePeriodSeconds: Int64?
    /// Delete only if the object still has this UID (409 Conflict otherwise).
    public var preconditionUID: String?
    /// Delete only if the object still has this resourceVersion (409 Conflict otherwise).
    public var preconditionResourceVersion: String?
    /// Persist nothing. Defaults to false.
    public var dryRun: Bool

    /// Parameters; every option defaults to unset.
    public init(propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int64? = nil, preconditionUID: String? = nil,
                preconditionResourceVersion: String? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }

    /// The `DeleteOptions` body.
    public var body: JSONValue {
        var options: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { options["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { options["gracePeriodSeconds"] = .int(gracePeriodSeconds) }
        var preconditions: [String: JSONValue] = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { options["preconditions"] = .object(preconditions) }
        if dryRun { options["dryRun"] = ["All"] }
        return options
    }
}
