/// The outbox's leased entries, kept as the batches they were taken in: a take stores its array as it is (one
/// retain, where a dictionary of entries by id cost an insert and a removal per event), and an id is found in its
/// batch by position (acknowledgements usually come in the batch's order) or by binary search (ids ascend in a
/// batch taken from one queue; one that does not is searched linearly).
struct OutboxLeases {
    private struct Lease {
        let entries: [OutboxEntry]
        /// Which entries are no longer leased (acknowledged or requeued).
        var settled: [Bool]
        var remaining: Int
        let ascending: Bool

        func position(of id: UInt64) -> Int? {
            guard ascending else { return entries.firstIndex { $0.id == id } }
            guard let first = entries.first, let last = entries.last, first.id <= id, id <= last.id else { return nil }
            var low = 0, high = entries.count - 1
            while low <= high {
                let middle = (low + high) / 2
                let found = entries[middle].id
                if found == id { return middle }
                if found < id { low = middle + 1 } else { high = middle - 1 }
            }
            return nil
        }
    }

    private var leases: [Lease] = []
    /// Entries still leased, over all batches.
    private(set) var count = 0
    /// Where the last id was found: the next one is most likely right after it.
    private var lastFound: (lease: Int, position: Int)?

    mutating func add(_ entries: [OutboxEntry]) {
        guard !entries.isEmpty else { return }
        var ascending = true
        for index in entries.indices.dropFirst() where entries[index - 1].id >= entries[index].id {
            ascending = false
            break
        }
        leases.append(Lease(entries: entries, settled: Array(repeating: false, count: entries.count), remaining: entries.count, ascending: ascending))
        count += entries.count
    }

    /// Ends the lease of `id` and returns its entry; nil when it is not leased (never was, or settled already).
    mutating func settle(_ id: UInt64) -> OutboxEntry? {
        guard let (lease, position) = find(id) else { return nil }
        leases[lease].settled[position] = true
        leases[lease].remaining -= 1
        count -= 1
        let entry = leases[lease].entries[position]
        lastFound = (lease, position)
        return entry
    }

    /// Drops the batches whose entries are all settled (after a call that settled some: indices shift).
    mutating func dropSettled() {
        leases.removeAll { $0.remaining == 0 }
        lastFound = nil
    }

    /// Where `id` is leased now. An id requeued and taken again is in two batches, settled in the older one.
    private func find(_ id: UInt64) -> (Int, Int)? {
        if let (lease, position) = lastFound, lease < leases.count {
            let next = position + 1
            if next < leases[lease].entries.count, leases[lease].entries[next].id == id, !leases[lease].settled[next] {
                return (lease, next)
            }
        }
        for (index, lease) in leases.enumerated() {
            if let position = lease.position(of: id), !lease.settled[position] { return (index, position) }
        }
        return nil
    }
}
