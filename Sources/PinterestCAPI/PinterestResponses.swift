import TagdJSON

/// Pinterest's per-event answer (`ConversionApiResponse`), read after the body passed its schema.
struct ConversionAPIResult: Sendable {
    struct EventResult: Sendable {
        let processed: Bool
        let errorMessage: String?
        let warningMessage: String?
    }

    let events: [EventResult]

    init?(_ body: JSONValue, validator: ConversionEventValidator) {
        guard validator.validate(body, against: .conversionApiResponse).isEmpty,
            let events = body["events"]?.arrayValue
        else { return nil }
        self.events = events.map { event in
            EventResult(
                processed: event["status"]?.stringValue == "processed",
                errorMessage: event["error_message"]?.stringValue,
                warningMessage: event["warning_message"]?.stringValue)
        }
    }
}

/// Pinterest's `Error` (or `DetailedError`) answer: a numeric code and a message.
struct PinterestErrorBody: Sendable {
    let code: Int64
    let message: String

    init?(_ body: JSONValue, validator: ConversionEventValidator) {
        guard validator.validate(body, against: .error).isEmpty,
            case .int(let code)? = body["code"], let message = body["message"]?.stringValue
        else { return nil }
        self.code = code
        self.message = message
    }
}
