/// One shard's keys: an open-addressing table of fixed 24-byte slots (digest, expiry in store seconds, position in
/// the insertion order), probed linearly from the digest's low bits, so that an insert reads one or two adjacent
/// cache lines where a `Dictionary` of entries plus a FIFO of records read four or five scattered ones, and a key
/// costs about 60 bytes instead of about 190.
///
/// Insertion order lives in `ring`, a circular array of slot indices (4 bytes a key). Each slot knows its position
/// there, so that moving a slot (deletion, growth) rewrites its one ring entry; removing a key leaves a hole in the
/// ring, skipped when it reaches the front and squeezed out when the ring fills.
///
/// Deletion shifts the later entries of the probe run back instead of leaving tombstones, so runs stay as short as
/// the load allows however many keys come and go. The table doubles when it would pass three quarters full, up to
/// the size its capacity needs: a shard of a million-key store moves at most about 12,000 keys at once.
///
/// It owns its memory (unsafe pointers, no copy-on-write checks or reference counting on the hot path), hence
/// noncopyable; the store keeps each table under its shard's lock.
struct DigestTable: ~Copyable {
    struct Slot {
        var high: UInt64
        var low: UInt64
        /// Store seconds at which the entry expires (an entry is live while `expiry > now`); 0 marks an empty slot.
        var expiry: UInt32
        /// The entry's position in `ring`.
        var order: UInt32

        static let empty = Slot(high: 0, low: 0, expiry: 0, order: 0)
    }

    /// A ring entry whose key was removed or inserted again later.
    static let hole = UInt32.max

    /// The most entries held; an insert into a full table evicts first.
    let capacity: Int
    private(set) var count = 0
    private var slots: UnsafeMutablePointer<Slot>
    private var slotMask: Int
    private var ring: UnsafeMutablePointer<UInt32>
    private var ringMask: Int
    /// Ring positions, counted without wrapping (masked to index): entries, holes included, are in `head..<tail`.
    private var head = 0
    private var tail = 0
    /// No entry expires before this (a lower bound), so a sweep for expired entries is pointless until then.
    private var earliestExpiry = UInt32.max

    /// - Parameters:
    ///   - capacity: the most entries held (at least 1).
    ///   - initialSize: slots to start with (rounded to a power of two; fewer if the capacity needs fewer).
    init(capacity: Int, initialSize: Int = 16) {
        self.capacity = max(1, capacity)
        var size = 2
        while size < min(initialSize, Self.size(for: self.capacity)) { size *= 2 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: .empty, count: size)
        slotMask = size - 1
        let ringSize = 8
        ring = .allocate(capacity: ringSize)
        ringMask = ringSize - 1
    }

    deinit {
        slots.deallocate()
        ring.deallocate()
    }

    /// The smallest power-of-two table that holds `count` entries at most three quarters full.
    static func size(for count: Int) -> Int {
        var size = 2
        while count * 4 > size * 3 { size *= 2 }
        return size
    }

    @inline(__always)
    private func home(_ low: UInt64) -> Int { Int(truncatingIfNeeded: low) & slotMask }

    /// Records `key` to expire at `expiry` unless it has an entry that is live at `now` (then returns false), in one
    /// probe run. An expired entry counts as absent: its key is recorded again, at the back of the order.
    mutating func insertIfAbsent(_ key: KeyDigest, now: UInt32, expiry: UInt32) -> Bool {
        var index = home(key.low)
        while true {
            let slot = slots[index]
            if slot.expiry == 0 { break }
            if slot.low == key.low && slot.high == key.high {
                guard slot.expiry <= now else { return false }
                ring[Int(slot.order)] = Self.hole
                slots[index].expiry = expiry
                slots[index].order = append(index)
                noteExpiry(expiry)
                return true
            }
            index = (index &+ 1) & slotMask
        }
        if count >= capacity {
            makeRoom(now: now)
            index = emptySlot(for: key.low)  // deletion may have shifted an entry into the old one
        }
        if (count + 1) * 4 > (slotMask + 1) * 3 {
            grow()
            index = emptySlot(for: key.low)
        }
        slots[index] = Slot(high: key.high, low: key.low, expiry: expiry, order: 0)
        count += 1
        slots[index].order = append(index)
        noteExpiry(expiry)
        return true
    }

