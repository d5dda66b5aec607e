import Foundation
import Intake
import Logging
import TagRuntime
import TagdJSON

/// Runs tag tests with no network: each test gets its own engine with the test's clock and environment,
/// and a delivery that checks events against Pinterest's contract and records them instead of sending.
public struct TagTestRunner: Sendable {
    public let bundle: TagBundle

    public init(bundle: TagBundle) {
        self.bundle = bundle
    }

    /// Reads `tags/`, `templates/` and the tests (`tests/*.json`) of a folder.
    public static func tests(in folder: String) throws -> [TagTestCase] {
        let testsFolder = folder + "/tests"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: testsFolder)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            let path = "tests/\(name)"
            let data = try Data(contentsOf: URL(fileURLWithPath: testsFolder + "/" + name))
            let json: JSONValue
            do throws(JSONParseError) {
                json = try JSONValue.parse(Array(data))
            } catch {
                throw TagTestFormatError(file: path, message: error.description)
            }
            return try TagTestCase(file: path, json: json)
        }
    }

    public func run(_ tests: [TagTestCase]) async -> TagTestReport {
        var results: [TagTestResult] = []
        for test in tests {
            results.append(await run(test))
        }
        return TagTestReport(results: results)
    }

    public func run(_ test: TagTestCase) async -> TagTestResult {
        var failures: [String] = []
        let delivery = RecordingDelivery()
        var logger = Logger(label: "tagd.test")
        logger.logLevel = .critical
        let now = test.now
        let engine: TagEngine
        do {
            engine = try TagEngine(
                bundle: bundle,
                services: RuntimeServices(
                    delivery: delivery, environment: test.environment, now: { now }, logger: logger, vmCount: 1))
        } catch {
            return TagTestResult(test: test, failures: ["the tags could not be loaded: \(error)"], logs: [])
        }
        for status in engine.statuses where !status.isLoaded {
            failures.append("tag not loaded: \(status.error ?? status.file)")
        }

        var fired: [String] = []
        var sent: [JSONValue] = []
        var cookies: [String] = []
        var logs: [String] = []
        for (index, hit) in test.hits.enumerated() {
            let inputs: [(event: JSONValue, request: JSONValue)]
            do {
                inputs = try Self.inputs(of: hit)
            } catch {
                failures.append("hits[\(index)]: \(error)")
                continue
            }
            for input in inputs {
                let result = await engine.process(event: input.event, request: input.request)
                for run in result.tagRuns {
                    if run.fired, !fired.contains(run.file) { fired.append(run.file) }
                    if let error = run.error { failures.append("hits[\(index)]: \(run.file) failed: \(error)") }
                    for line in run.logs { logs.append("\(run.file) log.\(line.level): \(line.message)") }
                    for conversion in run.conversions {
                        sent.append([
                            "tag": .string(run.file),
                            "ad_account_id": .string(conversion.adAccountID),
                            "test": .bool(conversion.testMode),
                            "token": .string(conversion.token),
                            "outcome": .string(conversion.outcome),
                            "event": conversion.event,
                        ])
                    }
                }
                cookies += result.cookies.map(\.headerValue)
            }
        }
        if let expected = test.expect["fired"] {
            let expectedSet = Set(expected.arrayValue?.compactMap(\.stringValue) ?? [])
            if expectedSet != Set(fired) {
                failures.append("fired: expected \(expectedSet.sorted()), got \(fired.sorted())")
            }
        }
        if let expected = test.expect["sent"]?.arrayValue {
            if expected.count != sent.count {
                failures.append("sent: expected \(expected.count) event\(expected.count == 1 ? "" : "s"), got \(sent.count)")
            }
            for (index, (want, got)) in zip(expected, sent).enumerated() {
                // `token` and `outcome` are checked only when the test states them.
                var got = got
                if case .object(var fields) = got {
                    for optional in ["token", "outcome"] where want[optional] == nil { fields[optional] = nil }
                    got = .object(fields)
                }
                failures += JSONDiff.differences(expected: want, actual: got, path: "sent[\(index)]")
            }
            if expected.count < sent.count {
                for extra in sent[expected.count...] {
                    failures.append("unexpected send: \(extra.encodedString())")
                }
            }
        }
        if let expected = test.expect["cookies"]?.arrayValue {
            let want = expected.compactMap(\.stringValue)
            if want != cookies { failures.append("cookies: expected \(want), got \(cookies)") }
        }
        return TagTestResult(test: test, failures: failures, logs: logs)
    }

    /// The events and request of one test hit: common event data as given, or a raw request through intake.
    static func inputs(of hit: JSONValue) throws -> [(event: JSONValue, request: JSONValue)] {
        if let event = hit["event"] {
            let request = hit["request"] ?? ["ip": "203.0.113.7", "user_agent": "tagd-test"]
            return [(event, request)]
        }
        let headers = (hit["headers"]?.objectValue ?? [:]).compactMap { key, value in
            value.stringValue.map { (name: key, value: $0) }
        }
        let peer = hit["ip"]?.stringValue ?? "203.0.113.7"
        let incoming: IncomingHit
        if let target = hit["ga4"]?.stringValue {
            let parts = target.split(separator: "?", maxSplits: 1)
            let body = hit["body"]?.stringValue ?? ""
            incoming = IncomingHit(
                method: hit["method"]?.stringValue ?? (body.isEmpty ? "GET" : "POST"),
                path: parts.first.map(String.init) ?? "/g/collect",
                query: parts.count > 1 ? String(parts[1]) : "",
                headers: headers, body: Array(body.utf8), peerAddress: peer)
        } else if let body = hit["collect"] {
            incoming = IncomingHit(
                method: "POST", path: "/collect", query: "",
                headers: headers + [(name: "content-type", value: "application/json")],
                body: body.encoded(), peerAddress: peer)
        } else {
            throw TagTestHitError(description: "a hit needs 'event', 'ga4' or 'collect'")
        }
        guard let result = try IntakeClients().process(incoming) else {
            throw TagTestHitError(description: "no intake client serves \(incoming.path)")
        }
        let request = result.request.asJSON()
        return result.events.map { ($0, request) }
    }
}

/// A test hit that cannot be turned into an event; reported under the hit's index.
struct TagTestHitError: Error, CustomStringConvertible {
    let description: String
}

public struct TagTestResult: Sendable {
    public let test: TagTestCase
    public let failures: [String]
    public let logs: [String]
    public var passed: Bool { failures.isEmpty }
}

public struct TagTestReport: Sendable {
    public let results: [TagTestResult]

    public init(results: [TagTestResult]) {
        self.results = results
    }

    public var passed: Int { results.filter(\.passed).count }
    public var failed: Int { results.count - passed }

    /// One line per test, the differences under each failure, and a closing `N passed, N failed`.
    public func render() -> String {
        var lines: [String] = []
        for result in results {
            lines.append("\(result.passed ? "PASS" : "FAIL")  \(result.test.file): \(result.test.name)")
            if !result.passed {
                for failure in result.failures { lines.append("      \(failure)") }
                for log in result.logs { lines.append("      \(log)") }
            }
        }
        lines.append("\(passed) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }
}
