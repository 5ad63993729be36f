/// A bounded ring of recent events for watch replay (`--history N`).
///
/// # Guarantees
/// Events are kept in resourceVersion order. Once an event is dropped, every watch that would
/// need it is refused with 410 Expired: `compactedRevision` is the newest dropped resourceVersion.
struct EventHistory: Sendable {
    private var buffer: [StoredEvent?]
    private var start = 0
    private(set) var count = 0
    /// Watches must start at or after this resourceVersion.
    private(set) var compactedRevision: Int64 = 0

    init(capacity: Int) {
        buffer = Array(repeating: nil, count: max(1, capacity))
    }

    var capacity: Int { buffer.count }

    mutating func append(_ event: StoredEvent) {
        if count == buffer.count {
            compactedRevision = buffer[start]!.resourceVersion
            buffer[start] = event
            start = (start + 1) % buffer.count
        } else {
            buffer[(start + count) % buffer.count] = event
            count += 1
        }
    }

    /// The events with a resourceVersion greater than `resourceVersion`, oldest first;
    /// nil when some of them were already dropped.
    func events(after resourceVersion: Int64) -> [StoredEvent]? {
        guard resourceVersion >= compactedRevision else { return nil }
        var result: [StoredEvent] = []
        // Binary search for the first newer event.
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if buffer[(start + mid) % buffer.count]!.resourceVersion <= resourceVersion { low = mid + 1 } else { high = mid }
        }
        for offset in low..<count { result.append(buffer[(start + offset) % buffer.count]!) }
        return result
    }

    /// Drops every event: watches resuming from any earlier resourceVersion get 410.
    mutating func compact(through resourceVersion: Int64) {
        buffer = Array(repeating: nil, count: buffer.count)
        start = 0
        count = 0
        compactedRevision = resourceVersion
    }
}
