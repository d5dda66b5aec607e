import Foundation
import Hummingbird
import HummingbirdTesting
import PinterestTesting
import TagdJSON
import TagdServer
import Testing

@Suite struct ReloadTests {
    static let adminToken = "admin-secret"

    @Test func adminEndpointsAreOffWithoutAToken() async throws {
        let tagd = try TagdHarness(tags: ["a.lua": ServerBehaviourTests.echoTag])
        try await tagd.run { client in
            let view = try await client.execute(uri: "/admin/tags", method: .get)
            #expect(view.status == .notFound)
            let reload = try await client.execute(uri: "/admin/reload", method: .post)
            #expect(reload.status == .notFound)
        }
    }

    @Test func adminViewAndReloadNeedTheToken() async throws {
        let tagd = try TagdHarness(tags: ["a.lua": ServerBehaviourTests.echoTag]) { $0.adminToken = Self.adminToken }
        try await tagd.run { client in
            let anonymous = try await client.execute(uri: "/admin/tags", method: .get)
            #expect(anonymous.status == .unauthorized)
            let wrong = try await client.execute(uri: "/admin/tags", method: .get, headers: [.authorization: "Bearer wrong"])
            #expect(wrong.status == .unauthorized)
            let auth: HTTPFields = [.authorization: "Bearer \(Self.adminToken)"]

            _ = try await client.post("/collect", json: #"{"event_name":"page_view"}"#)
            let view = try JSONValue.parse(Array(buffer: try await client.execute(uri: "/admin/tags", method: .get, headers: auth).body))
            let tag = try #require(view["files"]?.arrayValue?.first { $0["file"] == "tags/a.lua" })
            #expect(tag["live"] == true)
            #expect(tag["last_error"] == .null)
            #expect(tag["runs"]?["fired"]?.numberValue ?? 0 >= 1)
            #expect(tag["source_sha256"]?.stringValue?.count == 64)

            try tagd.writeTag("a.lua", "return {")
            let reload = try await client.execute(uri: "/admin/reload", method: .post, headers: auth)
            #expect(reload.status == .ok)
            let report = try JSONValue.parse(Array(buffer: reload.body))
            #expect(report["errors"]?.arrayValue?.first?["file"] == "tags/a.lua")
            // The last good version still answers.
            let hit = try await client.post("/collect", json: #"{"event_name":"page_view"}"#)
            #expect(hit.headers[.setCookie] == "seen=page_view; Path=/; Secure; SameSite=Lax")
        }
    }

    /// Hits flow without pause while the tag file is rewritten again and again, broken versions included:
    /// every hit is answered, and every event reaches Pinterest exactly once.
    @Test func reloadUnderLoadNeitherDropsNorDuplicates() async throws {
        try await withFakePinterest { fake in
            let versions = [
                TagdHarness.pinterestTag(extra: #"partner_name = "v1","#),
                "return { trigger = ",  // does not compile
                TagdHarness.pinterestTag(extra: #"partner_name = "v2","#),
                "error('throws at load')",
                "return 42",  // not a tag
            ]
            let tagd = try TagdHarness(
                tags: ["pinterest.lua": versions[0]], fake: fake, batchDelay: .milliseconds(50)
            ) { $0.adminToken = Self.adminToken }
            let senders = 4
            let hitsPerSender = 100
            let rewrites = 40
            try await tagd.run { client in
                try await withThrowingTaskGroup(of: [Int].self) { group in
                    for sender in 0..<senders {
                        group.addTask {
                            var statuses: [Int] = []
                            for index in 0..<hitsPerSender {
                                let id = "s\(sender)-\(index)"
                                let response = try await client.post(
                                    "/collect",
                                    json: #"{"event_name":"purchase","event_id":"\#(id)","value":1.5,"currency":"USD","user_data":{"email_address":"\#(id)@example.com"}}"#)
                                statuses.append(response.status.code)
                            }
                            return statuses
                        }
                    }
                    group.addTask {
                        for rewrite in 1...rewrites {
                            try tagd.writeTag("pinterest.lua", versions[rewrite % versions.count])
                            let response = try await client.execute(
                                uri: "/admin/reload", method: .post, headers: [.authorization: "Bearer \(Self.adminToken)"])
                            #expect(response.status == .ok)
                        }
                        return []
                    }
                    var statuses: [Int] = []
                    for try await part in group { statuses += part }
                    #expect(statuses.count == senders * hitsPerSender)
                    #expect(statuses.allSatisfy { $0 == 204 })
                }
                await tagd.sender.flush()
            }
            let events = fake.requests.filter { $0.responseStatus == 200 }.flatMap(\.events)
            let ids = events.compactMap { $0["event_id"]?.stringValue }
            #expect(ids.count == senders * hitsPerSender)
            #expect(Set(ids).count == ids.count)
            #expect(tagd.sender.statistics.duplicates == 0)
            let partners = Set(events.map { $0["partner_name"]?.stringValue ?? "none" })
            #expect(partners.isSubset(of: ["v1", "v2"]))
            #expect(tagd.liveTags.generation == rewrites + 1)
        }
    }

    @Test func theFolderWatcherNoticesChanges() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-watch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let watcher = FolderWatcher(folders: [folder.path], debounce: .milliseconds(50))
        let changes = watcher.changes()
        defer { watcher.stop() }
        let noticed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in changes { return true }
                return false
            }
            group.addTask {
                // Several files at once, as a `git pull` writes them.
                for index in 0..<5 {
                    try "return \(index)".write(to: folder.appendingPathComponent("t\(index).lua"), atomically: true, encoding: .utf8)
                }
                try await Task.sleep(for: .seconds(10))  // a deadline, not synchronization: fails the test if nothing comes
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(noticed)
    }
}
