import LuaHost
import Testing

/// Runs `body` and returns the LuaError it threw (nil if it succeeded).
func luaError<T>(_ body: () throws -> T) -> LuaError? {
    do {
        _ = try body()
        return nil
    } catch let error as LuaError {
        return error
    } catch {
        Issue.record("unexpected non-LuaError: \(error)")
        return nil
    }
}

/// Limits small enough that budget tests finish in milliseconds.
let quickLimits = LuaLimits(
    instructionsPerInvocation: 2_000_000,
    timePerInvocation: .seconds(5),
    memoryPerVM: 16 << 20)

/// A VM with a "witness" script loaded first: after a hostile script fails,
/// the witness must still work and see its own state unchanged.
struct Fixture {
    let vm: LuaVM
    let witness: LuaRef

    init(limits: LuaLimits = quickLimits, modules: [NativeModule] = []) throws {
        vm = try LuaVM(limits: limits, modules: modules)
        witness = try vm.load(source: """
            counter = 0
            return function()
              counter = counter + 1
              return string.upper("ok"), counter, type(string.rep), getmetatable("").__index == string
            end
            """, chunkName: "tags/witness.lua")
    }

    /// Loads `source` (a chunk returning a function) and calls it.
    func run(_ source: String, chunk: String = "tags/hostile.lua", args: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let function = try vm.load(source: source, chunkName: chunk)
        defer { vm.release(function) }
        return try vm.call(function, args, owner: chunk)
    }

    /// The witness still runs, unaffected by whatever happened before.
    func expectHealthy(sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let results = try vm.call(witness, [], owner: "tags/witness.lua")
            #expect(results.first == .string("OK"), sourceLocation: sourceLocation)
            #expect(results.count == 4, sourceLocation: sourceLocation)
            if results.count == 4 {
                #expect(results[2] == .string("function"), sourceLocation: sourceLocation)
                #expect(results[3] == .bool(true), sourceLocation: sourceLocation)
            }
        } catch {
            Issue.record("witness failed: \(error)", sourceLocation: sourceLocation)
        }
    }
}

extension LuaError {
    var budgetKind: LuaBudgetKind? {
        if case .budget(_, let kind, _) = self { return kind }
        return nil
    }

    var message: String { description }
}
