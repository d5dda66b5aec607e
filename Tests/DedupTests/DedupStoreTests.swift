@testable import Dedup
import Synchronization
import Testing

/// A clock that only moves when a test says so.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { current.withLock { $0 } }
    func advance(by duration: Duration) { current.withLock { $0 += duration } }
}

@Suite struct DedupStoreTests {
    @Test func firstSightingWins() {
        let store = DedupStore()
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        #expect(store.insertIfAbsent("b", ttl: .seconds(60)))
    }

    @Test func repeatWithinTTLIsRefused() {
        let clock = ManualClock()
        let store = DedupStore(now: { clock.now })
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        clock.advance(by: .seconds(59))
        #expect(!store.insertIfAbsent("a", ttl: .seconds(60)))
    }

    /// A window of zero (`duplicate_window_hours = 0`) drops nothing, as before whole-second expiries: only a key
    /// still live from a longer window refuses it.
    @Test func aZeroTTLKeepsNothing() {
        let clock = ManualClock()
        let store = DedupStore(now: { clock.now })
        clock.advance(by: .milliseconds(300))
        #expect(store.insertIfAbsent("a", ttl: .zero))
        #expect(store.insertIfAbsent("a", ttl: .zero))
        #expect(store.insertIfAbsent("a", ttl: .seconds(-5)))
        #expect(store.count == 0)
        #expect(store.insertIfAbsent("b", ttl: .seconds(60)))
        #expect(!store.insertIfAbsent("b", ttl: .zero))
        clock.advance(by: .seconds(61))
        #expect(store.insertIfAbsent("b", ttl: .zero))
    }

    @Test func repeatAfterTTLWinsAgainAndRestartsTheWindow() {
        let clock = ManualClock()
        let store = DedupStore(now: { clock.now })
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        clock.advance(by: .seconds(60))
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        clock.advance(by: .seconds(30))
        #expect(!store.insertIfAbsent("a", ttl: .seconds(60)))
        #expect(store.count == 1)
    }

    @Test func removeLetsTheKeyWinAgain() {
        let store = DedupStore()
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        store.remove("a")
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
    }

    @Test func whenFullTheOldestIsEvicted() {
        let clock = ManualClock()
        let store = DedupStore(capacity: 3, now: { clock.now })
        for key in ["a", "b", "c"] {
            #expect(store.insertIfAbsent(key, ttl: .seconds(60)))
            clock.advance(by: .seconds(1))
        }
        #expect(store.insertIfAbsent("d", ttl: .seconds(60)))
        #expect(store.count == 3)
        // "a" was the oldest, so it is forgotten; "b" and "c" are still known.
        #expect(!store.insertIfAbsent("b", ttl: .seconds(60)))
        #expect(!store.insertIfAbsent("c", ttl: .seconds(60)))
        #expect(store.insertIfAbsent("a", ttl: .seconds(60)))
        #expect(store.count == 3)
    }

    @Test func whenFullExpiredEntriesGoBeforeTheOldest() {
        let clock = ManualClock()
        let store = DedupStore(capacity: 3, now: { clock.now })
        #expect(store.insertIfAbsent("old-long", ttl: .seconds(600)))
        #expect(store.insertIfAbsent("short", ttl: .seconds(5)))
        #expect(store.insertIfAbsent("newer-long", ttl: .seconds(600)))
        clock.advance(by: .seconds(10))  // only "short" has expired, and it is not at the front
        #expect(store.insertIfAbsent("d", ttl: .seconds(600)))
        #expect(store.count == 3)
        #expect(!store.insertIfAbsent("old-long", ttl: .seconds(600)), "the oldest live entry must survive")
        #expect(!store.insertIfAbsent("newer-long", ttl: .seconds(600)))
        #expect(!store.insertIfAbsent("d", ttl: .seconds(600)))
    }

    @Test func memoryStaysBoundedUnderChurn() {
        let clock = ManualClock()
        let store = DedupStore(capacity: 100, now: { clock.now })
        for n in 0..<10_000 {
            #expect(store.insertIfAbsent("k\(n)", ttl: .seconds(3600)))
            if n % 7 == 0 { store.remove("k\(n)") }
            if n % 1000 == 0 { clock.advance(by: .seconds(1)) }
        }
        #expect(store.count <= 100)
        // The most recent keys are remembered.
        #expect(!store.insertIfAbsent("k9999", ttl: .seconds(3600)))
    }

    /// Large stores are sharded; the bound still holds overall and recent keys are still remembered.
    @Test func shardedStoreStaysBoundedAndRemembersRecentKeys() {
        let clock = ManualClock()
        let store = DedupStore(capacity: 70_000, now: { clock.now })
        for n in 0..<150_000 {
            #expect(store.insertIfAbsent("k\(n)", ttl: .seconds(3600)))
        }
        #expect(store.count <= 70_000 && store.count >= 69_000)
        let recent = (140_000..<150_000).filter { !store.insertIfAbsent("k\($0)", ttl: .seconds(3600)) }
        #expect(recent.count == 10_000)
        #expect(store.insertIfAbsent("k0", ttl: .seconds(3600)), "the oldest keys were evicted")
    }

