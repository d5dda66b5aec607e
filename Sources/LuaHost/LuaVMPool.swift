import Dispatch
import Foundation
import Synchronization

/// A fixed set of VMs, each lent to one borrower at a time.
///
/// `withVM` waits without blocking a thread when every VM is busy: waiters
/// park as continuations and a returning borrower hands its VM straight to
/// the oldest waiter (FIFO).
public final class LuaVMPool: Sendable {
    /// Carries a VM across isolation domains. `@unchecked Sendable` because
    /// `LuaVM` is not Sendable; safe because the pool's free list (guarded
    /// by `state`) lends each slot to exactly one borrower between acquire
    /// and release, so a VM is never touched by two threads at once.
    private final class Slot: @unchecked Sendable {
        let vm: LuaVM
        init(_ vm: LuaVM) { self.vm = vm }
    }

    /// A synchronous waiter (`withVMBlocking`).
    private final class BlockedThread: Sendable {
        let semaphore = DispatchSemaphore(value: 0)
        let handoff = Mutex<Int?>(nil)
    }

    private enum Waiter: Sendable {
        case task(CheckedContinuation<Int, Never>)
        case thread(BlockedThread)
    }

    private struct State: Sendable {
        var free: [Int]
        var waiters: [Waiter] = []
        var head = 0  // waiters[head...] are still waiting
    }

    private let slots: [Slot]
    private let state: Mutex<State>

    /// Number of VMs in the pool.
    public var count: Int { slots.count }

    public init(
        count: Int = ProcessInfo.processInfo.activeProcessorCount,
        makeVM: () throws -> LuaVM
    ) throws {
        precondition(count > 0, "a LuaVMPool needs at least one VM")
        var slots: [Slot] = []
        for _ in 0..<count { slots.append(Slot(try makeVM())) }
        self.slots = slots
        self.state = Mutex(State(free: Array((0..<count).reversed())))
    }

    /// Runs `body` with a VM that nobody else uses meanwhile.
    public nonisolated(nonsending) func withVM<T>(_ body: (LuaVM) throws -> T) async rethrows -> T {
        let index = await acquire()
        defer { release(index) }
        return try body(slots[index].vm)
    }

    /// Runs `body` with a free VM now, or returns `nil` at once when every VM is busy.
    /// Takes VM number `preferred` (modulo the count) when it is free, so that a caller that always
    /// prefers the same VM (an event loop) keeps it warm in its own CPU cache.
    public func tryWithVM<T>(preferring preferred: Int = 0, _ body: (LuaVM) throws -> T) rethrows -> T? {
        let wanted = preferred % slots.count
        let taken: Int? = state.withLock { state in
            if let position = state.free.lastIndex(of: wanted) {
                return state.free.remove(at: position)
            }
            return state.free.popLast()
        }
        guard let index = taken else { return nil }
        defer { release(index) }
        return try body(slots[index].vm)
    }

    /// Like `withVM`, but blocks the calling thread while all VMs are busy.
    /// For synchronous contexts only; never call it from the cooperative pool.
    public func withVMBlocking<T>(_ body: (LuaVM) throws -> T) rethrows -> T {
        let index = acquireBlocking()
        defer { release(index) }
        return try body(slots[index].vm)
    }

    private func acquire() async -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        return await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            let index: Int? = state.withLock { state in
                if let index = state.free.popLast() { return index }
                state.waiters.append(.task(continuation))
                return nil
            }
            if let index { continuation.resume(returning: index) }
        }
    }

    private func acquireBlocking() -> Int {
        let waiter = BlockedThread()
        let index: Int? = state.withLock { state in
            if let index = state.free.popLast() { return index }
            state.waiters.append(.thread(waiter))
            return nil
        }
        if let index { return index }
        waiter.semaphore.wait()
        guard let handed = waiter.handoff.withLock({ $0 }) else {
            preconditionFailure("LuaVMPool: woken without a VM")
        }
        return handed
    }

    private func release(_ index: Int) {
        let next: Waiter? = state.withLock { state in
            guard state.head < state.waiters.count else {
                state.free.append(index)
                return nil
            }
            let waiter = state.waiters[state.head]
            state.head += 1
            if state.head == state.waiters.count {
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head > 64, state.head * 2 > state.waiters.count {
                state.waiters.removeFirst(state.head)  // keep the queue from growing
                state.head = 0
            }
            return waiter
        }
        switch next {
        case .task(let continuation):
            continuation.resume(returning: index)
        case .thread(let waiter):
            waiter.handoff.withLock { $0 = index }
            waiter.semaphore.signal()
        case nil:
            break
        }
    }
}
