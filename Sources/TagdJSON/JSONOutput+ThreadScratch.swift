#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONOutput {
    /// Bytes of each thread's scratch block: more than an event takes (about 1.3 KB for the benchmark's purchase).
    static let threadScratchCapacity = 16 * 1_024

    /// Calls `body` with an output that starts in this thread's reusable scratch block, moving onto an allocation
    /// of its own only past `threadScratchCapacity`, for writes whose bytes are copied elsewhere before the call
    /// returns (`submit` writes an event that the outbox copies). A fresh 2 KB output per event cost an allocation
    /// and its free on every event; `withUnsafeTemporaryAllocation` does not use the stack for that size here.
    /// A nested call on the same thread (the block is in use) gets an allocation of its own.
    public static func withThreadScratch<R, E: Error>(_ body: (inout JSONOutput) throws(E) -> R) throws(E) -> R {
        guard let block = threadScratchBlock() else {
            var out = JSONOutput(capacity: 2_048)
            return try body(&out)
        }
        let inUse = block.assumingMemoryBound(to: Bool.self)
        if inUse.pointee {
            var out = JSONOutput(capacity: 2_048)
            return try body(&out)
        }
        inUse.pointee = true
        defer { inUse.pointee = false }
        let bytes = (block + threadScratchHeader).assumingMemoryBound(to: UInt8.self)
        var out = JSONOutput(lending: UnsafeMutableBufferPointer(start: bytes, count: threadScratchCapacity))
        return try body(&out)
    }

    /// The in-use flag's room, ahead of the bytes (a word, so the bytes start aligned).
    private static let threadScratchHeader = 16

    /// This thread's block (the in-use flag, then the bytes), made on first use and freed when the thread ends;
    /// nil when it cannot be made.
    private static func threadScratchBlock() -> UnsafeMutableRawPointer? {
        let key = threadScratchKey
        if let block = pthread_getspecific(key) { return block }
        guard let block = malloc(threadScratchHeader + threadScratchCapacity) else { return nil }
        block.storeBytes(of: false, as: Bool.self)
        guard pthread_setspecific(key, block) == 0 else {
            free(block)
            return nil
        }
        return block
    }
}

/// The key of each thread's scratch block; the block is freed with its thread.
private let threadScratchKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { block in free(block) }
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()
