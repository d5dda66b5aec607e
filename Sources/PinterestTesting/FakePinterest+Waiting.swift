import Synchronization

/// Awaiting requests without sleeping: a waiter is resumed by the request that satisfies it,
/// or fails after its timeout so a broken test cannot hang CI.
extension FakePinterest {
    /// Returns all requests once at least `count` have been received (whatever they were answered).
    public func waitForRequests(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedRequest] {
        try await waitUntil("\(count) requests", timeout: timeout) { $0.count >= count }
    }

    /// Returns all requests once requests answered 2xx have carried at least `count` events in all:
    /// the events Pinterest would have accepted.
    public func waitForEvents(count: Int, timeout: Duration = .seconds(10)) async throws -> [ReceivedRequest] {
        try await waitUntil("\(count) accepted events", timeout: timeout) { requests in
            requests.lazy.filter { (200...299).contains($0.responseStatus) }.reduce(0) { $0 + $1.events.count } >= count
        }
    }

    func record(_ request: ReceivedRequest) {
        let satisfied = state.withLock { state -> [(Waiter, [ReceivedRequest])] in
            state.requests.append(request)
            var satisfied: [(Waiter, [ReceivedRequest])] = []
            for (id, waiter) in state.waiters where waiter.isSatisfied(state.requests) {
                state.waiters[id] = nil
                satisfied.append((waiter, state.requests))
            }
            return satisfied
        }
        for (waiter, requests) in satisfied { waiter.continuation.resume(returning: requests) }
    }

    private func waitUntil(
        _ what: String, timeout: Duration, isSatisfied: @escaping @Sendable ([ReceivedRequest]) -> Bool
    ) async throws -> [ReceivedRequest] {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timer = Task { [self] in
            try await Task.sleep(for: timeout)
            fail(waiter: id, with: .timedOut(waitingFor: what, received: requests.count))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[ReceivedRequest], any Error>) in
                let outcome = state.withLock { state -> Result<[ReceivedRequest], any Error>? in
                    if isSatisfied(state.requests) { return .success(state.requests) }
                    if state.expiredWaiters.remove(id) != nil {
                        return .failure(FakePinterestError.timedOut(waitingFor: what, received: state.requests.count))
                    }
                    if state.stopped { return .failure(FakePinterestError.stopped) }
                    state.waiters[id] = Waiter(isSatisfied: isSatisfied, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            fail(waiter: id, with: nil)
        }
    }

    /// Ends a waiter with an error (a timeout, or cancellation when `error` is nil). A waiter that has
    /// not registered yet is marked so that it fails as soon as it does.
    private func fail(waiter id: UInt64, with error: FakePinterestError?) {
        let waiter = state.withLock { state -> Waiter? in
            guard let waiter = state.waiters.removeValue(forKey: id) else {
                state.expiredWaiters.insert(id)
                return nil
            }
            return waiter
        }
        waiter?.continuation.resume(throwing: error ?? CancellationError())
    }
}
