/// A reference to the object an event is about (`v1.ObjectReference`).
public struct ObjectReference: Codable, Sendable, Hashable {
    /// The API version (`group/version`).
    public var apiVersion: String?
    /// The kind.
    public var kind: String?
    /// The namespace.
    public var namespace: String?
    /// The name.
    public var name: String?
    /// The UID.
    public var uid: String?
    /// The resourceVersion.
    public var resourceVersion: String?
    /// A field within the object (e.g. a container).
    public var fieldPath: String?

    /// A reference to `object`, read from its JSON (apiVersion, kind, namespace, name, uid, resourceVersion).
    public init(to object: JSONValue) {
        self.apiVersion = object["apiVersion"]?.stringValue
        self.kind = object["kind"]?.stringValue
        self.namespace = object.namespace
        self.name = object.name
        self.uid = object.uid
        self.resourceVersion = object.resourceVersion
    }

    /// A reference from its parts.
    public init(apiVersion: String?, kind: String?, namespace: String?, name: String?, uid: String? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
    }
}

/// `events.k8s.io/v1` Event: what controllers record (client-go's `events.EventRecorder`).
public struct EventsV1Event: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// A series of repeated events, counted instead of recreated.
    public struct Series: Codable, Sendable, Hashable {
        /// How many times the event occurred.
        public var count: Int32
        /// `MicroTime` of the last occurrence.
        public var lastObservedTime: String
        /// A series of `count` occurrences.
        public init(count: Int32, lastObservedTime: String) {
            self.count = count
            self.lastObservedTime = lastObservedTime
        }
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "events.k8s.io/v1"
    /// The kind.
    public var kind: String? = "Event"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// When the event was first observed (`MicroTime`). Required.
    public var eventTime: String
    /// `Normal` or `Warning`.
    public var type: String?
    /// Why the action was taken (CamelCase).
    public var reason: String?
    /// What was done (CamelCase), e.g. `Scaling`.
    public var action: String?
    /// Human-readable details (at most 1 kB).
    public var note: String?
    /// The object the event is about.
    public var regarding: ObjectReference?
    /// A second object involved, if any.
    public var related: ObjectReference?
    /// The controller that emitted it (`tandem.dev/fraudmodel-operator`). Required.
    public var reportingController: String?
    /// The emitting instance (its identity). Required.
    public var reportingInstance: String?
    /// Set when the event repeats.
    public var series: Series?

    /// An event; `type` is `Normal` or `Warning`.
    public init(metadata: ObjectMeta, eventTime: String, type: String, reason: String, action: String, note: String?,
                regarding: ObjectReference, reportingController: String, reportingInstance: String) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.type = type
        self.reason = reason
        self.action = action
        self.note = note
        self.regarding = regarding
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
    }
}

/// `v1` Event: the legacy events API (what `kubectl describe` still shows).
public struct CoreV1Event: Codable, Sendable, Hashable, KubeObjectConvertible {
    /// The component that emitted the event.
    public struct Source: Codable, Sendable, Hashable {
        /// The component name.
        public var component: String?
        /// The node name.
        public var host: String?
        /// A source.
        public init(component: String?, host: String? = nil) {
            self.component = component
            self.host = host
        }
    }

    /// The API version (`group/version`).
    public var apiVersion: String? = "v1"
    /// The kind.
    public var kind: String? = "Event"
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// The object the event is about.
    public var involvedObject: ObjectReference
    /// A CamelCase reason.
    public var reason: String?
    /// A human-readable message.
    public var message: String?
    /// The type.
    public var type: String?
    /// How many times the event occurred.
    public var count: Int32?
    /// When it first occurred.
    public var firstTimestamp: String?
    /// When it last occurred.
    public var lastTimestamp: String?
    /// When it occurred (`MicroTime`).
    public var eventTime: String?
    /// The component that reported it.
    public var source: Source?
    /// What was done (CamelCase).
    public var action: String?
    /// The reporting controller.
    public var reportingComponent: String?
    /// The reporting instance.
    public var reportingInstance: String?

    /// An event about `involvedObject`.
    public init(metadata: ObjectMeta, involvedObject: ObjectReference, reason: String, message: String, type: String) {
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.type = type
    }
}
