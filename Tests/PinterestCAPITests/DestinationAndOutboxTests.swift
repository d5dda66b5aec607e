@testable import PinterestCAPI
import TestRandom
import TagdJSON
import Testing

@Suite struct DestinationTests {
    @Test func adAccountIDMustBeOneToEighteenDigits() throws {
        _ = try PinterestDestination(adAccountID: "549755885175", token: "t")
        _ = try PinterestDestination(adAccountID: String(repeating: "9", count: 18), token: "t")
        for bad in ["", "12a4", "-1", "12 34", "../events", String(repeating: "9", count: 19), "１２３"] {
            #expect(throws: InvalidDestination.self, "\(bad)") { try PinterestDestination(adAccountID: bad, token: "t") }
        }
    }

    @Test func descriptionsNeverShowTheToken() throws {
        let destination = try PinterestDestination(adAccountID: "123", token: "pina_SECRET_TOKEN", testMode: true)
        var dumped = ""
        dump(destination, to: &dumped)
        for text in [destination.description, "\(destination)", String(reflecting: destination), dumped] {
            #expect(!text.contains("SECRET"), "\(text)")
            #expect(text.contains("123"))
        }
        #expect(destination.description.contains("<redacted>"))
    }

    @Test func emptyTokenMeansDryRun() throws {
        #expect(try PinterestDestination(adAccountID: "1", token: "").isDryRun)
        #expect(try !PinterestDestination(adAccountID: "1", token: "t").isDryRun)
    }
}

@Suite struct InMemoryOutboxTests {
    @Test func takeLeasesOldestFirstPerDestinationAndRequeuePutsThemBackInFront() {
        let outbox = InMemoryOutbox()
        let a = destination("1"), b = destination("2")
        #expect(outbox.enqueue(EncodedEvent(validEvent(id: "a1")), for: a) == 1)
        #expect(outbox.enqueue(EncodedEvent(validEvent(id: "b1")), for: b) == 1)
        #expect(outbox.enqueue(EncodedEvent(validEvent(id: "a2")), for: a) == 2)
        #expect(outbox.enqueue(EncodedEvent(validEvent(id: "a3")), for: a) == 3)

        let first = outbox.take(upTo: 2, for: a)
        #expect(first.map(\.event.eventID) == ["a1", "a2"])
        #expect(outbox.take(upTo: 10, for: a).map(\.event.eventID) == ["a3"])
        #expect(outbox.take(upTo: 10, for: a).isEmpty, "leased events are not taken twice")
        #expect(outbox.count() == 4)

        outbox.requeue(first.map(\.id))
        #expect(outbox.take(upTo: 10, for: a).map(\.event.eventID) == ["a1", "a2"])
        #expect(Set(outbox.destinationsWithWaitingEvents()) == [b])
    }

    @Test func acknowledgedEventsAreGone() {
        let outbox = InMemoryOutbox()
        let a = destination("1")
        _ = outbox.enqueue(EncodedEvent(validEvent()), for: a)
        let taken = outbox.take(upTo: 10, for: a)
        outbox.acknowledge(taken.map(\.id), as: .delivered)
        outbox.requeue(taken.map(\.id))  // too late: nothing comes back
        #expect(outbox.count() == 0)
        #expect(outbox.take(upTo: 10, for: a).isEmpty)
    }
}

@Suite struct OutboxQueueOrderTests {
    func entry(_ id: UInt64) -> OutboxEntry {
        OutboxEntry(id: id, destination: destination(), event: EncodedEvent(validEvent(id: "e\(id)")))
    }

    @Test func requeueGoesBackAheadOfNewerEventsAfterLaterEnqueues() {
        let outbox = InMemoryOutbox()
        let a = destination("1")
        for n in 1...5 { _ = outbox.enqueue(EncodedEvent(validEvent(id: "a\(n)")), for: a) }
        let first = outbox.take(upTo: 3, for: a)
        _ = outbox.enqueue(EncodedEvent(validEvent(id: "a6")), for: a)
        outbox.requeue(first.reversed().map(\.id))  // any order of ids: they go back oldest first
        #expect(outbox.take(upTo: 10, for: a).map(\.event.eventID) == ["a1", "a2", "a3", "a4", "a5", "a6"])
        #expect(outbox.count() == 6)
    }

    @Test func partOfABatchCanBeRequeued() {
        let outbox = InMemoryOutbox()
        let a = destination("1")
        for n in 1...4 { _ = outbox.enqueue(EncodedEvent(validEvent(id: "a\(n)")), for: a) }
        let taken = outbox.take(upTo: 3, for: a)
        outbox.acknowledge([taken[0].id], as: .delivered)
        outbox.requeue([taken[1].id, taken[2].id])
        #expect(outbox.take(upTo: 10, for: a).map(\.event.eventID) == ["a2", "a3", "a4"])
    }

    @Test func takeAndRequeueKeepOrderAcrossCompaction() {
        var queue = OutboxQueue()
        var next: UInt64 = 0
        var expected: [UInt64] = []
        var generator = SplitMix64(seed: 3)
        // Enough traffic for the consumed prefix to be given back many times.
        for _ in 0..<400 {
            for _ in 0..<Int.random(in: 0..<40, using: &generator) {
                next += 1
                queue.append(entry(next))
                expected.append(next)
            }
            let taken = queue.removeFirst(upTo: Int.random(in: 0..<45, using: &generator))
            #expect(taken.map(\.id) == Array(expected.prefix(taken.count)))
            expected.removeFirst(taken.count)
            if Bool.random(using: &generator) {
                queue.prepend(taken)
                expected.insert(contentsOf: taken.map(\.id), at: 0)
            }
            #expect(queue.count == expected.count)
        }
        #expect(queue.removeFirst(upTo: .max).map(\.id) == expected)
        #expect(queue.isEmpty)
    }

    @Test func prependWithoutRoomInFrontStillGoesFirst() {
        var queue = OutboxQueue()
        queue.append(entry(10))
        queue.prepend([entry(1), entry(2)])  // nothing was taken: no free slots before the head
        #expect(queue.removeFirst(upTo: 5).map(\.id) == [1, 2, 10])
        #expect(queue.removeFirst(upTo: 5).isEmpty)
        #expect(queue.removeFirst(upTo: -1).isEmpty)
    }
}
