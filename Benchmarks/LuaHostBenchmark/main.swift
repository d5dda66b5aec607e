// Cost of one invocation of a realistic mapping function: reads ~20 fields
// of an event table passed as an argument, builds a 20-field result with a
// nested table, and calls one native function.
//
//     swift run -c release LuaHostBenchmark
import Foundation
import LuaHost

let hashModule = NativeModule(name: "hash", functions: [
    "fnv": { args in
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in try args.bytes(1) {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return [.string(String(hash, radix: 16))]
    },
])

let script = """
    local hash = hash
    return function(event)
      local user = event.user
      return {
        event_name = event.name,
        event_id = event.id,
        timestamp = event.ts,
        page_url = event.url,
        page_title = event.title,
        referrer = event.referrer,
        currency = event.currency or "EUR",
        value = (event.price or 0) * (event.quantity or 1),
        quantity = event.quantity,
        product_id = event.product_id,
        product_name = event.product_name,
        category = event.category,
        brand = event.brand,
        coupon = event.coupon,
        consent = event.consent == true,
        session = event.session_id,
        client = event.client_id,
        language = event.language,
        screen = event.screen,
        user_data = {
          email_hash = hash.fnv(user.email),
          country = user.country,
          logged_in = user.logged_in,
        },
      }
    end
    """

let luaOnlySource = """
    local map = (function() \(script) end)()
    return function()
      map({
        name = "purchase", id = "evt-8f3a2c", ts = 1717171717000,
        url = "https://shop.example.com/checkout/complete", title = "Thank you",
        referrer = "https://shop.example.com/cart", currency = "USD", price = 19.99,
        quantity = 2, product_id = "SKU-1234", product_name = "Blue Mug", category = "Kitchen",
        brand = "Acme", coupon = "SPRING", consent = true, session_id = "s-42", client_id = "c-7",
        language = "en-US", screen = "1920x1080",
        user = {email = "someone@example.com", country = "DE", logged_in = true},
      })
    end
    """

let event: LuaValue = .table([
    "name": "purchase", "id": "evt-8f3a2c", "ts": .int(1_717_171_717_000),
    "url": "https://shop.example.com/checkout/complete", "title": "Thank you",
    "referrer": "https://shop.example.com/cart", "currency": "USD", "price": .double(19.99),
    "quantity": 2, "product_id": "SKU-1234", "product_name": "Blue Mug", "category": "Kitchen",
    "brand": "Acme", "coupon": "SPRING", "consent": true, "session_id": "s-42", "client_id": "c-7",
    "language": "en-US", "screen": "1920x1080",
    "user": ["email": "someone@example.com", "country": "DE", "logged_in": true],
])

// BENCH_HOOK_INTERVAL=n overrides the count hook interval (default 1000).
var limits = LuaLimits.default
if let interval = ProcessInfo.processInfo.environment["BENCH_HOOK_INTERVAL"].flatMap({ Int($0) }) {
    limits.hookInterval = interval
}
let vm = try LuaVM(limits: limits, modules: [hashModule])
let module = try vm.load(source: script, chunkName: "tags/mapping.lua")

// Sanity check the result once.
let check = try vm.call(module, [event], owner: "tags/mapping.lua")
guard case .table(let fields)? = check.first, fields.count == 20,
      case .table(let userData)? = fields["user_data"], userData.count == 3
else {
    fatalError("unexpected result: \(check)")
}

let iterations = 100_000
// Profiling aid: BENCH_PROFILE=full|empty|event|build|lua [BENCH_N=n] runs only
// n calls of one case (for `valgrind --tool=callgrind`: instructions per call
// = (total of a run with n) - (total with 0)) / n).
if let profile = ProcessInfo.processInfo.environment["BENCH_PROFILE"] {
    let n = Int(ProcessInfo.processInfo.environment["BENCH_N"] ?? "") ?? 10_000
    let emptyFn = try vm.load(source: "return function() end", chunkName: "tags/empty.lua")
    let buildFn = try vm.load(source: "return function() return {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,s=19,t={x=1,y=2,z=3}} end", chunkName: "tags/build.lua")
    let (function, args): (LuaRef, [LuaValue]) = switch profile {
    case "empty": (emptyFn, [])
    case "event": (emptyFn, [event])
    case "build": (buildFn, [])
    case "lua": (try vm.load(source: luaOnlySource, chunkName: "tags/lua.lua"), [])
    default: (module, [event])
    }
    var sink = 0
    for _ in 0..<n { sink &+= try vm.call(function, args, owner: "tags/p.lua").count }
    print("profiled \(profile) x \(n): \(sink)")
    exit(0)
}
// Profiling aid: BENCH_ONLY_BUILD=1 runs only the result-reading path (for perf).
if ProcessInfo.processInfo.environment["BENCH_ONLY_BUILD"] != nil {
    let build = try vm.load(source: "return function() return {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,s=19,t={x=1,y=2,z=3}} end", chunkName: "tags/build.lua")
    for _ in 0..<1_000_000 { _ = try vm.call(build, [], owner: "b") }
    exit(0)
}
let runs = 7
var perCall: [Double] = []
let clock = ContinuousClock()
for _ in 0..<runs {
    var sink = 0
    let elapsed = try clock.measure {
        for _ in 0..<iterations {
            let results = try vm.call(module, [event], owner: "tags/mapping.lua")
            sink &+= results.count
        }
    }
    precondition(sink == iterations)
    let (seconds, attoseconds) = elapsed.components
    let micros = (Double(seconds) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations)
    perCall.append(micros)
}
perCall.sort()
let median = perCall[runs / 2]
print("runs (µs/invocation):", perCall.map { String(format: "%.3f", $0) }.joined(separator: " "))
print(String(format: "median: %.3f µs per invocation (%d iterations x %d runs)", median, iterations, runs))

// Breakdown: the same call shape with parts removed, to show where time goes.
@MainActor func median(_ label: String, _ function: LuaRef, _ args: [LuaValue]) throws {
    var samples: [Double] = []
    for _ in 0..<5 {
        let elapsed = try clock.measure {
            for _ in 0..<iterations { _ = try vm.call(function, args, owner: "tags/b.lua") }
        }
        let (s, a) = elapsed.components
        samples.append((Double(s) * 1e6 + Double(a) / 1e12) / Double(iterations))
    }
    samples.sort()
    print(String(format: "  %@: %.3f µs", label, samples[samples.count / 2]))
}
print("breakdown (medians):")
let empty = try vm.load(source: "return function() end", chunkName: "tags/empty.lua")
try median("empty call, no args", empty, [])
try median("empty call, event argument (push only)", empty, [event])
let build = try vm.load(source: "local e = ... return function() return {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,s=19,t={x=1,y=2,z=3}} end", chunkName: "tags/build.lua")
try median("no args, returns 20-field table (read only)", build, [])
let luaOnly = try vm.load(source: luaOnlySource, chunkName: "tags/lua-only.lua")
try median("same work inside Lua (event built and result dropped in Lua)", luaOnly, [])
