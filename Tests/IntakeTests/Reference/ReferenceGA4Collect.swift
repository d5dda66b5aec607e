import TagdJSON

@testable import Intake

/// The GA4 intake as it was before events were built flat: the query and each body line mapped to a dictionary
/// tree by `ReferenceGA4EventMapper`, the request's fields added to the tree, then converted with
/// `FlatJSON.init(_:)`. The oracle of `GA4DifferentialTests`.
enum ReferenceGA4Collect {
    static func events(from hit: IncomingHit, configuration: IntakeConfiguration = IntakeConfiguration()) throws(IntakeError) -> [FlatJSON] {
        let query = FormParameters(parsing: hit.query)
        let fields = RequestFields(hit: hit, trustedProxies: configuration.trustedProxies)
        guard GA4CollectClient.allowedMethods.contains(hit.method) else { throw .methodNotAllowed(hit.method) }
        guard hit.body.count <= configuration.bodyLimit else { throw .bodyTooLarge(limit: configuration.bodyLimit) }
        if let parameter = query.firstInvalidEscape {
            throw .malformed("the query string: invalid percent-encoding in parameter \"\(parameter)\"")
        }

        var events: [JSONValue] = []
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
                events.append(try event(from: query.overlaid(with: lineParameters), location: location, fields: fields))
            }
        }
        if events.isEmpty {
            events.append(try event(from: query, location: "the query string", fields: fields))
        }
        return events.map(FlatJSON.init)
    }

    private static func event(from parameters: FormParameters, location: String, fields requestFields: RequestFields) throws(IntakeError) -> JSONValue {
        var event = try ReferenceGA4EventMapper.event(from: parameters, location: location)
        if let ip = requestFields.clientIP, event["ip_override"] == nil || event["ip_override"] == .null {
            event["ip_override"] = .string(ip)
        }
        if let agent = requestFields.userAgent, event["user_agent"] == nil || event["user_agent"] == .null {
            event["user_agent"] = .string(agent)
        }
        return .object(event)
    }
}
