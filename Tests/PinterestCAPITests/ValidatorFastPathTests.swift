@testable import PinterestCAPI
import TagdJSON
import Testing

/// `validateEvent` first asks the allocation-free `conforms`, and explains with `check` only when it
/// says no: the two must agree on every event, or a broken event would pass.
@Suite struct ValidatorFastPathTests {
    let validator = ConversionEventValidator.pinterest

    func fullCheckPasses(_ value: JSONValue, _ node: SchemaNode) -> Bool {
        var violations: [ContractViolation] = []
        validator.check(value, against: node, at: "", into: &violations)
        return violations.isEmpty
    }

    var events: [JSONValue] {
        let base = validEvent()
        let variations: [(String, JSONValue?)] = [
            ("custom_data.value", 12.5), ("custom_data.value", "12.5"), ("custom_data.value", .null),
            ("event_time", "1700000000"), ("event_time", 1.5), ("event_time", .double(1_700_000_000)),
            ("event_time", .double(1e19)), ("opt_out", "no"), ("opt_out", false), ("event_id", .null), ("event_id", nil),
            ("event_name", nil), ("event_name", "not_an_event"), ("foo", 1), ("custom_data.foo", 1),
            ("custom_data.contents", [["id": "a", "colour": "red"]]), ("custom_data.contents", [["id": "a", "quantity": 2]]),
            ("user_data.extra", "x"), ("user_data", [:]), ("user_data", ["client_ip_address": "203.0.113.9"]),
            ("user_data", ["client_ip_address": "203.0.113.9", "client_user_agent": "UA"]),
            ("user_data", ["hashed_maids": [.string(sampleHash)]]), ("user_data", "x"), ("user_data", ["em": .string(sampleHash)]),
            ("user_data", ["ph": ["0612345678"]]), ("user_data.em", ["jane@example.com"]),
            ("user_data.em", [.string(sampleHash.uppercased())]), ("user_data.em", [.string(String(sampleHash.dropLast()))]),
            ("user_data.em", [.string(sampleHash), 7]), ("user_data.em", []), ("user_data.fn", ["Jane"]),
            ("device_info.form_factor", "phone"), ("device_info.form_factor", "cellphone"),
            ("app_info.app_name", .string(String(repeating: "é", count: 200))),
            ("app_info.app_name", .string(String(repeating: "é", count: 201))),
            ("app_info.app_name", .string(String(repeating: "a", count: 201))),
            ("device_info.battery_level", 101), ("device_info.battery_level", -1), ("device_info.battery_level", 0),
            ("device_info.battery_level", 50.5), ("custom_data.content_ids", ["a", 7]),
            ("device_info.languages", .array(Array(repeating: "en", count: 101))), ("device_info", .null), ("device_info", [:]),
        ]
        return [base] + variations.map { setting(base, $0.0, to: $0.1) } + [.null, "x", [], [:]]
    }

    @Test func conformsAgreesWithTheFullCheck() {
        for event in events {
            #expect(validator.conforms(event, to: validator.eventSchema) == fullCheckPasses(event, validator.eventSchema), "\(event.encodedString())")
            #expect(validator.validateEvent(event).isEmpty == fullCheckPasses(event, validator.eventSchema))
        }
        let bodies: [JSONValue] = [["data": .array(Array(events.prefix(3)))], ["data": []], [:], ["data": [validEvent()], "extra": 1]]
        for body in bodies {
            #expect(validator.validateBody(body).isEmpty == fullCheckPasses(body, validator.schemaNode(.conversionEvents)))
        }
    }

    @Test func sha256CheckTakesExactlySixtyFourLowercaseHexCharacters() {
        #expect(ConversionEventValidator.isSHA256Hex(String(repeating: "0123456789abcdef", count: 4)))
        for bad in ["", String(repeating: "a", count: 63), String(repeating: "a", count: 65), String(repeating: "A", count: 64),
                    String(repeating: "g", count: 64), String(repeating: "a", count: 63) + "/", String(repeating: "a", count: 63) + ":",
                    String(repeating: "a", count: 63) + "`", String(repeating: "a", count: 62) + "é"]
        {
            #expect(!ConversionEventValidator.isSHA256Hex(bad), "\(bad)")
        }
    }
}

extension ConversionEventValidator {
    /// The compiled node of a named schema, for the test above.
    func schemaNode(_ schema: PinterestSchema) -> SchemaNode {
        do {
            var compiler = SchemaCompiler(document: try JSONValue.parse(EmbeddedSchema.openAPIDocument))
            return try compiler.compile(reference: schema.reference)
        } catch {
            preconditionFailure("\(error)")
        }
    }
}

/// `isSHA256Hex` tests eight bytes at a time: it must say what a byte-by-byte test says, for every byte value
/// at every position.
@Suite struct SHA256HexWordTests {
    static func reference(_ bytes: [UInt8]) -> Bool {
        bytes.count == 64 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    @Test func agreesWithAByteTestForEveryByteAtEveryPosition() {
        let base = Array(String(repeating: "0123456789abcdef", count: 4).utf8)
        for position in 0..<64 {
            for value in 0...255 {
                var bytes = base
                bytes[position] = UInt8(value)
                let got = bytes.withUnsafeBufferPointer(ConversionEventValidator.isSHA256Hex)
                #expect(got == Self.reference(bytes), "byte \(value) at \(position)")
            }
        }
        for count in [0, 1, 63, 65, 128] {
            let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: count)
            #expect(bytes.withUnsafeBufferPointer(ConversionEventValidator.isSHA256Hex) == false)
        }
    }
}
