import PinterestCAPI
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
        #expect(outbox.enqueue(validEvent(id: "a1"), for: a) == 1)
        #expect(outbox.enqueue(validEvent(id: "b1"), for: b) == 1)
        #expect(outbox.enqueue(validEvent(id: "a2"), for: a) == 2)
        #expect(outbox.enqueue(validEvent(id: "a3"), for: a) == 3)

        let first = outbox.take(upTo: 2, for: a)
        #expect(first.map { $0.event["event_id"] } == ["a1", "a2"])
        #expect(outbox.take(upTo: 10, for: a).map { $0.event["event_id"] } == ["a3"])
        #expect(outbox.take(upTo: 10, for: a).isEmpty, "leased events are not taken twice")
        #expect(outbox.count() == 4)

        outbox.requeue(first.map(\.id))
        #expect(outbox.take(upTo: 10, for: a).map { $0.event["event_id"] } == ["a1", "a2"])
        #expect(Set(outbox.destinationsWithWaitingEvents()) == [b])
    }

    @Test func acknowledgedEventsAreGone() {
        let outbox = InMemoryOutbox()
        let a = destination("1")
        _ = outbox.enqueue(validEvent(), for: a)
        let taken = outbox.take(upTo: 10, for: a)
        outbox.acknowledge(taken.map(\.id), as: .delivered)
        outbox.requeue(taken.map(\.id))  // too late: nothing comes back
        #expect(outbox.count() == 0)
        #expect(outbox.take(upTo: 10, for: a).isEmpty)
    }
}
