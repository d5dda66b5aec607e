import Foundation
import Testing

/// The `tagd` commands people run by hand or in their CI, run as the built binary.
@Suite struct CommandLineTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `swift build --build-tests` (what `make test` runs) puts `tagd` beside the test bundle.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("tagd")
    }

    struct Outcome {
        let status: Int32
        let output: String
    }

    func tagd(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> Outcome {
        let binary = Self.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "tagd not built at \(binary.path): run `make test`")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    func scratchFolder(_ files: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-cli-\(UUID().uuidString)")
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    @Test func checkAcceptsTheExampleTags() throws {
        let outcome = try tagd(["check", Self.repository.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("ok     tags/shop_pinterest.lua (Shop: Pinterest)"))
        #expect(outcome.output.contains("all tags and templates are valid"))
    }

    @Test func checkReportsFileLineAndFails() throws {
        let folder = try scratchFolder([
            "tags/good.lua": "return { trigger = { events = { '*' } }, fire = function() end }",
            "tags/bad.lua": "return {\n  trigger = { events = { '*' } },\n  fire = function() retrun 1 end,\n}",
            "templates/broken.lua": "local x = = 1",
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try tagd(["check", folder.path])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("error  tags/bad.lua:3:"), "\(outcome.output)")
        #expect(outcome.output.contains("error  templates/broken.lua:1:"), "\(outcome.output)")
        #expect(outcome.output.contains("ok     tags/good.lua"))
        #expect(outcome.output.contains("2 problems found"))
    }

    @Test func testRunsTheExampleTagTests() throws {
        let outcome = try tagd(["test", Self.repository.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("PASS  tests/shop_purchase.json"))
        #expect(outcome.output.contains("0 failed"))
    }

    @Test func testFailsWithADiff() throws {
        let folder = try scratchFolder([
            "tags/t.lua": "return { trigger = { events = { 'x' } }, fire = function() return 'fired' end }",
            "tests/t.json": #"{ "name": "expects a tag that never fires", "hits": [ { "event": { "event_name": "x" } } ], "expect": { "fired": [] } }"#,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let outcome = try tagd(["test", folder.path])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("FAIL  tests/t.json: expects a tag that never fires"))
        #expect(outcome.output.contains(#"fired: expected [], got ["tags/t.lua"]"#), "\(outcome.output)")
        #expect(outcome.output.contains("0 passed, 1 failed"))
    }

    @Test func runShowsWhatEachTagWouldSend() throws {
        let event = #"{"event_name":"purchase","event_id":"e-1","value":5,"currency":"USD","x-ga-gcs":"G111","ip_override":"203.0.113.7","user_agent":"UA","user_data":{"email_address":"A@B.example"}}"#
        let fromStdin = try tagd(["run", Self.repository.path], stdin: event)
        #expect(fromStdin.status == 0, "\(fromStdin.output)")
        #expect(fromStdin.output.contains("fired    tags/shop_pinterest.lua (Shop: Pinterest): dry_run"))
        #expect(fromStdin.output.contains(#""event_name":"checkout""#))
        #expect(fromStdin.output.contains(#""value":"5""#))

        let folder = try scratchFolder(["event.json": event])
        defer { try? FileManager.default.removeItem(at: folder) }
        let fromFile = try tagd(
            ["run", "--event", folder.appendingPathComponent("event.json").path, Self.repository.path],
            environment: ["PINTEREST_AD_ACCOUNT_ID": "549755885175", "PINTEREST_TOKEN": "t"])
        #expect(fromFile.output.contains("pinterest ad account 549755885175 (live): queued"), "\(fromFile.output)")
    }
}
