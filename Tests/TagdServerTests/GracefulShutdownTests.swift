import AsyncHTTPClient
import Foundation
import NIOCore
import PinterestTesting
import Testing

/// `tagd serve` as an operator runs it: configured by environment variables, stopped with SIGTERM.
@Suite struct GracefulShutdownTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("tagd")
    }

    /// Reads the server's log until a whole line contains `marker`; returns that line. A read can end inside a
    /// line, so the unfinished last line is never matched: it could hold a port number cut short.
    static func waitForLine(containing marker: String, in pipe: Pipe) async -> String? {
        await Task.detached {
            var text = ""
            while true {
                let data = pipe.fileHandleForReading.availableData
                if data.isEmpty { return nil }  // the process closed its output
                text += String(decoding: data, as: UTF8.self)
                let finished = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                if let line = finished.first(where: { $0.contains(marker) }) { return String(line) }
            }
        }.value
    }

    @Test func sigtermFinishesAndDeliversWhatIsQueued() async throws {
        try await withFakePinterest { fake in
            try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build tagd first: make test")
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-sigterm-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("tags"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: TagdHarness.repository.appendingPathComponent("templates"), to: folder.appendingPathComponent("templates"))
            try TagdHarness.pinterestTag(token: "env-token").write(
                to: folder.appendingPathComponent("tags/pinterest.lua"), atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: folder) }

            let process = Process()
            process.executableURL = Self.binary
            process.arguments = ["serve", "--port", "0"]
            process.currentDirectoryURL = folder
            process.environment = [
                "TAGD_PINTEREST_BASE_URL": fake.baseURL,
                "TAGD_BATCH_INTERVAL_MS": "600000",  // nothing is sent before shutdown
                "TAGD_WATCH_TAGS": "false",
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
            ]
            let log = Pipe()
            process.standardError = log
            process.standardOutput = log
            try process.run()
            let listening = await Self.waitForLine(containing: "tagd listening", in: log)
            let line = try #require(listening, "the server did not start")
            let port = try #require(line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) })

            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/collect")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"event_name":"purchase","event_id":"sig-1","user_data":{"email_address":"a@example.com"}}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 204)
            #expect(fake.requests.isEmpty)

            process.terminate()  // SIGTERM
            await Task.detached { process.waitUntilExit() }.value
            #expect(process.terminationStatus == 0)
            let events = fake.requests.flatMap(\.events)
            #expect(events.map { $0["event_id"]?.stringValue } == ["sig-1"])
            #expect(fake.requests.first?.headers["authorization"] == "Bearer env-token")
        }
    }
}
