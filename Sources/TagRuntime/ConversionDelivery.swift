import PinterestCAPI
import Synchronization
import TagdJSON

/// Where `pinterest.send` hands events: the batching sender in the server, a recorder in tools and tests.
public protocol ConversionDelivery: Sendable {
    func submit(_ event: JSONValue, to destination: PinterestDestination) throws -> PinterestSender.SubmitOutcome
    /// `pinterest.send`'s path: the event as read from Lua, never made into a tree by the sender.
    func submit(_ event: FlatJSON, to destination: PinterestDestination) throws -> PinterestSender.SubmitOutcome
}

extension ConversionDelivery {
    /// For deliveries that keep trees (tools and tests): the same event, as a tree.
    public func submit(_ event: FlatJSON, to destination: PinterestDestination) throws -> PinterestSender.SubmitOutcome {
        try submit(event.jsonValue, to: destination)
    }
}

extension PinterestSender: ConversionDelivery {}

/// Checks events against Pinterest's contract and keeps them instead of sending: for `tagd run`,
/// `tagd test` and tests. Duplicates are not filtered here, so a test sees every send.
public final class RecordingDelivery: ConversionDelivery {
    public struct Record: Sendable {
        public let destination: PinterestDestination
        public let event: JSONValue
    }

    private let validator: ConversionEventValidator
    private let records = Mutex<[Record]>([])

    public init(validator: ConversionEventValidator = .pinterest) {
        self.validator = validator
    }

    public func submit(_ event: JSONValue, to destination: PinterestDestination) throws -> PinterestSender.SubmitOutcome {
        let violations = validator.validateEvent(event)
        if !violations.isEmpty {
            throw PinterestSender.SubmitError.invalidEvent(violations)
        }
        records.withLock { $0.append(Record(destination: destination, event: event)) }
        return .queued
    }

    public var recorded: [Record] { records.withLock { $0 } }
}
