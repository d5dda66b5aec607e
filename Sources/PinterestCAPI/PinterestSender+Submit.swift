import TagdJSON

extension PinterestSender {
    /// What `submit` did with an event.
    public enum SubmitOutcome: Sendable, Equatable {
        /// Accepted: it will be sent with the next batch for its destination.
        case queued
        /// Dropped: the same (ad account, event_name, event_id) was accepted within the dedup window.
        case duplicate
    }

    /// Why `submit` refused an event.
    public enum SubmitError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The event breaks Pinterest's contract; it would be refused, so it is never queued.
        case invalidEvent([ContractViolation])
        /// The sender is shutting down and takes no new events.
        case shuttingDown
        /// The outbox could not store the event.
        case outboxUnavailable(String)

        public var description: String {
            switch self {
            case .invalidEvent(let violations):
                return "event breaks Pinterest's contract: " + violations.map(\.description).joined(separator: "; ")
            case .shuttingDown:
                return "the Pinterest sender is shutting down"
            case .outboxUnavailable(let reason):
                return "could not queue the event: \(reason)"
            }
        }
    }

    /// Counts since the sender was made, for tests and tools (the same numbers go to metrics).
    public struct Statistics: Sendable, Equatable {
        public var queued = 0
        public var duplicates = 0
        public var invalid = 0
        /// Events Pinterest reported processed.
        public var sent = 0
        /// Events that will not be delivered: refused by Pinterest, or retries exhausted.
        public var failed = 0
        /// Event retries (a batch of 10 retried twice counts 20).
        public var retried = 0
        public var dryRun = 0
        /// HTTP requests made, retries included.
        public var requests = 0

        public init() {}
    }
}
