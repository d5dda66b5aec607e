@testable import PinterestCAPI
import TestRandom
import TagdJSON
import Testing

/// `pinterest.send` hands the sender a `FlatJSON` document; the validator's walks are generic, so the flat
/// form must get exactly the verdicts, bytes and violations the `JSONValue` form gets.
@Suite struct FlatPathTests {
    let validator = ConversionEventValidator.pinterest

    /// The generated events of `CheckAndEncodeTests`, valid and invalid.
    func events(count: Int, seed: UInt64) -> [JSONValue] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            var event = CheckAndEncodeTests.richEvent(index)
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let (path, value) = CheckAndEncodeTests.mutations.randomElement(using: &generator) ?? ("", nil)
                event = setting(event, path, to: value)
            }
            return event
        }
    }

    @Test func checkAndEncodeAgreeOnGeneratedEvents() {
        var valid = 0
        for (index, event) in events(count: 3_000, seed: 20_261_130).enumerated() {
            let flat = FlatJSON(event)
            let tree = validator.encodeEventIfValid(event)
            #expect(flat.withRoot { validator.encodeEventIfValid($0) } == tree, "event \(index): \(event.encodedString())")
            let conforms = validator.conforms(event, to: validator.eventSchema)
            #expect(flat.withRoot { validator.conforms($0, to: validator.eventSchema) } == conforms)
            if tree != nil { valid += 1 }
        }
        #expect(valid > 500 && valid < 2_500)
    }

    @Test func theFastPathVariationsAgree() {
        for event in ValidatorFastPathTests().events {
            let flat = FlatJSON(event)
            #expect(flat.withRoot { validator.encodeEventIfValid($0) } == validator.encodeEventIfValid(event),
                    "\(event.encodedString())")
        }
    }

    @Test func submitQueuesTheSameBytesAndRefusesWithTheSameViolations() throws {
        let trees = SenderHarness(baseURL: "http://127.0.0.1:9")
        let flats = SenderHarness(baseURL: "http://127.0.0.1:9")
        let to = destination()
        for event in events(count: 400, seed: 99) {
            let expected = Result { () throws(PinterestSender.SubmitError) in try trees.sender.submit(event, to: to) }
            let got = Result { () throws(PinterestSender.SubmitError) in try flats.sender.submit(FlatJSON(event), to: to) }
            #expect(got == expected, "\(event.encodedString())")
        }
        let queued = try trees.sender.outbox.take(upTo: 1_000, for: to)
        #expect(!queued.isEmpty)
        #expect(try flats.sender.outbox.take(upTo: 1_000, for: to).map(\.event) == queued.map(\.event))
    }

    @Test func anEventThatIsNotAnObjectIsRefusedAsATreeWouldBe() {
        let harness = SenderHarness(baseURL: "http://127.0.0.1:9")
        for value: JSONValue in ["text", 5, [1, 2], .null] {
            let expected = Result { () throws(PinterestSender.SubmitError) in try harness.sender.submit(value, to: destination()) }
            let got = Result { () throws(PinterestSender.SubmitError) in try harness.sender.submit(FlatJSON(value), to: destination()) }
            #expect(got == expected)
        }
    }
}
