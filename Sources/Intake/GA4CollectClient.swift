import TagdJSON

/// `GET` / `POST /g/collect`: hits from gtag.js (GA4 measurement protocol v2).
///
/// The query string holds parameters shared by the batch (`v`, `tid`, `cid`, page fields...). A POST body holds
/// one event per line, each line's parameters laid over the query's; without a body the query alone is one event.
public struct GA4CollectClient: Sendable {
    public static let path = "/g/collect"
    public static let allowedMethods = ["GET", "POST"]

    public var configuration: IntakeConfiguration

    public init(configuration: IntakeConfiguration = IntakeConfiguration()) {
        self.configuration = configuration
    }

    public func events(from hit: IncomingHit, request: RequestInfo) throws(IntakeError) -> [JSONValue] {
        try flatEvents(from: hit, query: FormParameters(parsing: hit.query), fields: RequestFields(request)).map(\.jsonValue)
    }

    /// The events in flat form, as the tags receive them. Takes the query already parsed, so the common entry
    /// parses it once for both this and `RequestInfo`.
    func flatEvents(from hit: IncomingHit, query: FormParameters, fields: RequestFields) throws(IntakeError) -> [FlatJSON] {
        guard Self.allowedMethods.contains(hit.method) else { throw .methodNotAllowed(hit.method) }
        guard hit.body.count <= configuration.bodyLimit else { throw .bodyTooLarge(limit: configuration.bodyLimit) }
        if let parameter = query.firstInvalidEscape {
            throw .malformed("the query string: invalid percent-encoding in parameter \"\(parameter)\"")
        }

        var events: [FlatJSON] = []
        if hit.method == "POST" {
            var lineNumber = 0
            for line in hit.body.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                let content = line.last == 0x0D ? line.dropLast() : line
                guard !content.isEmpty else { continue }
                let location = "line \(lineNumber) of the /g/collect body"
                let lineParameters = FormParameters(parsing: content)
                if let parameter = lineParameters.firstInvalidEscape {
                    throw .malformed("\(location): invalid percent-encoding in parameter \"\(parameter)\"")
                }
                guard events.count < IntakeClients.maxEventsPerHit else {
                    throw .malformed("the /g/collect body holds more than \(IntakeClients.maxEventsPerHit) events")
                }
                events.append(try GA4EventMapper.event(from: query.overlaid(with: lineParameters), location: location, fields: fields))
            }
        }
        if events.isEmpty {
            events.append(try GA4EventMapper.event(from: query, location: "the query string", fields: fields))
        }
        return events
    }
}
