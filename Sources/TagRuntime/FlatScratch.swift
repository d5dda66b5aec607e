import PinterestCAPI
import Synchronization
import TagdJSON

/// A VM's reusable flat document, for the tables native functions read and drop (`pinterest.send`'s config,
/// `hash.user_data`'s input): its buffers keep their capacity from call to call, so reading them allocates
/// nothing once warm (a fresh document per read cost two allocations, each large enough to send malloc down
/// its slow path). It also remembers the size of the last event `pinterest.send` kept, so the next one is
/// reserved at once instead of grown.
final class FlatScratch: Sendable {
    private let spare = Mutex<FlatJSON?>(FlatJSON())
    private let eventSize = Mutex<(nodes: Int, bytes: Int)>((64, 1_024))

    /// Calls `body` with the spare document; a nested use gets a fresh one.
    func withDocument<R, E: Error>(_ body: (inout FlatJSON) throws(E) -> R) throws(E) -> R {
        var json = spare.withLock { $0.take() } ?? FlatJSON()
        defer {
            // A script's one huge table should not stay allocated for the VM's lifetime.
            let keep = json.nodes.capacity <= Self.maxNodes && json.bytes.capacity <= Self.maxBytes
            // Moved back, not copied: a copy is a retain and a release of each buffer per native call.
            spare.withLock { $0 = keep ? json.takeDocument() : FlatJSON() }
        }
        return try body(&json)
    }

    var lastEventSize: (nodes: Int, bytes: Int) { eventSize.withLock { $0 } }

    /// What `make` gives for `config`, made again only when `config` differs from the last one: a tag passes
    /// the same config table to every `pinterest.send`, and reading a destination out of it costs strings and
    /// checks.
    func destination<E: Error>(
        for config: FlatJSON, _ make: () throws(E) -> PinterestDestination
    ) throws(E) -> PinterestDestination {
        // Compared inside the lock: taking the pair out copied the kept config and the destination, a retain and
        // a release of each buffer and string, per send.
        let known = lastDestination.withLock { last -> PinterestDestination? in
            last?.config.isIdentical(to: config) == true ? last?.destination : nil
        }
        if let known { return known }
        let destination = try make()
        // A copy of its own: `config` is the spare document, emptied and refilled by the next read.
        let kept = config.isEmpty ? FlatJSON() : config.document(at: 0)
        lastDestination.withLock { $0 = (kept, destination) }
        return destination
    }

    private let lastDestination = Mutex<(config: FlatJSON, destination: PinterestDestination)?>(nil)

    /// Remembers `event`'s size, with room for a slightly larger next one (ids and times vary in length), for
    /// the next reservation; capped so one huge event does not make every later one reserve as much.
    func noteEvent(_ event: FlatJSON) {
        let nodes = event.nodes.count + event.nodes.count / 8 + 4, bytes = event.bytes.count + event.bytes.count / 8 + 32
        let size = (min(nodes, Self.maxNodes), min(bytes, Self.maxBytes))
        eventSize.withLock { $0 = size }
    }

    private static let maxNodes = 1_024
    private static let maxBytes = 32_768
}

extension FlatJSON {
    /// Moves the document out, leaving an empty one (a `swap`: no retain, no release).
    fileprivate mutating func takeDocument() -> FlatJSON {
        var taken = FlatJSON()
        swap(&taken, &self)
        return taken
    }
}
