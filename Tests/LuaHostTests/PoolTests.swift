import Dispatch
import LuaHost
import Synchronization
import Testing

@Suite struct PoolTests {
    /// Tracks concurrent use per VM; any overlap is a violation.
    final class UsageTracker: Sendable {
        let state = Mutex<(inUse: [ObjectIdentifier: Int], active: Int, maxActive: Int, violations: Int, runs: Int)>(
            ([:], 0, 0, 0, 0))

        func enter(_ vm: LuaVM) {
            state.withLock { s in
                let id = ObjectIdentifier(vm)
                s.inUse[id, default: 0] += 1
                if s.inUse[id] != 1 { s.violations += 1 }
                s.active += 1
                s.maxActive = max(s.maxActive, s.active)
            }
        }

        func leave(_ vm: LuaVM) {
            state.withLock { s in
                s.inUse[ObjectIdentifier(vm), default: 0] -= 1
                s.active -= 1
                s.runs += 1
            }
        }
    }

    static let script = "return function(n) local s = 0 for i = 1, n do s = s + i end return s end"

    @Test func manyTasksNeverShareAVM() async throws {
        let pool = try LuaVMPool(count: 3) { try LuaVM() }
        let tracker = UsageTracker()
        try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<64 {
                group.addTask {
                    try await pool.withVM { vm in
                        tracker.enter(vm)
                        defer { tracker.leave(vm) }
                        let f = try vm.load(source: Self.script, chunkName: "tags/sum.lua")
                        defer { vm.release(f) }
                        let result = try vm.call(f, [.int(Int64(1000 + i))], owner: "tags/sum.lua")
                        return result.first?.intValue ?? -1
                    }
                }
            }
            var total = 0
            for try await value in group {
                #expect(value > 0)
                total += 1
            }
            #expect(total == 64)
        }
        let final = tracker.state.withLock { $0 }
        #expect(final.violations == 0)
        #expect(final.maxActive <= 3)
        #expect(final.runs == 64)
        #expect(final.active == 0)
    }

    @Test func blockingVariantAlsoExclusive() throws {
        let pool = try LuaVMPool(count: 2) { try LuaVM() }
        let tracker = UsageTracker()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            pool.withVMBlocking { vm in
                tracker.enter(vm)
                defer { tracker.leave(vm) }
                let f = try? vm.load(source: Self.script, chunkName: "tags/sum.lua")
                if let f { _ = try? vm.call(f, [.int(Int64(i))], owner: "tags/sum.lua") }
            }
        }
        let final = tracker.state.withLock { $0 }
        #expect(final.violations == 0)
        #expect(final.maxActive <= 2)
        #expect(final.runs == 16)
    }

    @Test func errorsPropagateAndReleaseTheVM() async throws {
        let pool = try LuaVMPool(count: 1) { try LuaVM() }
        await #expect(throws: LuaError.self) {
            try await pool.withVM { vm in _ = try vm.load(source: "error('x')", chunkName: "e.lua") }
        }
        let value = try await pool.withVM { vm in try vm.value(try vm.load(source: "return 7", chunkName: "s.lua")) }
        #expect(value == 7)
    }

    @Test func tryWithVMPrefersItsVMAndNeverWaits() throws {
        let pool = try LuaVMPool(count: 2) { try LuaVM() }
        let first = try #require(pool.tryWithVM(preferring: 0) { ObjectIdentifier($0) })
        let second = try #require(pool.tryWithVM(preferring: 1) { ObjectIdentifier($0) })
        #expect(first != second)
        #expect(pool.tryWithVM(preferring: 2) { ObjectIdentifier($0) } == first)  // modulo the count
        #expect(pool.tryWithVM(preferring: 1) { ObjectIdentifier($0) } == second)
        // Preferred VM busy: another free one. Every VM busy: nil at once.
        let nested = pool.tryWithVM(preferring: 0) { outer in
            pool.tryWithVM(preferring: 0) { inner in
                (ObjectIdentifier(outer), ObjectIdentifier(inner), pool.tryWithVM(preferring: 0) { _ in true })
            }
        }
        let unwrapped = try #require(nested)
        let (outer, inner, third) = try #require(unwrapped)
        #expect(outer == first && inner == second)
        #expect(third == nil)
        // Everything was given back.
        #expect(pool.tryWithVM(preferring: 0) { ObjectIdentifier($0) } == first)
    }
}
