@testable import PinterestCAPI
import TestRandom
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
        var generator = SplitMix64(seed: 2_026_112_9)
        var tally = (valid: 0, invalid: 0, knownShape: 0, knownShapeFailed: 0)
        for index in 0..<3_000 {
            var event = CheckAndEncodeTests.richEvent(index)
            // Mostly value changes, so that shapes repeat; now and then any change, so that they vary too.
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let pool = Int.random(in: 0..<5, using: &generator) == 0 ? CheckAndEncodeTests.mutations : Self.valueChanges
                let (path, value) = pool.randomElement(using: &generator) ?? ("", nil)
                event = setting(event, path, to: value)
            }
            // Parsed from sorted text: events with the same keys list them in the same order, as one VM's do.
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

    /// Each kind of check a value decides, on a known shape: a good value takes the shape's path, a bad one of
    /// the same kind must be refused as the full walk refuses it. The event is built as a Lua table arrives (a
    /// float stays a double) and changed in place, so that its document order, and so its shape, stays.
    @Test func aValueCheckOnAKnownShape() throws {
        let cases: [(path: String, first: JSONValue, good: JSONValue, bad: JSONValue)] = [
            ("event_time", .double(1_717_171_717), .double(1_717_171_800), .double(1_717_171_717.5)),  // integer
            ("event_time", .double(1_717_171_717), .double(-2), .double(1e19)),  // int64
            ("device_info.form_factor", "tablet", "tv", "phone"),  // enum
            ("device_info.battery_level", .int(50), .int(0), .int(101)),  // maximum
            ("device_info.screen_width", .int(50), .int(30_720), .int(-1)),  // minimum
            ("app_info.app_name", "Shop", .string(String(repeating: "é", count: 200)),
             .string(String(repeating: "é", count: 201))),  // maxLength
            ("user_data.em", [.string(sampleHash)], [.string(String(sampleHash.reversed()))],
             [.string(sampleHash.uppercased())]),  // hashes
        ]
        for (path, first, good, bad) in cases {
            var event = CheckAndEncodeTests.richEvent(1)
            event = setting(setting(event, "device_info.battery_level", to: .int(50)), "device_info.screen_width", to: .int(50))
            event = setting(setting(event, "app_info.app_name", to: "Shop"), "device_info.form_factor", to: "tablet")
            event = setting(event, path, to: first)
            let base = FlatJSON(event)
            #expect(base.withRoot { validator.encodeEventIfValid($0) } == validator.encodeEventIfValid(event))
            let index = try #require(base.withRoot { root in
                path.split(separator: ".").reduce(Optional(root)) { $0?.member(String($1)) }?.index
            } ?? nil)
            for (value, conforms) in [(good, true), (bad, false)] {
                let changed = base.replacing(valueAt: index, with: FlatJSON(value))
                #expect((changed.withRoot { validator.shapes.shape(of: $0) } ?? nil) != nil, "\(path): the shape is known")
                let expected = validator.encodeEventIfValid(setting(event, path, to: value))
                #expect((expected != nil) == conforms, "\(path) = \(value.encodedString())")
                #expect(changed.withRoot { validator.encodeEventIfValid($0) } == expected, "\(path) = \(value.encodedString())")
            }
        }
    }

    @Test func pastItsCapacityTheCacheReplacesItsOldestShape() throws {
        let cache = EventShapeCache(capacity: 2)
        let events = try (0..<3).map { n in
            try FlatJSON.parse(Array(#"{"a":1,"k\#(n)":"x"}"#.utf8))
        }
        for event in events {
            try event.withRoot { root in
                let shape = try #require(EventShape(of: root, checks: []))
                cache.remember(shape, of: root)
                cache.remember(shape, of: root)  // a second thread's copy of the same shape is not kept twice
            }
        }
        #expect(cache.count == 2)
        #expect((events[0].withRoot { cache.shape(of: $0) } ?? nil) == nil)  // replaced by the third
        #expect((events[1].withRoot { cache.shape(of: $0) } ?? nil) != nil)
        #expect((events[2].withRoot { cache.shape(of: $0) } ?? nil) != nil)
    }

    /// The thread's last match is tried first; it never stands for an event of another shape.
    @Test func theLastMatchIsTriedFirstAndNeverAnswersForAnotherShape() throws {
        let cache = EventShapeCache(capacity: 4)
        let events = try (0..<3).map { n in try FlatJSON.parse(Array(#"{"a":1,"k\#(n)":"x"}"#.utf8)) }
        var kept: [EventShape] = []
        for event in events.prefix(2) {
            try event.withRoot { root in
                let shape = try #require(EventShape(of: root, checks: []))
                cache.remember(shape, of: root)
                kept.append(shape)
            }
        }
        for n in [0, 1, 1, 0, 2, 0, 2, 1] {
            let found = events[n].withRoot { cache.shape(of: $0) } ?? nil
            if n < 2 {
                #expect(found === kept[n], "event \(n)")
            } else {
                #expect(found == nil, "event \(n) has no kept shape")
            }
        }
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
        #expect((second.withRoot { validator.shapes.shape(of: $0) } ?? nil) != nil)
        #expect(second.withRoot { validator.encodeEventIfValid($0) } == .some(nil))
        #expect(validator.encodeEventIfValid(bad) == nil)
    }
}
