import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PinterestCAPI
import PinterestTesting
import TagRuntime
import TagdJSON
import TagdServer

/// A real tagd server on a loopback port with its own tag folder, delivering to a fake Pinterest.
struct TagdHarness {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let folder: URL
    let liveTags: LiveTags
    let sender: PinterestSender
    let httpClient = PinterestSender.makeHTTPClient()
    let configuration: TagdConfiguration

    /// - Parameters:
    ///   - tags: file name -> Lua source, written to a fresh `tags/` folder beside the repository's templates.
    init(
        tags: [String: String], fake: FakePinterest? = nil, baseURL: String? = nil,
        environment: [String: String] = [:], batchDelay: Duration = .milliseconds(20), maxAttempts: Int = 3,
        configure: (inout TagdConfiguration) -> Void = { _ in }
    ) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("tagd-test-\(UUID().uuidString)")
        let tagsFolder = folder.appendingPathComponent("tags")
        let templatesFolder = folder.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: tagsFolder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("templates"), to: templatesFolder)
        for (name, source) in tags {
            try source.write(to: tagsFolder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var configuration = TagdConfiguration()
        configuration.port = 0
        configuration.tagsFolder = tagsFolder.path
        configuration.templatesFolder = templatesFolder.path
        configuration.luaVMs = 2
        configure(&configuration)
        self.configuration = configuration

        var logger = Logger(label: "tagd-test")
        logger.logLevel = .critical
        sender = PinterestSender(
            configuration: .init(
                baseURL: baseURL ?? fake?.baseURL ?? "http://127.0.0.1:9",
                maxBatchDelay: batchDelay,
                retry: .init(maxAttempts: maxAttempts, jitter: { _ in .zero }, sleep: { _ in })),
            httpClient: httpClient,
            logger: logger)
        liveTags = try LiveTags(
            tagsFolder: tagsFolder.path, templatesFolder: templatesFolder.path,
            services: RuntimeServices.make(
                configuration: configuration, delivery: sender, logger: logger, environment: environment))
    }

    func writeTag(_ name: String, _ source: String) throws {
        try source.write(to: folder.appendingPathComponent("tags").appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// Runs `body` against the live server; the server (and the sender's final flush) has shut down when it returns.
    func run<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        var logger = Logger(label: "tagd-test")
        logger.logLevel = .critical
        let app = try TagdApplication.make(
            configuration: configuration, liveTags: liveTags, services: [sender], logger: logger)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let value = try await app.test(.live, body)
            try await httpClient.shutdown()
            return value
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    /// A Pinterest tag from the template, configured for the fake.
    static func pinterestTag(account: String = "549755885175", token: String = "tok", extra: String = "") -> String {
        """
        return require("pinterest_capi").tag {
          ad_account_id = "\(account)", token = "\(token)", trigger = { events = { "*" } },
          event_name_map = { custom_event = "custom" }, \(extra)
        }
        """
    }

    static let purchase = #"""
        {"event_name":"purchase","client_id":"1.2","event_id":"ev-42","transaction_id":"T-1001",
         "page_location":"https://shop.example/checkout/thanks?epik=dj0yJnU9abc","currency":"USD","value":72.39,
         "user_data":{"email_address":" John.Smith@Example.com ","phone_number":"+1 (650) 555-1212",
           "address":{"first_name":"John","last_name":"Smith","city":"San Francisco","region":"CA","postal_code":"94105","country":"US"}},
         "items":[{"item_id":"SKU-1","item_name":"Shirt","price":19.99,"quantity":2},{"item_id":"SKU-2","item_name":"Hat","price":32.41,"quantity":1}]}
        """#
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.userAgent] = headers[.userAgent] ?? "Mozilla/5.0 (tagd test)"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}
