import Foundation
import Logging
import Synchronization
import UserDataHashing

/// The live tag generation and how it is replaced.
///
/// A reload reads the folders, compiles every file in fresh VMs, and swaps the new generation in only
/// once it has loaded. A file that does not compile, throws at load or does not return a valid tag is
/// not loaded: the last good version of that file stays live and its error is kept for the admin view.
/// Each hit takes the current engine once and runs entirely on it, so a hit never sees two versions;
/// an old generation's VMs are closed when its last hit lets go of it.
public final class LiveTags: Sendable {
    public let tagsFolder: String
    public let templatesFolder: String
    private let services: RuntimeServices
    private let state: Mutex<State>
    /// Serializes reloads; hits never wait for it.
    private let reloading = Mutex(())

    struct State {
        var engine: TagEngine
        var lastGood: [String: TagFile] = [:]
        var files: [String: TagFileState] = [:]
        var generation = 1
    }

    /// Loads the first generation. Broken files are reported, not fatal: the server starts with the rest.
    public init(tagsFolder: String, templatesFolder: String, services: RuntimeServices) throws {
        self.tagsFolder = tagsFolder
        self.templatesFolder = templatesFolder
        self.services = services
        let bundle = try TagBundle.read(tagsFolder: tagsFolder, templatesFolder: templatesFolder)
        let built = try Self.build(bundle: bundle, lastGood: [:], services: services, previous: [:])
        self.state = Mutex(State(engine: built.engine, lastGood: built.lastGood, files: built.files))
    }

    /// The engine a hit runs on.
    public var engine: TagEngine { state.withLock { $0.engine } }

    /// Every tag and template file with its state, by path.
    public var files: [TagFileState] {
        state.withLock { $0.files.values.sorted { $0.path < $1.path } }
    }

    public var generation: Int { state.withLock { $0.generation } }

    /// Tag run counts across every generation.
    public var metrics: TagMetrics { services.metrics }

    /// The folder name tag paths start with (`tags` in `tags/shop.lua`).
    public var tagsFolderName: String { URL(fileURLWithPath: tagsFolder).lastPathComponent }

    /// Reads the folders again and swaps in the new generation. Returns what changed.
    @discardableResult
    public func reload(reason: String) throws -> ReloadReport {
        try reloading.withLock { _ in
            let (lastGood, previous) = state.withLock { ($0.lastGood, $0.files) }
            let bundle = try TagBundle.read(tagsFolder: tagsFolder, templatesFolder: templatesFolder)
            let built = try Self.build(bundle: bundle, lastGood: lastGood, services: services, previous: previous)
            let generation = state.withLock { state in
                state.engine = built.engine
                state.lastGood = built.lastGood
                state.files = built.files
                state.generation += 1
                return state.generation
            }
            let errors = built.files.values.filter { $0.lastError != nil }.sorted { $0.path < $1.path }
            for file in errors {
                services.logger.error(
                    "\(file.isLive ? "tag file not loaded; its last good version stays live" : "tag file not loaded")",
                    metadata: ["file": "\(file.path)", "error": "\(file.lastError ?? "")"])
            }
            services.logger.info(
                "tags reloaded",
                metadata: ["reason": "\(reason)", "generation": "\(generation)", "live": "\(built.engine.statuses.filter(\.isLoaded).count)", "errors": "\(errors.count)"])
            return ReloadReport(generation: generation, errors: errors)
        }
    }

    struct Built {
        let engine: TagEngine
        let lastGood: [String: TagFile]
        let files: [String: TagFileState]
    }

    /// Builds a generation from the files on disk, falling back to the last good version of each broken file.
    static func build(
        bundle: TagBundle, lastGood: [String: TagFile], services: RuntimeServices, previous: [String: TagFileState]
    ) throws -> Built {
        let now = Date()
        var errors: [String: String] = [:]
        var good = lastGood.filter { path, _ in
            // A deleted file is removed, not kept from memory.
            bundle.tags.contains { $0.path == path } || bundle.templates.values.contains { $0.path == path }
        }

        // Templates first: a template that no longer compiles is replaced by its last good version.
        var templates: [TagFile] = []
        for template in bundle.templates.values.sorted(by: { $0.path < $1.path }) {
            if let error = TemplateCompiler.error(in: template, templates: bundle.templates, services: services) {
                errors[template.path] = error
                if let fallback = lastGood[template.path] { templates.append(fallback) }
            } else {
                templates.append(template)
                good[template.path] = template
            }
        }

        var engine = try TagEngine(bundle: TagBundle(tags: bundle.tags, templates: templates), services: services)
        var substituted = false
        var tags: [TagFile] = []
        for (file, status) in zip(bundle.tags, engine.statuses) {
            if let error = status.error {
                errors[file.path] = error
                if let fallback = lastGood[file.path] {
                    tags.append(fallback)
                    substituted = true
                }
            } else {
                tags.append(file)
                good[file.path] = file
            }
        }
        if substituted {
            engine = try TagEngine(bundle: TagBundle(tags: tags, templates: templates), services: services)
        }

        var files: [String: TagFileState] = [:]
        for file in bundle.tags + bundle.templates.values {
            let liveVersion = good[file.path]
            let hash = SHA256Hex.hash(file.source)
            let unchanged = previous[file.path].map { $0.sourceHash == hash && $0.lastError == nil } ?? false
            files[file.path] = TagFileState(
                path: file.path,
                name: engine.statuses.first { $0.file == file.path }?.name ?? file.baseName,
                sourceHash: hash,
                liveSourceHash: liveVersion.map { SHA256Hex.hash($0.source) },
                loadedAt: unchanged ? (previous[file.path]?.loadedAt ?? now) : (liveVersion == nil ? nil : now),
                lastError: errors[file.path])
        }
        return Built(engine: engine, lastGood: good, files: files)
    }
}

/// A tag or template file as the admin view shows it.
public struct TagFileState: Sendable, Equatable {
    public let path: String
    public let name: String
    /// SHA-256 of the file on disk.
    public let sourceHash: String
    /// SHA-256 of the version that is live (differs from `sourceHash` when the file on disk is broken).
    public let liveSourceHash: String?
    public let loadedAt: Date?
    /// Why the file on disk is not the live version.
    public let lastError: String?

    public var isLive: Bool { liveSourceHash != nil }
}

public struct ReloadReport: Sendable {
    public let generation: Int
    public let errors: [TagFileState]
}
