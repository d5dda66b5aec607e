@testable import Dedup
import TestRandom
import Testing

/// A digest whose home slot in a table of `size` slots is `home`: tests pick homes to force collisions.
func digest(_ id: UInt64, home: UInt64) -> KeyDigest {
    KeyDigest(high: id, low: home | (id << 32))
}

@Suite struct DigestTableTests {
    @Test func keysWithOneHomeFillARunAndAreAllFound() {
        let table = TableUnderTest(capacity: 6, initialSize: 8)
        let keys = (1...5).map { digest($0, home: 3) }
        for key in keys { #expect(table.insertIfAbsent(key, now: 0, expiry: 10)) }
        for key in keys { #expect(!table.insertIfAbsent(key, now: 0, expiry: 10)) }
        let indices = keys.map { table.index(of: $0) }
        #expect(indices == [3, 4, 5, 6, 7])
        #expect(table.index(of: digest(9, home: 3)) == nil)
        #expect(table.invariantViolations() == [])
    }

    @Test func runsWrapAroundTheEnd() {
        let table = TableUnderTest(capacity: 6, initialSize: 8)
        let keys = (1...4).map { digest($0, home: 7) }
        for key in keys { #expect(table.insertIfAbsent(key, now: 0, expiry: 10)) }
        #expect(keys.map { table.index(of: $0) } == [7, 0, 1, 2])
        // Deleting the first shifts the others back across the end.
        table.remove(keys[0])
        #expect(keys.map { table.index(of: $0) } == [nil, 7, 0, 1])
        #expect(table.invariantViolations() == [])
    }

    @Test func deletionShiftsBackOnlyEntriesThatMayMove() {
        let table = TableUnderTest(capacity: 6, initialSize: 8)
        // a (home 6) at 6, b (home 6) at 7, c (home 7) at 0, d (home 0) at 1, e (home 2) at 2.
        let a = digest(1, home: 6), b = digest(2, home: 6), c = digest(3, home: 7)
        let d = digest(4, home: 0), e = digest(5, home: 2)
        for key in [a, b, c, d, e] { #expect(table.insertIfAbsent(key, now: 0, expiry: 10)) }
        #expect([a, b, c, d, e].map { table.index(of: $0) } == [6, 7, 0, 1, 2])
        table.remove(a)
        // b, c and d each move back one slot; e sits at its home and stays.
        #expect([a, b, c, d, e].map { table.index(of: $0) } == [nil, 6, 7, 0, 2])
        #expect(table.invariantViolations() == [])
        // An entry whose home is after the hole stays: removing d leaves e (home 2) where it is.
        table.remove(d)
        #expect([b, c, d, e].map { table.index(of: $0) } == [6, 7, nil, 2])
        #expect(table.count == 3)
        #expect(table.invariantViolations() == [])
        // The order is intact: oldest first, without the removed keys.
        #expect(table.entriesInOrder().map(\.key) == [b, c, e])
    }

    @Test func atCapacityTheOldestIsEvictedInInsertionOrder() {
        let table = TableUnderTest(capacity: 3, initialSize: 2)
        let keys = (1...6).map { digest($0, home: 0) }
        for key in keys { #expect(table.insertIfAbsent(key, now: 0, expiry: 100)) }
        #expect(table.count == 3)
        #expect(table.entriesInOrder().map(\.key) == Array(keys[3...]))
        // Inserting an expired key again moves it to the back, so it is evicted last.
        let later = TableUnderTest(capacity: 3, initialSize: 2)
        let (a, b, c, d) = (keys[0], keys[1], keys[2], keys[3])
        #expect(later.insertIfAbsent(a, now: 0, expiry: 5))
        #expect(later.insertIfAbsent(b, now: 0, expiry: 100))
        #expect(later.insertIfAbsent(c, now: 0, expiry: 100))
        #expect(later.insertIfAbsent(a, now: 5, expiry: 100), "expired at 5")
        #expect(later.entriesInOrder().map(\.key) == [b, c, a])
        #expect(later.insertIfAbsent(d, now: 5, expiry: 100))
        #expect(later.entriesInOrder().map(\.key) == [c, a, d])
        #expect(later.invariantViolations() == [])
    }

    @Test func atCapacityExpiredEntriesGoFirstEvenBehindLiveOnes() {
        let table = TableUnderTest(capacity: 3, initialSize: 4)
        let (a, b, c, d) = (digest(1, home: 1), digest(2, home: 1), digest(3, home: 2), digest(4, home: 1))
        #expect(table.insertIfAbsent(a, now: 0, expiry: 600))
        #expect(table.insertIfAbsent(b, now: 0, expiry: 5))
        #expect(table.insertIfAbsent(c, now: 0, expiry: 600))
        #expect(table.insertIfAbsent(d, now: 10, expiry: 610))
        #expect(table.entriesInOrder().map(\.key) == [a, c, d])
        #expect(table.invariantViolations() == [])
    }

    @Test func anEntryIsLiveUntilItsExpirySecond() {
        let table = TableUnderTest(capacity: 4)
        let key = digest(1, home: 0)
        #expect(table.insertIfAbsent(key, now: 0, expiry: 10))
        #expect(!table.insertIfAbsent(key, now: 9, expiry: 19))
        #expect(table.insertIfAbsent(key, now: 10, expiry: 20))
        #expect(table.count == 1)
        #expect(table.entriesInOrder().map(\.expiry) == [20])
    }

    @Test func theTableDoublesUpToTheSizeItsCapacityNeeds() {
        let table = TableUnderTest(capacity: 1000, initialSize: 2)
        #expect(table.tableSize == 2)
        var sizes: Set<Int> = [table.tableSize]
        var rng = SplitMix64(seed: 7)
        let keys = (1...3000).map { KeyDigest(high: $0, low: rng.next()) }
        for (n, key) in keys.enumerated() {
            #expect(table.insertIfAbsent(key, now: 0, expiry: 100))
            sizes.insert(table.tableSize)
            #expect(table.count * 4 <= table.tableSize * 3, "at most three quarters full")
            if n % 97 == 0 { #expect(table.invariantViolations() == []) }
        }
        #expect(sizes == [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048])
        #expect(table.tableSize == DigestTable.size(for: 1000))
        // The last thousand are held, in order; the others were evicted.
        #expect(table.entriesInOrder().map(\.key) == Array(keys[2000...]))
        #expect(keys[..<2000].allSatisfy { table.index(of: $0) == nil })
        #expect(table.invariantViolations() == [])
    }

    @Test func theRingStaysBoundedUnderRemovesAndRepeats() {
        let table = TableUnderTest(capacity: 50, initialSize: 2)
        var rng = SplitMix64(seed: 11)
        for round in 0..<20_000 {
            let key = KeyDigest(high: rng.next() % 200, low: rng.next() % 200)
            let now = UInt32(round / 10)
            if rng.next() % 3 == 0 {
                table.remove(key)
            } else {
                _ = table.insertIfAbsent(key, now: now, expiry: now + 1 + UInt32(rng.next() % 5))
            }
            #expect(table.ringSize <= 4 * 50)
        }
        #expect(table.invariantViolations() == [])
    }
}


/// A table in a class, so that `#expect` (which copies what it checks) can look at it.
final class TableUnderTest {
    private var table: DigestTable

    init(capacity: Int, initialSize: Int = 16) {
        table = DigestTable(capacity: capacity, initialSize: initialSize)
    }

    var count: Int { table.count }
    var tableSize: Int { table.tableSize }
    var ringSize: Int { table.ringSize }
    func insertIfAbsent(_ key: KeyDigest, now: UInt32, expiry: UInt32) -> Bool {
        table.insertIfAbsent(key, now: now, expiry: expiry)
    }
    func remove(_ key: KeyDigest) { table.remove(key) }
    func index(of key: KeyDigest) -> Int? { table.index(of: key) }
    func entriesInOrder() -> [(key: KeyDigest, expiry: UInt32)] { table.entriesInOrder() }
    func invariantViolations() -> [String] { table.invariantViolations() }
}
