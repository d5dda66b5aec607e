import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import PinterestCAPI
import TagRuntime
import TagdServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP intake and deliver conversions.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        // TAGD_EXECUTOR=nio runs Swift concurrency's jobs on NIO's event loop threads instead of the default
        // cooperative pool. Off by default: measured in BENCHMARKS.md it cost 28 % hits/s and made p99 5-10x
        // worse here (VM hand-offs between loops pile the Lua work onto one loop while the other loop's
        // connections wait). Must happen before the server starts any task.
        if ProcessInfo.processInfo.environment["TAGD_EXECUTOR"] == "nio" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        let configuration = try options.resolve()
        let logger = Logging.bootstrap(level: configuration.logLevel)
        let httpClient = PinterestSender.makeHTTPClient()
        let sender = PinterestSender(configuration: .init(configuration), httpClient: httpClient, logger: logger)
        let services = RuntimeServices.make(configuration: configuration, delivery: sender, logger: logger)
        let liveTags = try LiveTags(
            tagsFolder: configuration.tagsFolder, templatesFolder: configuration.templatesFolder, services: services)
        let loaded = liveTags.engine.statuses.filter(\.isLoaded).map(\.file)
        logger.info("tags loaded", metadata: ["count": "\(loaded.count)", "tags": "\(loaded.joined(separator: ", "))"])
        let app = try TagdApplication.make(
            configuration: configuration, liveTags: liveTags,
            services: [sender, TagReloadService(liveTags: liveTags, watch: configuration.watchTags, logger: logger)],
            logger: logger,
            onServerRunning: { port in
                logger.info("tagd listening", metadata: ["address": "http://\(configuration.host):\(port)"])
            })
        do {
            try await app.runService()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        // The sender has delivered what was queued by now (it stops after the server).
        try await httpClient.shutdown()
    }
}

/// Options shared by the commands that read tags and configuration.
struct ServerOptions: ParsableArguments {
    @Option(help: "JSON configuration file (default: tagd.json when present).")
    var config: String?
    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0 = any free port).") var port: Int?
    @Option(help: "Folder of tag files.") var tags: String?
    @Option(help: "Folder of template files.") var templates: String?

    func resolve() throws -> TagdConfiguration {
        var configuration = TagdConfiguration()
        if let config {
            configuration = try .load(file: config)
        } else if FileManager.default.fileExists(atPath: "tagd.json") {
            configuration = try .load(file: "tagd.json")
        }
        configuration = try configuration.applying(environment: ProcessInfo.processInfo.environment)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let tags { configuration.tagsFolder = tags }
        if let templates { configuration.templatesFolder = templates }
        return configuration
    }
}

enum Logging {
    static func bootstrap(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
        return Logger(label: "tagd")
    }
}
