import Synchronization

/// Wakes the sender loop: `signal()` from any thread, `wait()` from the one loop.
///
/// A signal sent while nobody waits is remembered, so a wake-up between the loop's last look at
/// the state and its next wait is never lost. Several signals before a wait count as one.
final class LoopSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal, at `deadline` if one is given, or when the task is cancelled.
    func wait(until deadline: ContinuousClock.Instant?) async {
        let timer = deadline.map { deadline in
            Task { [self] in
                do {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    signal()
                } catch {}  // cancelled: the wait ended before the deadline
            }
        }
        defer { timer?.cancel() }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
        state.withLock { $0.pending = false }
    }
}
