@testable import PinterestCAPI
import TagdJSON
import Testing

/// A flat event of a shape already seen to conform is checked by rerunning only the checks its values decide
/// (``EventShape``), then written from the shape's plan. That must give exactly what the full walk gives:
/// the same verdict and the same bytes, for events whose values pass those checks and events whose do not.
@Suite struct EventShapeTests {
    /// A validator of its own, so that its shapes are only this test's.
    let validator: ConversionEventValidator

    init() throws {
        validator = try ConversionEventValidator(openAPIDocument: JSONValue.parse(EmbeddedSchema.openAPIDocument))
    }

    /// Changes of values only: an event keeps its shape and may break a check that only its values decide.
    static let valueChanges: [(String, JSONValue?)] = [
        ("user_data.em", [.string(sampleHash.uppercased())]), ("user_data.em", ["jane@example.com"]),
        ("user_data.ph", [.string(String(sampleHash.dropLast()) + "g")]), ("event_name", "not_an_event"),
        ("event_name", "lead"), ("event_name", "page_visit"), ("action_source", "app_ios"), ("action_source", "tv"),
        ("event_id", .string(String(repeating: "e", count: 300))), ("event_time", .int(-5)),
        ("custom_data.currency", "EUR"), ("custom_data.currency", "euro"), ("custom_data.num_items", .int(-3)),
        ("custom_data.value", "1e400"), ("user_data.client_user_agent", .string(String(repeating: "u", count: 600))),
        ("custom_data.contents", [["id": "SKU-1", "item_price": "19.99", "quantity": 2], ["id": "SKU-2", "item_price": "x", "quantity": -1]]),
    ]

    @Test func agreesWithTheFullWalkAsShapesRepeat() throws {
        var generator = SeededGenerator(seed: 2_026_112_9)
        var tally = (valid: 0, invalid: 0, knownShape: 0, knownShapeFailed: 0)
        for index in 0..<3_000 {
            var event = CheckAndEncodeTests.richEvent(index)
            // Mostly value changes, so that shapes repeat; now and then any change, so that they vary too.
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let pool = Int.random(in: 0..<5, using: &generator) == 0 ? CheckAndEncodeTests.mutations : Self.valueChanges
                let (path, value) = pool.randomElement(using: &generator) ?? ("", nil)
                event = setting(event, path, to: value)
            }
            // Parsed from sorted text: events with the same keys list them in the same order, as one tag's do.
            let flat = try FlatJSON.parse(event.encoded())
            let expected = validator.encodeEventIfValid(event)  // the tree: the full walk, no shapes
            let known = flat.withRoot { validator.shapes.shape(of: $0) } ?? nil
            let got = flat.withRoot { validator.encodeEventIfValid($0) } ?? nil
            #expect(got == expected, "event \(index): \(event.encodedString())")
            if expected == nil { tally.invalid += 1 } else { tally.valid += 1 }
            if let known {
                tally.knownShape += 1
                if flat.withRoot({ validator.passes(known.checks, $0) }) == false { tally.knownShapeFailed += 1 }
            }
        }
        // Every branch is taken in numbers, so the agreement above means something.
        #expect(tally.valid > 500)
        #expect(tally.invalid > 500)
        #expect(tally.knownShape > 1_500)
        #expect(tally.knownShapeFailed > 300)
    }

    @Test func aFailedAlternativeLeavesNoChecksBehind() throws {
        // user_data conforms through its second alternative (hashed_maids, not em): only that alternative's
        // checks may stand for the shape. A later event of the same shape with a bad hashed_maids must fail.
        let good: JSONValue = [
            "event_name": "lead", "action_source": "web", "event_time": .int(1_717_171_717), "event_id": "x",
            "user_data": ["hashed_maids": [.string(sampleHash)]],
        ]
        let bad = setting(good, "user_data.hashed_maids", to: ["not-a-hash"])
        let first = try FlatJSON.parse(good.encoded()), second = try FlatJSON.parse(bad.encoded())
        #expect(first.withRoot { validator.encodeEventIfValid($0) } == good.encoded())
        #expect(second.withRoot { validator.shapes.shape(of: $0) } != nil)
        #expect(second.withRoot { validator.encodeEventIfValid($0) } == .some(nil))
        #expect(validator.encodeEventIfValid(bad) == nil)
    }
}
