import TestRandom
import Dedup
@testable import PinterestCAPI
import TagdJSON
import Testing

/// `submit` checks and encodes an event in one walk (`encodeEventIfValid`). It must say yes exactly when
/// `conforms` (and so `check`) does, write exactly what `encoded()` writes, and leave refusals to the same
/// violations as `validateEvent`.
@Suite struct CheckAndEncodeTests {
    let validator = ConversionEventValidator.pinterest

    func expectSameAsSeparatePasses(_ event: JSONValue, _ comment: String = "") {
        let separate = validator.validateEvent(event).isEmpty ? event.encoded() : nil
        let combined = validator.encodeEventIfValid(event)
        #expect(combined == separate, "\(comment) \(event.encodedString())")
    }

    @Test func agreesOnTheFastPathVariations() {
        for event in ValidatorFastPathTests().events {
            expectSameAsSeparatePasses(event)
        }
    }

    @Test func agreesOnGeneratedEvents() {
        var generator = SplitMix64(seed: 20_261_129)
        var valid = 0, invalid = 0
        for index in 0..<3_000 {
            var event = Self.richEvent(index)
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                let (path, value) = Self.mutations.randomElement(using: &generator) ?? ("", nil)
                event = setting(event, path, to: value)
            }
            expectSameAsSeparatePasses(event, "event \(index):")
            if validator.validateEvent(event).isEmpty { valid += 1 } else { invalid += 1 }
        }
        // Both branches are exercised in numbers, so the agreement above means something.
        #expect(valid > 500)
        #expect(invalid > 500)
    }

    @Test func aRefusalNamesTheSameViolationsAsValidateEvent() throws {
        let harness = SenderHarness(baseURL: "http://127.0.0.1:9")
        var generator = SplitMix64(seed: 7)
        for index in 0..<300 {
            var event = Self.richEvent(index)
            let (path, value) = Self.mutations.randomElement(using: &generator) ?? ("", nil)
            event = setting(event, path, to: value)
            let expected = validator.validateEvent(event)
            do {
                _ = try harness.sender.submit(event, to: destination())
                #expect(expected.isEmpty, "\(event.encodedString())")
            } catch {
                #expect(error == .invalidEvent(expected))
                #expect(!expected.isEmpty)
            }
        }
    }

    /// The benchmark's checkout: hashed user data, custom data with contents.
    static func richEvent(_ index: Int) -> JSONValue {
        [
            "event_name": "checkout", "action_source": "web", "event_time": .int(1_717_171_717),
            "event_id": .string("e-\(index)"), "event_source_url": "https://shop.example/checkout/thanks",
            "user_data": [
                "em": [.string(sampleHash)], "ph": [.string(sampleHash)], "fn": [.string(sampleHash)],
                "external_id": [.string(sampleHash), .string(sampleHash)], "client_ip_address": "127.0.0.1",
                "client_user_agent": "Mozilla/5.0 \"quoted\"",
            ],
            "custom_data": [
                "currency": "USD", "value": "72.39", "order_id": .string("T-\(index)"), "content_ids": ["SKU-1", "SKU-2"],
                "contents": [["id": "SKU-1", "item_price": "19.99", "quantity": 2], ["id": "SKU-2", "item_price": "32.41", "quantity": 1]],
                "num_items": 3,
            ],
        ]
    }

    /// Changes that keep an event valid and changes that break it, anywhere in its tree.
    static let mutations: [(String, JSONValue?)] = [
        ("custom_data.content_name", "line\nbreak \"quote\" \\ \u{1}"), ("custom_data.value", 72.39), ("custom_data.value", nil),
        ("custom_data.num_items", .double(3)), ("custom_data.num_items", 2.5), ("custom_data.contents", []),
        ("custom_data.contents", [["id": "x", "colour": "red"]]), ("custom_data.contents", [["quantity": "2"]]),
        ("custom_data.extra", 1), ("custom_data", .null), ("custom_data", [:]), ("custom_data.order_id", .null),
        ("user_data.em", nil), ("user_data.em", [.string(sampleHash.uppercased())]), ("user_data.em", ["jane@example.com"]),
        ("user_data.em", []), ("user_data.em", [7]), ("user_data.client_ip_address", nil), ("user_data.client_user_agent", 5),
        ("user_data.hashed_maids", [.string(sampleHash)]), ("user_data.ph", nil), ("user_data.zz", "x"),
        ("user_data", ["hashed_maids": [.string(sampleHash)]]), ("user_data", ["client_ip_address": "1.2.3.4"]),
        ("user_data", ["client_ip_address": "1.2.3.4", "client_user_agent": "UA"]), ("user_data", "x"),
        ("event_time", "1700000000"), ("event_time", .double(1e19)), ("event_time", .double(1_700_000_000)),
        ("event_id", nil), ("event_id", 5), ("event_name", "not_an_event"), ("event_name", "lead"), ("action_source", "app_ios"),
        ("opt_out", true), ("opt_out", "no"), ("unknown", 1), ("device_info", ["form_factor": "phone"]),
        ("device_info", ["battery_level": 50, "languages": ["en", "fr"]]), ("device_info.battery_level", 101),
        ("app_info.app_name", .string(String(repeating: "é", count: 201))), ("app_info.app_name", "Shop 🙂"),
        ("language", "en"), ("partner_name", .null), ("wifi", .null), ("event_source_url", .null),
    ]
}
