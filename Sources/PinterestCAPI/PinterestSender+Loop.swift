import ServiceLifecycle

/// The background side of the sender: the run loop, `flush` and `shutdown`.
extension PinterestSender {
    /// Sends batches until shutdown. As a ServiceLifecycle `Service`, a graceful shutdown makes it stop
    /// taking events and deliver what is queued within `shutdownGracePeriod`; cancelling the task stops
    /// it at once (batches in flight go back to the outbox). A sender runs once.
    public func run() async throws {
        let now = ContinuousClock.now
        let leftovers = (try? outbox.destinationsWithWaitingEvents()) ?? []
        let started = state.withLock { state -> Bool in
            guard !state.runLoopActive, state.stopRequest == nil, state.acceptsEvents else { return false }
            state.runLoopActive = true
            // Events left by a previous process in a durable outbox are due at once.
            for destination in leftovers where state.dueAt[destination] == nil {
                state.dueAt[destination] = now
            }
            return true
        }
        guard started else { return }

        await withGracefulShutdownHandler {
            await self.loop()
        } onGracefulShutdown: {
            self.state.withLock { state in
                if state.stopRequest == nil {
                    state.stopRequest = .drain(deadline: .now + self.configuration.shutdownGracePeriod)
                }
            }
            self.loopSignal.signal()
        }

        let exitWaiters = state.withLock { state in
            state.runLoopActive = false
            state.acceptsEvents = false
            defer { state.runLoopExitWaiters = [] }
            return state.runLoopExitWaiters
        }
        for waiter in exitWaiters { waiter.resume() }
    }

    private func loop() async {
        await withDiscardingTaskGroup { group in
            while true {
                let stop = state.withLock { $0.stopRequest }
                if Task.isCancelled || stop == .abort {
                    group.cancelAll()  // batches in flight go back to the outbox
                    return
                }
                if stop == .exit { return }
                if case .drain(let deadline)? = stop {
                    state.withLock { $0.acceptsEvents = false }
                    await drain(until: deadline)
                    group.cancelAll()  // only batches the deadline cut short are still running
                    return
                }
                let (claimed, nextDue) = claimDestinations(dueBy: .now)
                for destination in claimed {
                    group.addTask { await self.sendBatch(for: destination) }
                }
                await loopSignal.wait(until: nextDue)
            }
        }
    }

    /// Sends everything queued now, whatever its batch delay, and returns once nothing is waiting
    /// or in flight (delivered, failed or dry-run). Works with or without `run`.
    public func flush() async {
        // A destination is claimed again as soon as its batch is done, not when every destination's
        // batch of the round is: one slow account does not idle the others.
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let (claimed, _) = claimDestinations(dueBy: nil)
                for destination in claimed {
                    group.addTask { await self.sendBatch(for: destination) }
                }
                if claimed.isEmpty, await waitUntilClaimableOrIdle() { return }
            }
        }
    }

    /// Stops taking events, delivers what is queued until `deadline`, then stops the run loop.
    /// Batches still retrying at the deadline are cut short and go back to the outbox.
    /// - Returns: how many events were left undelivered (in the outbox).
    @discardableResult
    public func shutdown(deadline: ContinuousClock.Instant) async -> Int {
        state.withLock { $0.acceptsEvents = false }
        await drain(until: deadline)
        let loopActive = state.withLock { state -> Bool in
            let finished = state.dueAt.isEmpty && state.inFlight.isEmpty
            state.stopRequest = finished ? .exit : .abort
            return state.runLoopActive
        }
        loopSignal.signal()
        if loopActive {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let exited = state.withLock { state -> Bool in
                    guard state.runLoopActive else { return true }
                    state.runLoopExitWaiters.append(continuation)
                    return false
                }
                if exited { continuation.resume() }
            }
        }
        let undelivered = (try? outbox.count()) ?? 0
        if undelivered > 0 {
            logger.error(
                "pinterest sender stopped with events undelivered",
                metadata: ["pinterest.undelivered": "\(undelivered)"])
        }
        return undelivered
    }

    /// `flush`, cut short at `deadline`.
    func drain(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.flush() }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Marks due destinations (all waiting ones when `dueBy` is nil) as in flight and returns them,
    /// with the earliest due time among the rest.
    func claimDestinations(dueBy limit: ContinuousClock.Instant?) -> (claimed: [PinterestDestination], nextDue: ContinuousClock.Instant?) {
        state.withLock { state in
            var claimed: [PinterestDestination] = []
            var nextDue: ContinuousClock.Instant?
            for (destination, due) in state.dueAt where !state.inFlight.contains(destination) {
                if let limit, due > limit {
                    nextDue = nextDue.map { min($0, due) } ?? due
                } else {
                    claimed.append(destination)
                }
            }
            for destination in claimed {
                state.dueAt[destination] = nil
                state.inFlight.insert(destination)
            }
            return (claimed, nextDue)
        }
    }

    /// Takes one batch of a claimed destination from the outbox and delivers it.
    func sendBatch(for destination: PinterestDestination) async {
        defer { finishInFlight(destination) }
        let entries: [OutboxEntry]
        do {
            entries = try outbox.take(upTo: configuration.maxBatchSize, for: destination)
        } catch {
            logger.error("pinterest outbox unavailable", metadata: ["error": "\(error)"])
            let retryAt = ContinuousClock.now + configuration.maxBatchDelay
            state.withLock { state in
                if state.dueAt[destination] == nil { state.dueAt[destination] = retryAt }
            }
            return
        }
        if entries.count == configuration.maxBatchSize {
            // More may be waiting behind a full batch: due as soon as this one is done.
            let now = ContinuousClock.now
            state.withLock { $0.dueAt[destination] = now }
        }
        guard !entries.isEmpty else { return }
        await deliver(entries, to: destination)
    }

    private func finishInFlight(_ destination: PinterestDestination) {
        let waiters = state.withLock { state in
            state.inFlight.remove(destination)
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
        loopSignal.signal()
    }

    /// For `flush`: true when nothing is waiting or in flight; false when a destination can be
    /// claimed. Otherwise waits for a batch in flight to finish (or the task to be cancelled).
    private func waitUntilClaimableOrIdle() async -> Bool {
        enum Look { case idle, claimable, waiting }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let look = state.withLock { state -> Look in
                    if state.dueAt.isEmpty && state.inFlight.isEmpty { return .idle }
                    if state.dueAt.keys.contains(where: { !state.inFlight.contains($0) }) || Task.isCancelled {
                        return .claimable
                    }
                    state.idleWaiters.append(continuation)
                    return .waiting
                }
                switch look {
                case .idle: continuation.resume(returning: true)
                case .claimable: continuation.resume(returning: false)
                case .waiting: break
                }
            }
        } onCancel: {
            let waiters = state.withLock { state in
                defer { state.idleWaiters = [] }
                return state.idleWaiters
            }
            for waiter in waiters { waiter.resume(returning: false) }
        }
    }
}