    /// Forgets `key`, live or expired.
    mutating func remove(_ key: KeyDigest) {
        if let index = index(of: key) { delete(at: index) }
    }

    /// Whether `key` has an entry that is live at `now`.
    func isLive(_ key: KeyDigest, now: UInt32) -> Bool {
        index(of: key).map { slots[$0].expiry > now } ?? false
    }

    /// The slot holding `key`, if any.
    func index(of key: KeyDigest) -> Int? {
        var index = home(key.low)
        while true {
            let slot = slots[index]
            if slot.expiry == 0 { return nil }
            if slot.low == key.low && slot.high == key.high { return index }
            index = (index &+ 1) & slotMask
        }
    }

    @inline(__always)
    private mutating func noteExpiry(_ expiry: UInt32) {
        earliestExpiry = min(earliestExpiry, expiry)
    }

    /// The first empty slot of the probe run from `low`'s home.
    private func emptySlot(for low: UInt64) -> Int {
        var index = home(low)
        while slots[index].expiry != 0 { index = (index &+ 1) & slotMask }
        return index
    }

    /// Puts slot `index` at the back of the insertion order and returns its ring position.
    private mutating func append(_ index: Int) -> UInt32 {
        if tail - head > ringMask { rebuildRing() }
        let position = tail & ringMask
        ring[position] = UInt32(truncatingIfNeeded: index)
        tail += 1
        return UInt32(truncatingIfNeeded: position)
    }

    /// Squeezes the holes out of a full ring, doubling it when live entries fill more than half of it (so that
    /// it never exceeds four times the capacity and a rebuild comes at most once per ring-size/2 appends).
    private mutating func rebuildRing() {
        let oldSize = ringMask + 1
        let size = count * 2 > oldSize ? oldSize * 2 : oldSize
        let fresh = UnsafeMutablePointer<UInt32>.allocate(capacity: size)
        var kept = 0
        for position in head..<tail {
            let index = ring[position & ringMask]
            guard index != Self.hole else { continue }
            fresh[kept] = index
            slots[Int(index)].order = UInt32(truncatingIfNeeded: kept)
            kept += 1
        }
        ring.deallocate()
        ring = fresh
        ringMask = size - 1
        head = 0
        tail = kept
    }

    /// Frees at least one entry of a full table: expired entries first, then the oldest.
    private mutating func makeRoom(now: UInt32) {
        // One TTL for every key: the expired entries are the oldest, at the front.
        while head < tail {
            let index = ring[head & ringMask]
            if index != Self.hole {
                guard slots[Int(index)].expiry <= now else { break }
                delete(at: Int(index))
            }
            head += 1
        }
        // Mixed TTLs: an expired entry may hide behind a live one. Sweep only when one may exist.
        if count >= capacity, earliestExpiry <= now {
            sweepExpired(now: now)
        }
        // Still full: evict the oldest.
        while count >= capacity, head < tail {
            let index = ring[head & ringMask]
            head += 1
            if index != Self.hole { delete(at: Int(index)) }
        }
    }

    /// Deletes every expired entry and makes `earliestExpiry` exact.
    private mutating func sweepExpired(now: UInt32) {
        var earliest = UInt32.max
        // Deleting shifts later entries of a run back and rewrites their ring entries, which are read afresh here.
        for position in head..<tail {
            let index = ring[position & ringMask]
            guard index != Self.hole else { continue }
            let expiry = slots[Int(index)].expiry
            if expiry <= now {
                delete(at: Int(index))
            } else {
                earliest = min(earliest, expiry)
            }
        }
        earliestExpiry = earliest
    }

