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
        try flatEvents(from: hit, fields: RequestFields(request)).map(\.jsonValue)
    }

    /// The events in flat form, as the tags receive them: the body is parsed straight into it.
    func flatEvents(from hit: IncomingHit, fields: RequestFields) throws(IntakeError) -> [FlatJSON] {
        guard hit.method == "POST" else { throw .methodNotAllowed(hit.method) }
        guard hit.body.count <= configuration.bodyLimit else { throw .bodyTooLarge(limit: configuration.bodyLimit) }
        let contentType = hit.header("content-type")
        if MediaType.essence(of: contentType, isOneOf: Self.acceptedMediaTypes) == false, let contentType {
            throw .unsupportedMediaType(contentType)
        }
        guard hit.body.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            throw .malformed("request body is empty; send a JSON object or an array of objects")
        }

        var document: FlatJSON
        do throws(JSONParseError) {
            document = try FlatJSON.parse(hit.body)
        } catch {
            throw .malformed(error.description)
        }

        let kind = document.withRoot(\.kind) ?? .null
        switch kind {
        case .object:
            try document.withRoot { root throws(IntakeError) in try checkEventName(root, label: "the event") }
            fields.fill(&document)
            return [document]
        case .array:
            // The elements' node indices first, then each one checked and copied out as a document of its own.
            let elements: [(index: Int, kind: JSONKind)] = document.withRoot { root in
                var elements: [(index: Int, kind: JSONKind)] = []
                elements.reserveCapacity(root.itemCount)
                _ = root.allElements { elements.append(($0.index, $0.kind)); return true }
                return elements
            } ?? []
            guard !elements.isEmpty else { throw .malformed("the array of events is empty") }
            var events: [FlatJSON] = []
            events.reserveCapacity(elements.count)
            for (offset, element) in elements.enumerated() {
                guard element.kind == .object else {
                    throw .malformed("element \(offset) of the array is \(article(element.kind.name)), not an object")
                }
                var event = document.document(at: element.index)
                try event.withRoot { root throws(IntakeError) in
                    try checkEventName(root, label: "element \(offset) of the array")
                }
                fields.fill(&event)
                events.append(event)
            }
            return events
        default:
            throw .malformed("the body is \(article(kind.name)); send a JSON object or an array of objects")
        }
    }

    private func checkEventName(_ event: FlatJSON.Value, label: String) throws(IntakeError) {
        guard let name = event.member("event_name") else { throw .malformed("\(label) has no event_name") }
        switch name.kind {
        case .string where name.withUTF8({ !$0.isEmpty }) == true:
            return
        case .string:
            throw .malformed("\(label) has an empty event_name")
        default:
            throw .malformed("\(label) has an event_name that is \(article(name.kind.name)), not a string")
        }
    }

    private func article(_ typeName: String) -> String {
        (typeName.first.map { "aeiou".contains($0) } ?? false) ? "an \(typeName)" : "a \(typeName)"
    }
}
