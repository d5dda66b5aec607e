import Foundation
import PinterestCAPI
import TagdJSON
import Testing

@Suite struct ValidatorTests {
    let validator = ConversionEventValidator.pinterest

    func messages(_ event: JSONValue) -> [String] {
        validator.validateEvent(event).map(\.description)
    }

    // MARK: The schema itself

    @Test func embeddedSchemaIsTheJSONFileBesideIt() throws {
        let schemaDirectory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/PinterestCAPI/Schema")
        let onDisk = try JSONValue.parse(Array(try Data(contentsOf: schemaDirectory.appendingPathComponent("events-create.openapi.json"))))
        // The generated Swift file holds the JSON between its raw-string delimiters.
        let swiftSource = try String(contentsOf: schemaDirectory.appendingPathComponent("EmbeddedSchema.swift"), encoding: .utf8)
        let opening = try #require(swiftSource.range(of: "####\"\"\"\n"))
        let closing = try #require(swiftSource.range(of: "\n\"\"\"####", options: .backwards))
        let embedded = try JSONValue.parse(String(swiftSource[opening.upperBound..<closing.lowerBound]))
        #expect(embedded == onDisk, "run scripts/embed-schema.sh after changing events-create.openapi.json")
        #expect(validator.unsupportedKeywords.isEmpty, "schema uses keywords the validator ignores: \(validator.unsupportedKeywords)")
    }

