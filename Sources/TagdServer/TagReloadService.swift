import Logging
import ServiceLifecycle
import TagRuntime
import UnixSignals

/// Reloads the tags when their folders change or on SIGHUP, until the server shuts down.
public struct TagReloadService: Service {
    let liveTags: LiveTags
    let watcher: FolderWatcher?
    let logger: Logger

    /// - Parameter watch: false to reload on SIGHUP and admin calls only.
    public init(liveTags: LiveTags, watch: Bool = true, logger: Logger) {
        self.liveTags = liveTags
        self.watcher = watch ? FolderWatcher(folders: [liveTags.tagsFolder, liveTags.templatesFolder]) : nil
        self.logger = logger
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let watcher {
                    group.addTask {
                        for await _ in watcher.changes() { reload(reason: "files changed") }
                    }
                }
                group.addTask {
                    for await _ in signals { reload(reason: "SIGHUP") }
                }
            }
        }
        watcher?.stop()
    }

    private func reload(reason: String) {
        do {
            try liveTags.reload(reason: reason)
        } catch {
            logger.error("tag reload failed; the previous generation stays live", metadata: ["error": "\(error)"])
        }
    }
}
