import TagdJSON

/// Pinterest's per-event answer (`ConversionApiResponse`), read after the body passed its schema. Read from a
/// flat document: an answer holds one object per event sent (1,000 a batch), and a tree of them cost the
/// sender a dictionary per event.
struct ConversionAPIResult: Sendable {
    struct EventResult: Sendable {
        let processed: Bool
        let errorMessage: String?
        let warningMessage: String?
    }

    let events: [EventResult]

    init?(_ body: FlatJSON, validator: ConversionEventValidator) {
        let events = body.withRoot { root -> [EventResult]? in
            guard validator.conforms(root, to: .conversionApiResponse), let events = root.member("events") else {
                return nil
            }
            var results: [EventResult] = []
            results.reserveCapacity(events.itemCount)
            _ = events.allElements { event in
                results.append(
                    EventResult(
                        processed: event.member("status")?.withUTF8(Self.saysProcessed) == true,
                        errorMessage: event.member("error_message")?.stringText,
                        warningMessage: event.member("warning_message")?.stringText))
                return true
            }
            return results
        }
        guard let events = events ?? nil else { return nil }
        self.events = events
    }

    private static func saysProcessed(_ status: UnsafeBufferPointer<UInt8>) -> Bool {
        var processed = "processed"
        return processed.withUTF8 { UTF8Bytes.equal(status, $0) }
    }
}

/// Pinterest's `Error` (or `DetailedError`) answer: a numeric code and a message.
struct PinterestErrorBody: Sendable {
    let code: Int64
    let message: String

    init?(_ body: FlatJSON, validator: ConversionEventValidator) {
        let fields = body.withRoot { root -> (Int64, String)? in
            guard validator.conforms(root, to: .error), let code = root.member("code")?.intValue,
                let message = root.member("message")?.stringText
            else { return nil }
            return (code, message)
        }
        guard let (code, message) = fields ?? nil else { return nil }
        self.code = code
        self.message = message
    }
}