    /// Keys are kept as 128-bit digests: equal texts give equal digests, and no two of many similar keys collide.
    @Test func keyDigestsSeparateSimilarKeys() {
        #expect(KeyDigest("549755885175\u{1F}checkout\u{1F}ev-42") == KeyDigest("549755885175\u{1F}checkout\u{1F}ev-42"))
        let keys = (0..<200_000).map { "549755885175\u{1F}checkout\u{1F}ev-\($0)" } + ["", "a", "b", "ab", "ba"]
        #expect(Set(keys.map(KeyDigest.init)).count == keys.count)
        #expect(keys.allSatisfy { KeyDigest($0).high != KeyDigest($0).low }, "two different hashes, not one twice")
    }

    @Test func manyTasksRacingOnTheSameKeysExactlyOneWinsEach() async {
        let store = DedupStore()
        // Long runs over one shared list keep the tasks overlapping on every core, so a check and
        // an insert that were two steps would let two tasks win the same key.
        let keys = (0..<100_000).map { "key-\($0)" }
        let wins = await withTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    keys.indices.filter { store.insertIfAbsent(keys[$0], ttl: .seconds(60)) }
                }
            }
            var wins: [Int] = []
            for await won in group { wins += won }
            return wins
        }
        #expect(wins.count == keys.count, "\(wins.count - keys.count) keys were won twice")
        #expect(Set(wins).count == keys.count)
    }
}

/// A key given as fields is the key of the fields joined: the store digests ASCII fields without joining them.
@Suite struct DedupKeyTests {
    @Test func fieldsDigestAsTheJoinedKey() {
        // The byte route is taken on this toolchain (otherwise every key would go through the joined string).
        #expect(KeyDigest.bytesHashAsStrings)
        let fields = ["", "a", "549755885175", "checkout", "ev-42-7fffffff-123", "K", "\u{212A}", "é", "e\u{301}",
                      "tab\there", String(repeating: "x", count: 300), "\u{1F}", "😀"]
        for a in fields {
            for b in fields {
                for c in fields {
                    let key = DedupKey(a, b, c)
                    #expect(KeyDigest(key) == KeyDigest(key.joined), "\(key)")
                }
            }
        }
        // Canonically equal text is one key, as a String is.
        #expect(KeyDigest(DedupKey("1", "checkout", "é")) == KeyDigest(DedupKey("1", "checkout", "e\u{301}")))
    }

    /// Fields given as UTF-8 (`pinterest.send`'s path) are the same key as those fields decoded into strings,
    /// invalid bytes included (decoded with repairs), in the digest and in the store.
    @Test func utf8FieldsAreTheKeyOfTheirStrings() {
        let fields: [[UInt8]] = [[], Array("a".utf8), Array("549755885175".utf8), Array("ev-42-7fffffff-123".utf8),
                                 Array("é".utf8), Array("e\u{301}".utf8), Array("\u{1F}".utf8), [0xFF, 0x41], [0xC3],
                                 Array(String(repeating: "x", count: 300).utf8), Array("😀".utf8)]
        let store = DedupStore()
        for a in fields {
            for b in fields {
                for c in fields {
                    let key = DedupKey(String(decoding: a, as: UTF8.self), String(decoding: b, as: UTF8.self), String(decoding: c, as: UTF8.self))
                    a.withUnsafeBufferPointer { a in
                        b.withUnsafeBufferPointer { b in
                            c.withUnsafeBufferPointer { c in
                                #expect(KeyDigest(utf8: a, b, c) == KeyDigest(key), "\(key)")
                                #expect(DedupKey(utf8: a, b, c) == key)
                                let first = store.insertIfAbsent(utf8: a, b, c, ttl: .seconds(60))
                                #expect(!store.insertIfAbsent(key, ttl: .seconds(60)), "\(key)")
                                if first {
                                    store.remove(utf8: a, b, c)
                                    #expect(store.insertIfAbsent(key, ttl: .seconds(60)), "\(key)")
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func aKeyInsertedAsFieldsIsTheJoinedKey() {
        let store = DedupStore()
        #expect(store.insertIfAbsent(DedupKey("1", "checkout", "ev-1"), ttl: .seconds(60)))
        #expect(!store.insertIfAbsent("1\u{1F}checkout\u{1F}ev-1", ttl: .seconds(60)))
        #expect(!store.insertIfAbsent(DedupKey("1", "checkout", "ev-1"), ttl: .seconds(60)))
        store.remove(DedupKey("1", "checkout", "ev-1"))
        #expect(store.insertIfAbsent("1\u{1F}checkout\u{1F}ev-1", ttl: .seconds(60)))
        #expect(store.insertIfAbsent(DedupKey("1", "checkout", "ev-2"), ttl: .seconds(60)))
    }
}