    /// Empties slot `index` without a tombstone: each later entry of the probe run that may sit at the hole (its
    /// home is not after the hole) moves into it, leaving its own slot as the next hole, until an empty slot.
    private mutating func delete(at index: Int) {
        ring[Int(slots[index].order)] = Self.hole
        count -= 1
        var hole = index
        var next = index
        while true {
            next = (next &+ 1) & slotMask
            let slot = slots[next]
            if slot.expiry == 0 { break }
            // Distances counted back from `next`, cyclically: the entry may move if its home is as far as the hole.
            if (next &- home(slot.low)) & slotMask >= (next &- hole) & slotMask {
                slots[hole] = slot
                ring[Int(slot.order)] = UInt32(truncatingIfNeeded: hole)
                hole = next
            }
        }
        slots[hole] = .empty
    }

    /// Doubles the table, placing each entry afresh; ring positions stay, their slot indices are rewritten.
    private mutating func grow() {
        let old = slots
        let oldSize = slotMask + 1
        let size = oldSize * 2
        slots = .allocate(capacity: size)
        slots.initialize(repeating: .empty, count: size)
        slotMask = size - 1
        for oldIndex in 0..<oldSize where old[oldIndex].expiry != 0 {
            let slot = old[oldIndex]
            let index = emptySlot(for: slot.low)
            slots[index] = slot
            ring[Int(slot.order)] = UInt32(truncatingIfNeeded: index)
        }
        old.deallocate()
    }
}

// What tests look at.
extension DigestTable {
    var tableSize: Int { slotMask + 1 }
    var ringSize: Int { ringMask + 1 }

    /// The entries, oldest first, with their expiries (expired ones included until they are evicted).
    func entriesInOrder() -> [(key: KeyDigest, expiry: UInt32)] {
        (head..<tail).compactMap { position in
            let index = ring[position & ringMask]
            guard index != Self.hole else { return nil }
            let slot = slots[Int(index)]
            return (KeyDigest(high: slot.high, low: slot.low), slot.expiry)
        }
    }

    /// Broken invariants, described (the first ten); empty when the table is sound.
    func invariantViolations() -> [String] {
        var problems: [String] = []
        var occupied = 0
        var minimumExpiry = UInt32.max
        var keys = Set<KeyDigest>()
        for index in 0...slotMask where slots[index].expiry != 0 {
            let slot = slots[index]
            occupied += 1
            minimumExpiry = min(minimumExpiry, slot.expiry)
            // Every slot from the entry's home up to it is occupied, or a lookup would stop short.
            var probe = home(slot.low)
            while probe != index {
                if slots[probe].expiry == 0 { problems.append("slot \(index) unreachable from its home") }
                probe = (probe + 1) & slotMask
            }
            if Int(slot.order) > ringMask || ring[Int(slot.order)] != UInt32(index) {
                problems.append("slot \(index) and its ring entry disagree")
            }
            if !keys.insert(KeyDigest(high: slot.high, low: slot.low)).inserted {
                problems.append("two slots hold the key of slot \(index)")
            }
        }
        if occupied != count { problems.append("count \(count), occupied \(occupied)") }
        if occupied >= slotMask + 1 { problems.append("no empty slot") }
        if occupied > capacity { problems.append("over capacity") }
        if earliestExpiry > minimumExpiry { problems.append("earliestExpiry above an entry's expiry") }
        if head > tail || tail - head > ringMask + 1 { problems.append("ring bounds \(head)..<\(tail)") }
        let live = (head..<tail).filter { ring[$0 & ringMask] != Self.hole }
        if live.count != count { problems.append("ring holds \(live.count) entries, count \(count)") }
        for position in live where slots[Int(ring[position & ringMask])].order != UInt32(position & ringMask) {
            problems.append("ring position \(position) and its slot disagree")
        }
        return Array(problems.prefix(10))
    }
}
