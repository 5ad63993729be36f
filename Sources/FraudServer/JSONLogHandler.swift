#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A swift-log handler writing one JSON object per line to standard error:
/// `{"ts":…,"level":…,"logger":…,"msg":…, <metadata>…}`. Used when `LOG_FORMAT=json`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var writer = JSONWriter(capacity: 256)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        writer.raw("{\"ts\":")
        writer.number(Double(now.tv_sec) + Double(now.tv_nsec / 1_000_000) / 1000)
        writer.raw(",\"level\":")
        writer.string(event.level.rawValue)
        writer.raw(",\"logger\":")
        writer.string(label)
        writer.raw(",\"msg\":")
        writer.string(event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            writer.raw(",")
            writer.string(key)
            writer.raw(":")
            writer.string("\(merged[key]!)")
        }
        writer.raw("}\n")
        // One write(2) per line keeps lines whole when several tasks log at once.
        writer.bytes.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
