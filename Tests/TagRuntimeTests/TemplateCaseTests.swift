import Foundation
import Logging
import TagRuntime
import TagdJSON
import Testing
import UserDataHashing

/// Runs every case of `Fixtures/template-cases` through the real runtime and the repository's
/// `templates/pinterest_capi.lua`: what the template sends (user data hashed natively), its outcome,
/// and the cookies it sets.
@Suite struct TemplateCaseTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var caseFiles: [String] {
        let folder = fixtures.appendingPathComponent("template-cases").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    static func template() throws -> TagFile {
        let path = repository.appendingPathComponent("templates/pinterest_capi.lua").path
        return TagFile(path: "templates/pinterest_capi.lua", source: try String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func everyFixtureIsPresent() {
        #expect(Self.caseFiles.count >= 40)
    }

    @Test(arguments: caseFiles)
    func templateCase(_ file: String) async throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("template-cases").appendingPathComponent(file))
        let testCase = try JSONValue.parse(Array(data))
        let params = try #require(testCase["params"])
        let now = try #require(testCase["now"]?.numberValue)
        let tag = TagFile(
            path: "tags/case.lua",
            source: "return require(\"pinterest_capi\").tag(json.decode([==[\(params.encodedString())]==]))")
        let delivery = RecordingDelivery()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let engine = try TagEngine(
            bundle: TagBundle(tags: [tag], templates: [try Self.template()]),
            services: RuntimeServices(delivery: delivery, now: { now }, logger: logger, vmCount: 1))
        #expect(engine.statuses.first?.error == nil, "\(file): \(engine.statuses.first?.error ?? "")")

        let result = await engine.process(event: testCase["event"] ?? [:], request: testCase["request"] ?? [:])
        let run = try #require(result.tagRuns.first)
        let expect = try #require(testCase["expect"])
        #expect(run.error == nil, "\(file): \(run.error ?? "")")
        #expect(run.fired == (expect["fires"]?.boolValue ?? false), "\(file)")
        if let outcome = expect["outcome"], !outcome.isNull {
            #expect(run.outcome == outcome.stringValue, "\(file)")
        }

        // What Pinterest would receive: the template's event with user data hashed by the native rules.
        let hasher = UserDataHasher(normalizer: UserDataNormalizer(today: { (2026, 1, 1) }))
        let expectedSent = expect["sent"]?.arrayValue ?? []
        #expect(delivery.recorded.count == expectedSent.count, "\(file)")
        for (record, expected) in zip(delivery.recorded, expectedSent) {
            #expect(record.destination.adAccountID == expected["config"]?["ad_account_id"]?.stringValue, "\(file)")
            #expect(record.destination.testMode == (expected["config"]?["test"]?.boolValue ?? false), "\(file)")
            guard case .object(var event)? = expected["event"] else {
                Issue.record("\(file): expected event is not an object")
                continue
            }
            if case .object(let userData)? = event["user_data"] {
                event["user_data"] = .object(try hasher.hash(userData))
            }
            #expect(record.event == .object(event), "\(file)\n got:  \(record.event.encodedString())\n want: \(JSONValue.object(event).encodedString())")
        }

        let expectedCookies = expect["cookies"]?.arrayValue ?? []
        #expect(result.cookies.count == expectedCookies.count, "\(file)")
        for (cookie, expected) in zip(result.cookies, expectedCookies) {
            #expect(cookie.name == expected["name"]?.stringValue)
            #expect(cookie.value == expected["value"]?.stringValue)
            #expect(cookie.maxAge == expected["max_age"]?.numberValue.map { Int($0) })
            #expect(cookie.path == expected["path"]?.stringValue)
            #expect(cookie.domain == expected["domain"]?.stringValue)
            #expect(cookie.secure == (expected["secure"]?.boolValue ?? false))
            #expect(cookie.httpOnly == (expected["http_only"]?.boolValue ?? false))
            #expect(cookie.sameSite == expected["same_site"]?.stringValue)
        }
    }

    /// The template's GA4 -> Pinterest tables are the ones used in the field.
    @Test func eventNameTablesMatchTheSharedMappings() async throws {
        let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("ga4-event-name-mappings.json"))
        let shared = try JSONValue.parse(Array(data))
        let tag = TagFile(path: "tags/tables.lua", source: #"""
            local pinterest = require "pinterest_capi"
            local function copy(t)
              local r = {}
              for k, v in pairs(t) do r[k] = type(v) == "table" and copy(v) or v end
              return r
            end
            return { trigger = { events = { "*" } }, fire = function() return json.encode(copy(pinterest.event_name_tables)) end }
            """#)
        let engine = try TagEngine(
            bundle: TagBundle(tags: [tag], templates: [try Self.template()]),
            services: RuntimeServices(delivery: RecordingDelivery(), vmCount: 1))
        let outcome = try #require(await engine.process(event: ["event_name": "x"]).tagRuns.first?.outcome)
        let tables = try JSONValue.parse(outcome)
        let sources: [(String, String)] = [
            ("stape", "stape-io/pinterest-capi-tag"), ("stape_legacy", "stape-io/pinterest-tag@"), ("pinterest", "pinterest/ss-gtm-template"),
        ]
        for (table, prefix) in sources {
            let source = try #require(shared.objectValue?.first { $0.key.hasPrefix(prefix) }?.value["map"]?.objectValue)
            let ours = try #require(tables[table]?["map"]?.objectValue, "table \(table) missing")
            for (ga4, pinterest) in source {
                let ourValue = ours[ga4] ?? ours[ga4.lowercased()]
                #expect(ourValue == pinterest, "\(table): \(ga4)")
            }
        }
    }
}
