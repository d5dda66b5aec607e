/// Name-value pairs of one form-encoded string (a query string or one `/g/collect` body line), decoded once.
///
/// Order is kept (so mapping and its error messages are deterministic) and the first value of a repeated name wins,
/// as in server-side GTM's `getRequestQueryParameter`.
///
/// Repeats are found through a small open-addressing table of entry positions keyed by an FNV-1a hash of each
/// name's bytes: hashing every name into a `Dictionary` (SipHash) cost more than decoding it. The table serves
/// at most `tableLimit` ASCII names: past that, or at a name that is not ASCII (`String` equality is canonical
/// equivalence, which bytes are not), positions go into a `Dictionary`, whose seeded hash no sender can make
/// collide. `values` (the request's query parameters, which tags rarely read) is made when asked for.
struct FormParameters: Sendable {
    private(set) var entries: [(name: String, value: String)] = []
    /// The first parameter whose name or value held an invalid `%` escape, for strict callers to report.
    private(set) var firstInvalidEscape: String?
    /// Each entry's name hash, and the table: a slot holds an entry's position + 1, or 0 when free.
    private var hashes: [UInt64] = []
    private var slots: [Int32] = []
    /// Every name's position, once the table no longer serves.
    private var index: [String: Int]?
    private static let tableLimit = 32

    init() {}

    /// Splits on `&`, then at the first `=`; a part without `=` is a name with an empty value; empty parts are skipped.
    /// Works on a contiguous buffer: generic collection walking cost several times more on the hot path.
    init(parsing bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.isEmpty { return }  // a POST without a query: nothing to reserve
        let ampersand = UInt8(ascii: "&")
        var estimatedCount = 1
        var scan = ByteScan.firstIndex(of: ampersand, in: bytes, from: 0, to: bytes.count)
        while scan < bytes.count {
            estimatedCount += 1
            scan = ByteScan.firstIndex(of: ampersand, in: bytes, from: scan + 1, to: bytes.count)
        }
        entries.reserveCapacity(estimatedCount)
        hashes.reserveCapacity(min(estimatedCount, Self.tableLimit))  // the table serves no more names
        slots = [Int32](repeating: 0, count: Self.tableSize(for: min(estimatedCount, Self.tableLimit)))

        var start = 0
        while start < bytes.count {
            let end = ByteScan.firstIndex(of: ampersand, in: bytes, from: start, to: bytes.count)
            if end > start {
                let equals = ByteScan.firstIndex(of: UInt8(ascii: "="), in: bytes, from: start, to: end)
                var invalid = false
                let name = PercentDecoding.decode(UnsafeBufferPointer(rebasing: bytes[start..<equals]), sawInvalidEscape: &invalid)
                let value = equals < end
                    ? PercentDecoding.decode(UnsafeBufferPointer(rebasing: bytes[(equals + 1)..<end]), sawInvalidEscape: &invalid)
                    : ""
                if invalid, firstInvalidEscape == nil { firstInvalidEscape = name }
                let hash = Self.hash(name)
                if position(of: name, hash: hash) == nil { add(name, value, hash: hash) }  // the first value wins
            }
            start = end + 1
        }
    }

    init(parsing bytes: ArraySlice<UInt8>) {
        self = bytes.withUnsafeBufferPointer { FormParameters(parsing: $0) }
    }

    init(parsing text: String) {
        var text = text
        self = text.withUTF8 { FormParameters(parsing: $0) }
    }

    /// The value of `name` (the first one sent).
    subscript(name: String) -> String? { position(of: name, hash: Self.hash(name)).map { entries[$0].value } }

    /// The value of each name (the first one sent).
    var values: [String: String] { Dictionary(entries, uniquingKeysWith: { first, _ in first }) }

    var count: Int { entries.count }

    /// This set with every parameter of `overlay` replacing or added to it: a `/g/collect` body line over the
    /// query string's shared parameters.
    func overlaid(with overlay: FormParameters) -> FormParameters {
        var result = self
        for entry in overlay.entries {
            let hash = Self.hash(entry.name)
            if let position = result.position(of: entry.name, hash: hash) {
                result.entries[position].value = entry.value
            } else {
                result.add(entry.name, entry.value, hash: hash)
            }
        }
        return result
    }

    private func position(of name: String, hash: UInt64?) -> Int? {
        if let index { return index[name] }
        // Not ASCII: compared as `String`s (U+212A KELVIN SIGN is "K"), among at most `tableLimit` names.
        guard let hash else { return entries.firstIndex { $0.name == name } }
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            let position = Int(slots[slot]) - 1
            if hashes[position] == hash, entries[position].name == name { return position }
            slot = (slot + 1) & mask
        }
        return nil
    }

    private mutating func add(_ name: String, _ value: String, hash: UInt64?) {
        entries.append((name, value))
        if index != nil {
            index?[name] = entries.count - 1
            return
        }
        guard let hash, entries.count <= Self.tableLimit else {
            var positions = [String: Int](minimumCapacity: entries.count * 2)
            for (position, entry) in entries.enumerated() { positions[entry.name] = position }
            index = positions
            hashes = []
            slots = []
            return
        }
        hashes.append(hash)
        if slots.count < Self.tableSize(for: entries.count) {
            // Rebuilt at twice the size: at most half the slots are ever taken, so probes stay short.
            slots = [Int32](repeating: 0, count: Self.tableSize(for: entries.count * 2))
            for position in 0..<entries.count { place(position) }
        } else {
            place(entries.count - 1)
        }
    }

    private mutating func place(_ position: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[position]) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(truncatingIfNeeded: position + 1)
    }

    /// A power of two at least twice `count`.
    private static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < 2 * count { size *= 2 }
        return size
    }

    /// FNV-1a over the name's UTF-8 bytes (in place: walking `String.UTF8View` costs several times more); nil
    /// when the name is not ASCII.
    private static func hash(_ name: String) -> UInt64? {
        func fnv(_ bytes: some Sequence<UInt8>) -> UInt64? {
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            var high: UInt8 = 0
            for byte in bytes {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                high |= byte
            }
            return high < 0x80 ? hash : nil
        }
        return name.utf8.withContiguousStorageIfAvailable { fnv($0) } ?? fnv(name.utf8)
    }
}
