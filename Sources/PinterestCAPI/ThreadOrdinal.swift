#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A small number per thread, given in the order threads first ask (0, 1, 2, ...): lets threads that write to
/// shared state pick different parts of it (the outbox's chunks), so that each part's cache lines stay with one
/// core instead of moving between the event loops on every write.
enum ThreadOrdinal {
    static var current: Int {
        let key = ordinalKey
        if let stored = pthread_getspecific(key) { return Int(bitPattern: stored) - 1 }
        let ordinal = next.add(1, ordering: .relaxed).oldValue
        // Kept as the pointer's bits (plus one, so never null): nothing is allocated, nothing to free.
        if let bits = UnsafeMutableRawPointer(bitPattern: ordinal + 1) { _ = pthread_setspecific(key, bits) }
        return ordinal
    }

    private static let next = Atomic<Int>(0)
}

private let ordinalKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key, nil)
    precondition(status == 0, "pthread_key_create failed: \(status)")
    return key
}()
