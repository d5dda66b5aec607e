import Intake
import Testing
import TagdJSON

/// Builders shared by the intake tests, so each test states only what it is about.
enum Fixture {
    static let browserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
    static let clientAddress = "203.0.113.9"

    /// A GET of `path`.
    static func hit(
        _ path: String,
        query: String = "",
        headers: [(name: String, value: String)] = [("User-Agent", browserAgent)],
        peer: String? = clientAddress
    ) -> IncomingHit {
        hit("GET", path, query: query, headers: headers, peer: peer)
    }

    static func hit(
        _ method: String,
        _ path: String,
        query: String = "",
        body: String = "",
        headers: [(name: String, value: String)] = [("User-Agent", browserAgent)],
        peer: String? = clientAddress
    ) -> IncomingHit {
        IncomingHit(method: method, path: path, query: query, headers: headers, body: Array(body.utf8), peerAddress: peer)
    }

    static func jsonHit(_ body: String, contentType: String? = "application/json", method: String = "POST") -> IncomingHit {
        var headers: [(name: String, value: String)] = [("User-Agent", browserAgent)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return hit(method, "/collect", body: body, headers: headers)
    }

    /// Runs the common entry and insists that the path was served.
    static func process(_ hit: IncomingHit, _ configuration: IntakeConfiguration = IntakeConfiguration()) throws -> IntakeResult {
        try #require(try IntakeClients(configuration: configuration).process(hit))
    }

    static func events(_ hit: IncomingHit, _ configuration: IntakeConfiguration = IntakeConfiguration()) throws -> [[String: JSONValue]] {
        try process(hit, configuration).events.map { try #require($0.objectValue) }
    }

    /// The error the entry throws for `hit`, or nil when it accepts the hit.
    static func error(_ hit: IncomingHit, _ configuration: IntakeConfiguration = IntakeConfiguration()) -> IntakeError? {
        do {
            _ = try IntakeClients(configuration: configuration).process(hit)
            return nil
        } catch {
            return error
        }
    }
}
