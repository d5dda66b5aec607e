/// The named schemas of Pinterest's events endpoint that tagd checks values against.
public enum PinterestSchema: String, Sendable, CaseIterable {
    /// A request body: `{"data": [event, ...]}`.
    case conversionEvents = "ConversionEvents"
    /// The answer to 200 (and in practice 422): one result per event.
    case conversionApiResponse = "ConversionApiResponse"
    /// The 422 answer as the description documents it.
    case detailedError = "DetailedError"
    /// The answer to 400, 401, 403, 429, 503 and others: `{"code": ..., "message": ...}`.
    case error = "Error"

    var reference: String { "#/components/schemas/\(rawValue)" }
}
