/// The bytes the JSON writer produces, in one growable allocation written through a pointer.
///
/// `[UInt8].append` checks uniqueness and capacity on every call, which was a third of writing an event;
/// here a write checks capacity only. Non-copyable, so the allocation has exactly one owner.
public struct JSONOutput: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0
    private var capacity: Int
    /// False while writing into storage lent by `withThreadScratch`; the first growth moves to an allocation of its own.
    private var ownsBase = true

    public init(capacity: Int = 1_024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    init(lending storage: UnsafeMutableBufferPointer<UInt8>) {
        // The thread's scratch block: never empty, so the address is there.
        base = storage.baseAddress.unsafelyUnwrapped
        capacity = storage.count
        ownsBase = false
    }

    deinit {
        if ownsBase { base.deallocate() }
    }

    /// The bytes written, valid for the duration of `body`.
    public func withBytes<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// The bytes written, in an array of their exact size.
    public var bytes: [UInt8] {
        [UInt8](UnsafeBufferPointer(start: base, count: count))
    }

    /// Drops what was written after `mark` (an earlier `count`).
    public mutating func truncate(to mark: Int) {
        precondition(mark >= 0 && mark <= count)
        count = mark
    }

    @inline(__always)
    public mutating func append(_ byte: UInt8) {
        if count == capacity { grow(minimum: count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(minimum: count + bytes.count) }
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// A literal such as `"null"` (static strings are contiguous UTF-8).
    @inline(__always)
    public mutating func append(_ literal: StaticString) {
        append(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `count` bytes from `source` a word at a time, without a `memmove` call (most of the cost of the
    /// short runs a shape's plan copies): `source` must be readable up to `count` rounded up to a multiple of 8.
    @inline(__always)
    mutating func appendWords(from source: UnsafePointer<UInt8>, count: Int) {
        guard count <= 256 else {
            append(UnsafeBufferPointer(start: source, count: count))
            return
        }
        // The last word may write up to 7 bytes past the end: reserve them (they are then overwritten).
        if self.count + count + 8 > capacity { grow(minimum: self.count + count + 8) }
        let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(base + self.count)
        var offset = 0
        while offset < count {
            to.storeBytes(of: from.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        self.count += count
    }

    /// Appends `bytes`, which lie inside `buffer`: a word at a time when the last word stays inside it.
    @inline(__always)
    mutating func appendWords(from bytes: UnsafeBufferPointer<UInt8>, within buffer: UnsafeBufferPointer<UInt8>) {
        guard let start = bytes.baseAddress, let bufferStart = buffer.baseAddress else { return }
        if start - bufferStart + (bytes.count + 7) & ~7 <= buffer.count {
            appendWords(from: start, count: bytes.count)
        } else {
            append(bytes)
        }
    }

    /// Makes room for `extra` more bytes and returns where they go; `commit` then counts those written.
    @inline(__always)
    mutating func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if count + extra > capacity { grow(minimum: count + extra) }
        return base + count
    }

    /// Counts `written` bytes put where `reserve` pointed.
    @inline(__always)
    mutating func commit(_ written: Int) {
        count += written
    }

    private mutating func grow(minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        if ownsBase { base.deallocate() }
        base = newBase
        ownsBase = true
        capacity = newCapacity
    }
}
