import Logging
import Synchronization

/// Collects every log line a logger emits, message and metadata rendered as text, so a test can
/// check what a human would read (and what must never be there, like a token).
final class LogCapture: Sendable {
    struct Line: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]

        /// The whole line as a log backend would print it.
        var text: String {
            ([message] + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        }
    }

    private let lines = Mutex<[Line]>([])

    var all: [Line] { lines.withLock { $0 } }

    func lines(containing text: String) -> [Line] {
        all.filter { $0.text.contains(text) }
    }

    func append(_ line: Line) { lines.withLock { $0.append(line) } }

    func logger(label: String = "test.pinterest") -> Logger {
        var logger = Logger(label: label) { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        capture.append(
            LogCapture.Line(
                level: event.level, message: event.message.description,
                metadata: merged.mapValues { $0.description }))
    }
}
