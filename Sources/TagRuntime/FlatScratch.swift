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
        defer { spare.withLock { $0 = json } }
        return try body(&json)
    }

    var lastEventSize: (nodes: Int, bytes: Int) { eventSize.withLock { $0 } }

    func noteEvent(_ event: FlatJSON) {
        eventSize.withLock { $0 = (event.nodes.count, event.bytes.count) }
    }
}
