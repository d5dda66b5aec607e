import Foundation
import Logging
import TagRuntime
import TagdJSON
import Testing

@Suite struct LiveTagsTests {
    /// A scratch tag folder with a templates folder beside it.
    struct Folder {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-live-\(UUID().uuidString)")
        var tags: URL { root.appendingPathComponent("tags") }
        var templates: URL { root.appendingPathComponent("templates") }

        init() throws {
            try FileManager.default.createDirectory(at: tags, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        }

        func write(_ path: String, _ source: String) throws {
            try source.write(to: root.appendingPathComponent(path), atomically: true, encoding: .utf8)
        }

        func remove(_ path: String) throws {
            try FileManager.default.removeItem(at: root.appendingPathComponent(path))
        }

        func live() throws -> LiveTags {
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            return try LiveTags(
                tagsFolder: tags.path, templatesFolder: templates.path,
                services: RuntimeServices(delivery: RecordingDelivery(), logger: logger, vmCount: 1))
        }
    }

    static func tag(_ outcome: String) -> String {
        "return { trigger = { events = { '*' } }, fire = function() return '\(outcome)' end }"
    }

    func outcomes(_ live: LiveTags) async -> [String?] {
        await live.engine.process(event: ["event_name": "x"]).tagRuns.map(\.outcome)
    }

    @Test func aBrokenVersionKeepsTheLastGoodOneLive() async throws {
        let folder = try Folder()
        try folder.write("tags/a.lua", Self.tag("v1"))
        let live = try folder.live()
        #expect(await outcomes(live) == ["v1"])

        try folder.write("tags/a.lua", "return { trigger = ")
        let report = try live.reload(reason: "test")
        #expect(report.errors.map(\.path) == ["tags/a.lua"])
        #expect(await outcomes(live) == ["v1"])
        let state = try #require(live.files.first)
        #expect(state.lastError?.contains("tags/a.lua:1:") == true)
        #expect(state.isLive)
        #expect(state.sourceHash != state.liveSourceHash)

        try folder.write("tags/a.lua", Self.tag("v2"))
        try live.reload(reason: "test")
        #expect(await outcomes(live) == ["v2"])
        #expect(live.files.first?.lastError == nil)
        #expect(live.generation == 3)
    }

    @Test func aNewBrokenFileIsNotLoadedAndADeletedFileIsRemoved() async throws {
        let folder = try Folder()
        try folder.write("tags/a.lua", Self.tag("a"))
        let live = try folder.live()
        try folder.write("tags/b.lua", "return 42")
        try folder.write("tags/c.lua", Self.tag("c"))
        try live.reload(reason: "test")
        #expect(await outcomes(live) == ["a", "c"])
        #expect(live.files.first { $0.path == "tags/b.lua" }?.isLive == false)

        try folder.remove("tags/a.lua")
        try live.reload(reason: "test")
        #expect(await outcomes(live) == ["c"])
        #expect(!live.files.contains { $0.path == "tags/a.lua" })
    }

    @Test func aBrokenTemplateKeepsItsLastGoodVersion() async throws {
        let folder = try Folder()
        try folder.write("templates/greet.lua", "return { word = 'hello' }")
        try folder.write("tags/a.lua", "local g = require 'greet'; return { trigger = { events = { '*' } }, fire = function() return g.word end }")
        let live = try folder.live()
        #expect(await outcomes(live) == ["hello"])

        try folder.write("templates/greet.lua", "return { word = ")
        let report = try live.reload(reason: "test")
        #expect(report.errors.map(\.path) == ["templates/greet.lua"])
        #expect(await outcomes(live) == ["hello"])

        try folder.write("templates/greet.lua", "return { word = 'hi' }")
        try live.reload(reason: "test")
        #expect(await outcomes(live) == ["hi"])
    }

    @Test func aHitInFlightFinishesOnTheGenerationItStartedWith() async throws {
        let folder = try Folder()
        try folder.write("tags/a.lua", Self.tag("old"))
        let live = try folder.live()
        let engine = live.engine  // what a hit takes when it starts
        try folder.write("tags/a.lua", Self.tag("new"))
        try live.reload(reason: "test")
        #expect(await engine.process(event: ["event_name": "x"]).tagRuns.map(\.outcome) == ["old"])
        #expect(await outcomes(live) == ["new"])
    }
}
