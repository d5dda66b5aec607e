import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tells when files in some folders changed, debounced so that an editor's save or a `git pull` of many
/// files is one notification. Uses inotify on Linux and falls back to polling file sizes and times.
public final class FolderWatcher: Sendable {
    public let folders: [String]
    let debounce: Duration
    let pollInterval: Duration
    private let stopped = Atomic<Bool>(false)

    public init(folders: [String], debounce: Duration = .milliseconds(250), pollInterval: Duration = .seconds(1)) {
        self.folders = folders
        self.debounce = debounce
        self.pollInterval = pollInterval
    }

    /// One element per settled burst of changes. Ends when `stop()` is called.
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let thread = Thread { [self] in
            self.watch { continuation.yield() }
            continuation.finish()
        }
        thread.name = "tagd-folder-watcher"
        thread.start()
        continuation.onTermination = { [self] _ in self.stop() }
        return stream
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    private var isStopped: Bool { stopped.load(ordering: .relaxed) }

    private func watch(_ notify: () -> Void) {
        #if canImport(Glibc)
        if watchWithInotify(notify) { return }
        #endif
        watchByPolling(notify)
    }

    #if canImport(Glibc)
    /// Returns false when inotify is unavailable, so the caller polls instead.
    private func watchWithInotify(_ notify: () -> Void) -> Bool {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB)
        var watched = 0
        for folder in folders where inotify_add_watch(fd, folder, mask) >= 0 { watched += 1 }
        guard watched > 0 else { return false }

        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var pendingSince: ContinuousClock.Instant?
        while !isStopped {
            var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollfd, 1, 50)
            if ready > 0 {
                while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
                pendingSince = .now
            }
            if let since = pendingSince, ContinuousClock.now - since >= debounce {
                pendingSince = nil
                notify()
            }
        }
        return true
    }
    #endif

    private func watchByPolling(_ notify: () -> Void) {
        var last = fingerprint()
        var nextPoll = ContinuousClock.now + pollInterval
        var pendingSince: ContinuousClock.Instant?
        while !isStopped {
            Thread.sleep(forTimeInterval: 0.05)
            let now = ContinuousClock.now
            if now >= nextPoll {
                nextPoll = now + pollInterval
                let current = fingerprint()
                if current != last {
                    last = current
                    pendingSince = now
                }
            }
            if let since = pendingSince, now - since >= debounce {
                pendingSince = nil
                notify()
            }
        }
    }

    /// Names, sizes and modification times of every file in the folders.
    func fingerprint() -> [String] {
        let manager = FileManager.default
        var entries: [String] = []
        for folder in folders {
            for name in (try? manager.contentsOfDirectory(atPath: folder)) ?? [] {
                let attributes = try? manager.attributesOfItem(atPath: folder + "/" + name)
                let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                entries.append("\(folder)/\(name)|\(size)|\(modified)")
            }
        }
        return entries.sorted()
    }
}
