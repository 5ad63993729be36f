#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSONCore
import Logging

/// A swift-log handler writing one JSON object per line to standard error:
/// `{"ts":…,"level":…,"logger":…,"msg":…, <metadata>…}` (metadata keys sorted, values as
/// strings). One `write(2)` per line keeps lines whole when several tasks log at once.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    /// A handler for the logger `label`.
    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line.append(contentsOf: "{\"ts\":".utf8)
        JSONValue.double(Double(now.tv_sec) + Double(now.tv_nsec / 1_000_000) / 1000).write(to: &line)
        for (key, value) in [("level", event.level.rawValue), ("logger", label), ("msg", event.message.description)] {
            append(key, value, to: &line)
        }
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() where !["ts", "level", "logger", "msg"].contains(key) {
            append(key, "\(merged[key]!)", to: &line)
        }
        line.append(contentsOf: "}\n".utf8)
        line.withUnsafeBytes { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    private func append(_ key: String, _ value: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        JSONValue.string(key).write(to: &line)
        line.append(UInt8(ascii: ":"))
        JSONValue.string(value).write(to: &line)
    }
}
