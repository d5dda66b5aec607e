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
        // Strings the checks prove to be SHA-256 hex, before every write from the plan: no escape to look for.
        let hashes = checks.compactMap { check -> Int? in
            switch check {
            case .sha256Hex(let index): return index
            case .conforms(let index, let node): return node.holdsSHA256Hashes ? index : nil
            }
        }
        guard let shape = FlatJSON.Shape(of: event, plainStrings: hashes) else { return nil }
        self.shape = shape
        self.checks = checks
    }
}

/// The shapes of events seen to conform, shared by every thread that checks events. One tag's events share a few
/// shapes; each VM lists a table's keys in its own order (Lua seeds its string hashes per state), so a shape is kept
/// once per VM that sends it. Bounded: past `capacity`, a new shape replaces the oldest one kept, so that shapes of
/// tags reloaded away (new VMs, new orders) give way.
///
/// Each thread slot (``ThreadOrdinal``) remembers the shape it matched last and tries it first: an event loop runs its
/// own VMs, whose events have their own shapes, so trying the kept shapes in order matched the other loop's shape
/// first half the time, and copying the list out retained it on a line both loops write.
final class EventShapeCache: Sendable {
    private struct Shapes {
        var kept: [EventShape] = []
        /// The slot the next shape replaces once `kept` is full.
        var next = 0
    }

    /// A thread slot's last match, in an object of its own padded past a cache line, so that slots share no line.
    private final class Recent: Sendable {
        let shape = Mutex<EventShape?>(nil)
        private let padding: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0)
    }

    private let shapes = Mutex(Shapes())
    // Four slots in stored properties, not an array: reading an array shared by the threads retains its buffer.
    private let recent0 = Recent(), recent1 = Recent(), recent2 = Recent(), recent3 = Recent()
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 1)
    }

    private func recent(_ slot: Int) -> Recent {
        switch slot & 3 {
        case 0: recent0
        case 1: recent1
        case 2: recent2
        default: recent3
        }
    }

    /// A known shape that `event` has, if any.
    func shape(of event: FlatJSON.Value) -> EventShape? {
        let slot = recent(ThreadOrdinal.current)
        if let last = slot.shape.withLock({ $0 }), last.shape.matches(event) { return last }
        let found = shapes.withLock { shapes in shapes.kept.first { $0.shape.matches(event) } }  // node counts first
        if let found { slot.shape.withLock { $0 = found } }
        return found
    }

    /// Keeps `shape`, unless another thread kept the same one meanwhile.
    func remember(_ shape: EventShape, of event: FlatJSON.Value) {
        let replaced = shapes.withLock { shapes -> Bool in
            guard !shapes.kept.contains(where: { $0.shape.matches(event) }) else { return false }
            if shapes.kept.count < capacity {
                shapes.kept.append(shape)
                return false
            }
            shapes.kept[shapes.next] = shape
            shapes.next = (shapes.next + 1) % capacity
            return true
        }
        // A replacement (rare) clears the slots' last matches, so that they do not keep replaced shapes alive. (One
        // found just before may still be set after: a replaced shape is still a right one, only no longer counted.)
        if replaced {
            for slot in 0..<4 { recent(slot).shape.withLock { $0 = nil } }
        }
    }

    /// How many shapes are kept.
    var count: Int { shapes.withLock { $0.kept.count } }
}
