import Synchronization
import TagdJSON

/// The shape of a flat event (`FlatJSON.Shape`: kinds, counts, keys) together with the checks that decided,
/// for one event of that shape, that it conforms to the event schema. Everything else the schema asks
/// (required fields, known properties, types of containers, item counts) is settled by the shape alone, so
/// another event of the same shape conforms when those checks pass again; it is then written from the
/// shape's plan.
final class EventShape: Sendable {
    enum Check: Sendable {
        /// The scalar at node `index` (from the event's root) conforms to the schema node.
        case conforms(Int, SchemaNode)
        /// The string at node `index` is a SHA-256 hash.
        case sha256Hex(Int)
    }

    let shape: FlatJSON.Shape
    let checks: [Check]

    /// `event`'s shape with `checks` (node indices relative to the event); nil when it has no `FlatJSON.Shape`.
    init?(of event: FlatJSON.Value, checks: [Check]) {
        guard let shape = FlatJSON.Shape(of: event) else { return nil }
        self.shape = shape
        self.checks = checks
    }
}

/// The shapes of events seen to conform, shared by every thread that checks events: a few per tag, as a tag
/// builds its events with one constructor. Bounded: past `capacity` shapes, new ones are checked in full and
/// not kept.
final class EventShapeCache: Sendable {
    private let shapes = Mutex<[EventShape]>([])
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// A known shape that `event` has, if any.
    func shape(of event: FlatJSON.Value) -> EventShape? {
        let count = event.subtreeEnd - event.index
        let known = shapes.withLock { $0 }
        return known.first { $0.shape.nodeCount == count && $0.shape.matches(event) }
    }

    func remember(_ shape: EventShape) {
        shapes.withLock { if $0.count < capacity { $0.append(shape) } }
    }
}