    @Test func hashedFieldsAreReadFromTheSchemaDescriptions() {
        #expect(
            validator.hashedUserDataFields
                == ["country", "ct", "db", "em", "external_id", "fn", "ge", "hashed_maids", "ln", "ph", "st", "zp"])
    }

    @Test func keywordsOutsideTheSupportedSubsetAreReported() throws {
        let document: JSONValue = [
            "components": [
                "schemas": [
                    "ConversionEvents": ["type": "object", "properties": ["data": ["type": "array", "items": ["type": "object", "pattern": "x"]]]],
                    "ConversionApiResponse": ["type": "object"],
                    "DetailedError": ["type": "object", "oneOf": []],
                    "Error": ["type": "object"],
                ]
            ]
        ]
        let custom = try ConversionEventValidator(openAPIDocument: document)
        #expect(custom.unsupportedKeywords.contains { $0.hasSuffix(": pattern") })
        #expect(custom.unsupportedKeywords.contains { $0.hasSuffix(": oneOf") })
    }

    @Test func danglingOrCyclicReferencesAreRefused() {
        let dangling: JSONValue = ["components": ["schemas": ["ConversionEvents": ["$ref": "#/components/schemas/Nope"]]]]
        #expect(throws: SchemaError.self) { try ConversionEventValidator(openAPIDocument: dangling) }
        let cyclic: JSONValue = [
            "components": ["schemas": ["ConversionEvents": ["$ref": "#/components/schemas/A"], "A": ["$ref": "#/components/schemas/ConversionEvents"]]]
        ]
        #expect(throws: SchemaError.self) { try ConversionEventValidator(openAPIDocument: cyclic) }
    }

    // MARK: Valid events

    @Test func minimalEventIsValid() {
        #expect(messages(validEvent()).isEmpty)
    }

    @Test func richEventIsValid() {
        var event = validEvent()
        event = setting(event, "custom_data", to: [
            "currency": "EUR", "value": "12.50", "num_items": 2, "content_ids": ["sku-1"], "order_id": nil,
            "contents": [["id": "sku-1", "item_price": "6.25", "quantity": 2]],
        ])
        event = setting(event, "device_info", to: ["form_factor": "cellphone", "battery_level": 100, "languages": ["en"]])
        event = setting(event, "app_info", to: ["app_name": "Shop", "window_width": 1280])
        event = setting(event, "user_data", to: [
            "em": [.string(sampleHash)], "ph": [.string(sampleHash)], "client_ip_address": "203.0.113.9",
            "client_user_agent": "Mozilla/5.0", "click_id": "dj0yJnU9", "partner_id": nil,
        ])
        event = setting(event, "event_source_url", to: "https://shop.example/checkout")
        event = setting(event, "opt_out", to: false)
        #expect(messages(event).isEmpty)
    }

    @Test func integralDoubleCountsAsIntegerBecauseItIsWrittenWithoutFraction() {
        #expect(messages(setting(validEvent(), "event_time", to: .double(1_700_000_000))).isEmpty)
        #expect(JSONValue.double(1_700_000_000).encodedString() == "1700000000")
    }

    // MARK: One rule at a time

    @Test func wrongTypeNamesBothTypes() {
        #expect(messages(setting(validEvent(), "custom_data.value", to: 12.5)) == ["custom_data.value: expected string, got number"])
        #expect(messages(setting(validEvent(), "event_time", to: "1700000000")) == ["event_time: expected integer, got string"])
        #expect(messages(setting(validEvent(), "event_time", to: 1.5)) == ["event_time: expected integer, got number"])
        #expect(messages(setting(validEvent(), "opt_out", to: "no")) == ["opt_out: expected boolean, got string"])
    }

    @Test func nullIsAllowedOnlyWhereNullable() {
        #expect(messages(setting(validEvent(), "custom_data.value", to: .null)).isEmpty)
        #expect(messages(setting(validEvent(), "event_id", to: .null)) == ["event_id: expected string, got null"])
    }

    @Test func missingRequiredFieldIsNamed() {
        #expect(messages(setting(validEvent(), "event_id", to: nil)) == ["event_id: required field missing"])
        #expect(Set(messages(setting(setting(validEvent(), "event_name", to: nil), "action_source", to: nil)))
            == ["event_name: required field missing", "action_source: required field missing"])
    }

    @Test func unknownFieldsAreRefusedWhereTheSchemaClosesTheObject() {
        #expect(messages(setting(validEvent(), "foo", to: 1)) == ["unknown field 'foo'"])
        #expect(messages(setting(validEvent(), "custom_data.foo", to: 1)) == ["custom_data: unknown field 'foo'"])
        #expect(messages(setting(validEvent(), "custom_data.contents", to: [["id": "a", "colour": "red"]]))
            == ["custom_data.contents[0]: unknown field 'colour'"])
        // ConversionEventsUserData does not close itself, so an extra user_data field passes.
        #expect(messages(setting(validEvent(), "user_data.extra", to: "x")).isEmpty)
    }

    @Test func userDataNeedsOneOfTheIdentifyingAlternatives() {
        let needs = "user_data: needs em, or hashed_maids, or client_ip_address and client_user_agent"
        #expect(messages(setting(validEvent(), "user_data", to: [:])) == [needs])
        #expect(messages(setting(validEvent(), "user_data", to: ["client_ip_address": "203.0.113.9"])) == [needs])
        #expect(messages(setting(validEvent(), "user_data", to: ["client_ip_address": "203.0.113.9", "client_user_agent": "UA"])).isEmpty)
        #expect(messages(setting(validEvent(), "user_data", to: ["hashed_maids": [.string(sampleHash)]])).isEmpty)
        #expect(messages(setting(validEvent(), "user_data", to: "x")) == ["user_data: expected object, got string"])
    }

    @Test func anyOfReportsTheFaultOfTheAlternativeThatWasMeant() {
        // em is there (so the em alternative was meant) but is not an array.
        #expect(messages(setting(validEvent(), "user_data", to: ["em": .string(sampleHash)])) == ["user_data.em: expected array, got string"])
        // No alternative's fields are present and ph is malformed: both are said.
        #expect(messages(setting(validEvent(), "user_data", to: ["ph": ["0612345678"]]))
            == ["user_data: needs em, or hashed_maids, or client_ip_address and client_user_agent",
                "user_data.ph[0]: \(ConversionEventValidatorMessages.notAHash)"])
    }

    @Test func hashedFieldsMustHoldSHA256HexAndThePlainValueIsNotEchoed() {
        let found = messages(setting(validEvent(), "user_data.em", to: ["jane@example.com"]))
        #expect(found == ["user_data.em[0]: \(ConversionEventValidatorMessages.notAHash)"])
        #expect(!found.joined().contains("jane"))
        #expect(found.joined().contains("hash"))
        #expect(messages(setting(validEvent(), "user_data.em", to: [.string(sampleHash.uppercased())])).count == 1)
        #expect(messages(setting(validEvent(), "user_data.em", to: [.string(String(sampleHash.dropLast()))])).count == 1)
        #expect(messages(setting(setting(validEvent(), "user_data.fn", to: ["Jane"]), "user_data.zp", to: [.string(sampleHash)]))
            == ["user_data.fn[0]: \(ConversionEventValidatorMessages.notAHash)"])
    }

    @Test func enumValuesAreChecked() {
        let found = messages(setting(validEvent(), "device_info.form_factor", to: "phone"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("device_info.form_factor: expected one of desktop, laptop, cellphone") == true)
        #expect(found.first?.hasSuffix("got 'phone'") == true)
    }

    @Test func maxLengthCountsCharacters() {
        #expect(messages(setting(validEvent(), "app_info.app_name", to: .string(String(repeating: "é", count: 200)))).isEmpty)
        #expect(messages(setting(validEvent(), "app_info.app_name", to: .string(String(repeating: "é", count: 201))))
            == ["app_info.app_name: longer than 200 characters (201)"])
    }

    @Test func minimumAndMaximumAreChecked() {
        #expect(messages(setting(validEvent(), "device_info.battery_level", to: 101)) == ["device_info.battery_level: must be at most 100, got 101"])
        #expect(messages(setting(validEvent(), "device_info.battery_level", to: -1)) == ["device_info.battery_level: must be at least 0, got -1"])
        #expect(messages(setting(validEvent(), "device_info.battery_level", to: 0)).isEmpty)
    }

    @Test func arrayItemsAreChecked() {
        #expect(messages(setting(validEvent(), "custom_data.content_ids", to: ["a", 7])) == ["custom_data.content_ids[1]: expected string, got integer"])
        #expect(messages(setting(validEvent(), "device_info.languages", to: .array(Array(repeating: "en", count: 101))))
            == ["device_info.languages: allows at most 100 items, got 101"])
    }

    // MARK: Whole bodies and answers

    @Test func bodyNeedsOneToAThousandEvents() {
        #expect(validator.validateBody(["data": .array(Array(repeating: validEvent(), count: 1000))]).isEmpty)
        #expect(validator.validateBody(["data": []]).map(\.description) == ["data: needs at least 1 item, got 0"])
        #expect(validator.validateBody(["data": .array(Array(repeating: validEvent(), count: 1001))]).map(\.description)
            == ["data: allows at most 1000 items, got 1001"])
        #expect(validator.validateBody([:]).map(\.description) == ["data: required field missing"])
        #expect(validator.validateBody(["data": [validEvent()], "extra": 1]).map(\.description) == ["unknown field 'extra'"])
    }

    @Test func bodyPathsLeadToTheEvent() {
        let body: JSONValue = ["data": [validEvent(), setting(validEvent(), "custom_data.value", to: 3)]]
        #expect(validator.validateBody(body).map(\.description) == ["data[1].custom_data.value: expected string, got integer"])
    }

    @Test func answerShapesAreChecked() {
        let good: JSONValue = ["num_events_received": 1, "num_events_processed": 1, "events": [["status": "processed", "error_message": nil]]]
        #expect(validator.validate(good, against: .conversionApiResponse).isEmpty)
        let badStatus = setting(good, "events", to: [["status": "lost"]])
        #expect(validator.validate(badStatus, against: .conversionApiResponse).count == 1)
        #expect(validator.validate(["code": 2, "message": "Authentication failed."], against: .error).isEmpty)
        #expect(validator.validate(["message": "x"], against: .error).map(\.description) == ["code: required field missing"])
        #expect(validator.validate(["code": 1, "message": "m", "details": [:]], against: .detailedError).isEmpty)
    }
}

/// The wording of the hash rule, kept in one place for the assertions above.
enum ConversionEventValidatorMessages {
    static let notAHash =
        "expected a SHA-256 hash (64 lowercase hex characters): Pinterest wants this field hashed, never in plain text"
}
