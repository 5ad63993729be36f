import Logging

/// How a Tandem process writes its logs.
public enum LogFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per line (`JSONLogHandler`), for log collectors.
    case json
    /// swift-log's human-readable lines.
    case text

    /// Bootstraps swift-log with this format at `level`, writing to standard error.
    public func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = self == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
