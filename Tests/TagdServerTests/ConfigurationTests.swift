import Foundation
import TagdServer
import Testing

@Suite struct ConfigurationTests {
    func file(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-config-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func defaultsNeedNoConfiguration() {
        let defaults = TagdConfiguration()
        #expect(defaults.port == 8080)
        #expect(defaults.pinterestBaseURL == "https://api.pinterest.com")
        #expect(defaults.maxBodyBytes == 256 * 1024)
        #expect(defaults.adminToken.isEmpty)
    }

    @Test func aFileOverridesDefaultsAndTheEnvironmentOverridesTheFile() throws {
        let path = try file(#"{ "port": 9000, "cors_origins": ["https://a.example"], "lua_vms": 3 }"#)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try TagdConfiguration.load(file: path)
        #expect(fromFile.port == 9000)
        #expect(fromFile.corsOrigins == ["https://a.example"])
        #expect(fromFile.luaVMs == 3)
        #expect(fromFile.host == "127.0.0.1")

        let merged = try fromFile.applying(environment: [
            "TAGD_PORT": "9100", "TAGD_CORS_ORIGINS": "https://b.example, https://c.example",
            "TAGD_GIF_FOR_GET": "true", "TAGD_DUPLICATE_WINDOW_HOURS": "1.5", "UNRELATED": "x",
        ])
        #expect(merged.port == 9100)
        #expect(merged.corsOrigins == ["https://b.example", "https://c.example"])
        #expect(merged.gifForGet)
        #expect(merged.duplicateWindowHours == 1.5)
        #expect(merged.luaVMs == 3)
    }

    @Test func mistakesAreErrorsNotSilentDefaults() throws {
        let typo = try file(#"{ "prot": 9000 }"#)
        defer { try? FileManager.default.removeItem(atPath: typo) }
        #expect(throws: ConfigurationError.self) { try TagdConfiguration.load(file: typo) }
        #expect(throws: ConfigurationError.self) { try TagdConfiguration().applying(environment: ["TAGD_PORT": "eighty"]) }
        #expect(throws: ConfigurationError.self) { try TagdConfiguration.load(file: "/nonexistent/tagd.json") }
    }
}
