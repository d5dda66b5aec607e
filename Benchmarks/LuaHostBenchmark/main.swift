// Cost of one invocation of a realistic mapping function: reads ~20 fields
// of an event table passed as an argument, builds a 20-field result with a
// nested table, and calls one native function.
//
// Runtime-shaped: one hit = one event that every tag of the hit reads. The
// event is shared ONCE per hit (`vm.share`, a deep read-only view) and each
// tag invocation gets it by ref. Reported:
//   (a) per invocation with the shared event (the headline figure),
//   (b) the one-off per-hit cost of sharing (and releasing) the event,
//   (c) the old path (event pushed on every call), for comparison,
//   (d) a hit with 5 tags: one share + 5 invocations + release.
//
//     swift run -c release LuaHostBenchmark
import Foundation
import LuaHost

// The native the mapping calls, written the cheap way: a scalar function
// (no result array) reading its argument through a view (no byte copy).
// BENCH_NATIVE=list selects the round-1/2 form (`bytes` copy, `[LuaValue]`
// result) for comparison.
let hashModule = ProcessInfo.processInfo.environment["BENCH_NATIVE"] == "list"
    ? NativeModule(name: "hash", functions: [
        "fnv": { args in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in try args.bytes(1) {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            return [.string(String(hash, radix: 16))]
        },
    ])
    : NativeModule(name: "hash", scalarFunctions: [
        "fnv": { args in
            let hash = try args.withBytes(1) { bytes in
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
                return hash
            }
            return LuaValue.string(String(hash, radix: 16))
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

// Sanity check: both paths give the same 20-field result.
let check = try vm.call(module, [event], owner: "tags/mapping.lua")
guard case .table(let fields)? = check.first, fields.count == 20,
      case .table(let userData)? = fields["user_data"], userData.count == 3
else {
    fatalError("unexpected result: \(check)")
}
do {
    let shared = try vm.share(event)
    let viaView = try vm.call(module, arguments: [.ref(shared)], owner: "tags/mapping.lua")
    vm.release(shared)
    guard viaView == check else { fatalError("shared path differs: \(viaView)") }
}

// Five tags of one hit: five separately loaded copies of the mapping.
let tags = try (1...5).map { try vm.load(source: script, chunkName: "tags/mapping\($0).lua") }

/// One hit: share the event once, run every tag on it, release it.
@MainActor @inline(__always) func hit(_ tags: [LuaRef]) throws -> Int {
    let shared = try vm.share(event)
    defer { vm.release(shared) }
    var n = 0
    for tag in tags { n &+= try vm.call(tag, arguments: [.ref(shared)], owner: "tags/mapping.lua").count }
    return n
}

// Profiling aid: BENCH_PROFILE=<case> [BENCH_N=n] runs only n repetitions of
// one case (for `valgrind --tool=callgrind`: instructions per repetition =
// (total of a run with n - total with 0) / n). Cases:
//   shared  mapping call with the shared event (headline; the event is shared once)
//   share   share + release of the event (per-hit cost)
//   hit5    one hit of 5 tags: share + 5 mapping calls + release
//   full    old path: mapping call with the event pushed per call
//   empty | event | build | lua   as before (see BENCHMARK-NOTES.md)
//   sharedempty  empty function, shared event argument
if let profile = ProcessInfo.processInfo.environment["BENCH_PROFILE"] {
    let n = Int(ProcessInfo.processInfo.environment["BENCH_N"] ?? "") ?? 10_000
    let emptyFn = try vm.load(source: "return function() end", chunkName: "tags/empty.lua")
    let buildFn = try vm.load(source: "return function() return {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,s=19,t={x=1,y=2,z=3}} end", chunkName: "tags/build.lua")
    let luaFn = try vm.load(source: luaOnlySource, chunkName: "tags/lua.lua")
    let shared = try vm.share(event)
    var sink = 0
    switch profile {
    case "shared":
        for _ in 0..<n { sink &+= try vm.call(module, arguments: [.ref(shared)], owner: "tags/p.lua").count }
    case "sharedempty":
        for _ in 0..<n { sink &+= try vm.call(emptyFn, arguments: [.ref(shared)], owner: "tags/p.lua").count }
    case "share":
        for _ in 0..<n {
            let r = try vm.share(event)
            vm.release(r)
            sink &+= 1
        }
    case "hit5":
        for _ in 0..<n { sink &+= try hit(tags) }
    default:
        let (function, args): (LuaRef, [LuaValue]) = switch profile {
        case "empty": (emptyFn, [])
        case "event": (emptyFn, [event])
        case "build": (buildFn, [])
        case "lua": (luaFn, [])
        default: (module, [event])
        }
        for _ in 0..<n { sink &+= try vm.call(function, args, owner: "tags/p.lua").count }
    }
    print("profiled \(profile) x \(n): \(sink)")
    exit(0)
}

let clock = ContinuousClock()

/// µs per repetition of one timed run of `iterations` repetitions of `body`.
@MainActor func sample(_ iterations: Int, _ body: () throws -> Int) throws -> Double {
    var sink = 0
    let elapsed = try clock.measure {
        for _ in 0..<iterations { sink &+= try body() }
    }
    precondition(sink != 0)
    let (s, a) = elapsed.components
    return (Double(s) * 1e6 + Double(a) / 1e12) / Double(iterations)
}

/// Median (and all samples) of `runs` timings of `iterations` repetitions of
/// `body`, in µs per repetition.
@MainActor func measure(runs: Int, iterations: Int, _ body: () throws -> Int) throws -> (median: Double, samples: [Double]) {
    var samples: [Double] = []
    for _ in 0..<runs { samples.append(try sample(iterations, body)) }
    samples.sort()
    return (samples[samples.count / 2], samples)
}

func report(_ label: String, _ m: (median: Double, samples: [Double])) {
    print(String(format: "%@: median %.3f µs  (runs: %@)", label, m.median,
                 m.samples.map { String(format: "%.3f", $0) }.joined(separator: " ")))
}

let iterations = 100_000
let runs = 7
let shared = try vm.share(event)  // one hit's event, kept for (a)

// The four cases are timed interleaved (a, b, c, d, a, b, ...), so load
// changes on this shared machine hit all of them alike.
typealias Case = (label: String, iterations: Int, body: () throws -> Int)
let cases: [Case] = [
    ("(a) per invocation, shared event (headline)", iterations, {
        try vm.call(module, arguments: [.ref(shared)], owner: "tags/mapping.lua").count
    }),
    ("(b) per hit: share + release the event", iterations, {
        let r = try vm.share(event)
        vm.release(r)
        return 1
    }),
    ("(c) old path: event pushed per invocation", iterations, {
        try vm.call(module, [event], owner: "tags/mapping.lua").count
    }),
    ("(d) hit with 5 tags (share + 5 invocations), per hit", iterations / 5, { try hit(tags) }),
]
var samples = Array(repeating: [Double](), count: cases.count)
for _ in 0..<runs {
    for (i, c) in cases.enumerated() { samples[i].append(try sample(c.iterations, c.body)) }
}
print("Realistic mapping call, release build; \(runs) interleaved runs, medians (µs):")
for (i, c) in cases.enumerated() {
    let sorted = samples[i].sorted()
    report(c.label, (sorted[runs / 2], sorted))
}
let perHit = samples[3].sorted()[runs / 2]
print(String(format: "    (d) per tag: %.3f µs", perHit / 5))
vm.release(shared)

// Breakdown: the same call shape with parts removed, to show where time goes.
print("breakdown (medians of 5 runs, µs):")
@MainActor func breakdown(_ label: String, _ function: LuaRef, _ args: [LuaValue]) throws {
    report("  " + label, try measure(runs: 5, iterations: iterations) {
        try vm.call(function, args, owner: "tags/b.lua").count &+ 1
    })
}
let empty = try vm.load(source: "return function() end", chunkName: "tags/empty.lua")
try breakdown("empty call, no args", empty, [])
try breakdown("empty call, event argument (push only)", empty, [event])
let build = try vm.load(source: "return function() return {a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=10,k=11,l=12,m=13,n=14,o=15,p=16,q=17,r=18,s=19,t={x=1,y=2,z=3}} end", chunkName: "tags/build.lua")
try breakdown("no args, returns 20-field table (read only)", build, [])
let luaOnly = try vm.load(source: luaOnlySource, chunkName: "tags/lua-only.lua")
try breakdown("same work inside Lua (event built and result dropped in Lua)", luaOnly, [])
