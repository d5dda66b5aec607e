/// One destination's waiting events, oldest first: an array read from a moving head, so taking a
/// batch costs the batch, not the backlog, and a requeued batch goes back into the slots it left.
struct OutboxQueue {
    private var storage: [OutboxEntry?] = []
    private var head = 0

    var count: Int { storage.count - head }
    var isEmpty: Bool { head == storage.count }

    mutating func append(_ entry: OutboxEntry) {
        storage.append(entry)
    }

    /// Removes and returns up to `limit` entries from the front.
    mutating func removeFirst(upTo limit: Int) -> [OutboxEntry] {
        let end = head + min(max(limit, 0), count)
        var taken: [OutboxEntry] = []
        taken.reserveCapacity(end - head)
        for index in head..<end {
            if let entry = storage[index].take() { taken.append(entry) }
        }
        head = end
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1_024, head * 2 > storage.count {
            // The consumed prefix is the larger half: give it back (amortised O(1) per entry).
            storage.removeFirst(head)
            head = 0
        }
        return taken
    }

    /// Puts `entries` (oldest first) back in front of the waiting ones.
    mutating func prepend(_ entries: [OutboxEntry]) {
        guard !entries.isEmpty else { return }
        if entries.count <= head {
            head -= entries.count
            for (offset, entry) in entries.enumerated() { storage[head + offset] = entry }
        } else {
            storage = entries.map(Optional.some) + storage[head...]
            head = 0
        }
    }
}
