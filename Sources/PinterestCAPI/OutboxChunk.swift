/// A run of event encodings of one destination, in one allocation that the outbox fills under its lock and that is
/// freed at once when the last entry pointing into it goes.
///
/// One allocation for many events instead of several per event (the JSON array, a box per entry) matters twice here:
/// the events are allocated on the event loops and freed on the sender's thread, and glibc's cross-thread frees skip
/// its per-thread caches and take arena locks; and a batch body is then built by copying ranges of a few chunks.
///
/// Bytes are only ever appended, under the outbox's lock, and an entry is published (under that lock) after its
/// bytes are written: an entry's range is never written again, so reading it needs no lock while later ranges of
/// the same chunk are being written. Hence `@unchecked Sendable`: `used` is only touched under the outbox's lock.
final class OutboxChunk: @unchecked Sendable {
    let destination: PinterestDestination
    private let base: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// Bytes written so far (the outbox's lock guards it).
    private(set) var used = 0

    /// Room for a few dozen typical events (1 to 1.5 KB each): one allocation per dozens of events, while the unused
    /// ends of a destination's current chunks (one per thread slot) cost little.
    static let standardCapacity = 32 * 1_024
    /// A lane's first chunk per slot (a few events); each next one doubles up to `standardCapacity`.
    static let firstCapacity = 4 * 1_024

    init(destination: PinterestDestination, capacity: Int) {
        self.destination = destination
        self.capacity = max(capacity, 1)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var room: Int { capacity - used }

    /// Copies `bytes` after the ones written and returns where they start; the caller checks `room` first.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        precondition(bytes.count <= room, "outbox chunk overflow")
        let offset = used
        if let source = bytes.baseAddress { (base + offset).initialize(from: source, count: bytes.count) }
        used += bytes.count
        return offset
    }

    /// Bytes written earlier by `append` (they never change).
    func bytes(at offset: Int, count: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: base + offset, count: count)
    }
}
