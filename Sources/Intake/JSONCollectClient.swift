import TagdJSON

/// `POST /collect`: JSON beacons that already are common event data (one object, or an array of objects for a
/// batch). Fields pass through untouched; only the request-derived fields are added.
public struct JSONCollectClient: Sendable {
    public static let path = "/collect"
    public static let allowedMethods = ["POST"]
    /// `text/plain` because `navigator.sendBeacon` with a string body sends it, and it avoids a CORS preflight.
    public static let acceptedMediaTypes: Set<String> = ["application/json", "text/plain"]

    public var configuration: IntakeConfiguration

    public init(configuration: IntakeConfiguration = IntakeConfiguration()) {
        self.configuration = configuration
    }

    /// The events of `hit`, each an `.object` with a non-empty string `event_name`.
    public func events(from hit: IncomingHit, request: RequestInfo) throws(IntakeError) -> [JSONValue] {
        try events(from: hit, fields: RequestFields(request))
    }

    func events(from hit: IncomingHit, fields requestFields: RequestFields) throws(IntakeError) -> [JSONValue] {
        guard hit.method == "POST" else { throw .methodNotAllowed(hit.method) }
        guard hit.body.count <= configuration.bodyLimit else { throw .bodyTooLarge(limit: configuration.bodyLimit) }
        let contentType = hit.header("content-type")
        if let mediaType = MediaType.essence(of: contentType), !Self.acceptedMediaTypes.contains(mediaType) {
            throw .unsupportedMediaType(contentType ?? mediaType)
        }
        guard hit.body.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            throw .malformed("request body is empty; send a JSON object or an array of objects")
        }

        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONValue.parse(hit.body)
        } catch {
            throw .malformed(error.description)
        }

        switch document {
        case .object(let fields):
            return [try event(fields, label: "the event", requestFields: requestFields)]
        case .array(let elements):
            guard !elements.isEmpty else { throw .malformed("the array of events is empty") }
            var events: [JSONValue] = []
            events.reserveCapacity(elements.count)
            for (offset, element) in elements.enumerated() {
                guard case .object(let fields) = element else {
                    throw .malformed("element \(offset) of the array is \(article(element.typeName)), not an object")
                }
                events.append(try event(fields, label: "element \(offset) of the array", requestFields: requestFields))
            }
            return events
        default:
            throw .malformed("the body is \(article(document.typeName)); send a JSON object or an array of objects")
        }
    }

    private func event(_ fields: [String: JSONValue], label: String, requestFields: RequestFields) throws(IntakeError) -> JSONValue {
        switch fields["event_name"] {
        case .string(let name) where !name.isEmpty:
            break
        case nil:
            throw .malformed("\(label) has no event_name")
        case .string:
            throw .malformed("\(label) has an empty event_name")
        case let other?:
            throw .malformed("\(label) has an event_name that is \(article(other.typeName)), not a string")
        }
        var fields = fields
        requestFields.fill(&fields)
        return .object(fields)
    }

    private func article(_ typeName: String) -> String {
        (typeName.first.map { "aeiou".contains($0) } ?? false) ? "an \(typeName)" : "a \(typeName)"
    }
}
