// What the dedup store costs in real time, single-threaded, the store as it was (a Dictionary and a FIFO per shard,
// BaselineDedupStore.swift) against the open-addressing one, in the same run, keys shaped as the sender's
// (account, event_name, event_id), a million-key store with a 48 h TTL:
//
//     swift build -c release --product DedupBenchmark && .build/release/DedupBenchmark [rounds] [old|new]
//         ns per insert filling 0..500k, 500k..1M, at capacity (each insert evicts the oldest), for duplicates
//         (refused), and for duplicates in a store of 1,000 keys (in cache: digest, clock and lock without misses);
//         median of `rounds` (3), stores alternating (or only one of them, for a profiler).
//     .build/release/DedupBenchmark rss new|old [keys]
//         peak resident memory after `keys` (1,000,000) distinct inserts into one store, in a process of its own.
import Dedup
import Foundation

let capacity = 1_000_000
let ttl = Duration.seconds(48 * 3600)

func key(_ n: Int, _ ids: [String]) -> DedupKey { DedupKey("549755885175", "checkout", ids[n]) }

/// Nanoseconds per call of `insert` over `range`, and how many calls returned true.
func timed(_ range: Range<Int>, _ insert: (Int) -> Bool) -> (ns: Double, wins: Int) {
    var wins = 0
    let start = ContinuousClock.now
    for n in range where insert(n) { wins += 1 }
    let elapsed = ContinuousClock.now - start
    let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    return (ns / Double(range.count), wins)
}

/// Per phase, ns per insert for one fresh store.
func phases(_ store: some DedupStoring, _ ids: [String]) -> [Double] {
    let half = capacity / 2
    let fill1 = timed(0..<half) { store.insertIfAbsent(key($0, ids), ttl: ttl) }
    let fill2 = timed(half..<capacity) { store.insertIfAbsent(key($0, ids), ttl: ttl) }
    let evict = timed(capacity..<2 * capacity) { store.insertIfAbsent(key($0, ids), ttl: ttl) }
    // The most recent half-million are held: each insert is refused.
    let duplicate = timed(capacity + half..<2 * capacity) { store.insertIfAbsent(key($0, ids), ttl: ttl) }
    precondition(fill1.wins == half && fill2.wins == half && evict.wins == capacity && duplicate.wins == 0)
    return [fill1.ns, fill2.ns, evict.ns, duplicate.ns]
}

/// ns per refused insert into a store of 1,000 keys, which stays in cache.
func hot(_ store: some DedupStoring, _ ids: [String]) -> Double {
    for n in 0..<1000 { _ = store.insertIfAbsent(key(n, ids), ttl: ttl) }
    return timed(0..<capacity) { store.insertIfAbsent(key($0 % 1000, ids), ttl: ttl) }.ns
}

func residentKilobytes(_ field: String) -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.flatMap { Int($0) } ?? 0)
    }
    return 0
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "rss" {
    let which = arguments.dropFirst().first ?? "new"
    let keys = arguments.dropFirst(2).first.flatMap(Int.init) ?? capacity
    let before = residentKilobytes("VmRSS")
    let store: any DedupStoring = which == "old" ? BaselineDedupStore(capacity: capacity) : DedupStore(capacity: capacity)
    for n in 0..<keys {
        _ = store.insertIfAbsent(DedupKey("549755885175", "checkout", "ev-\(n)"), ttl: ttl)
    }
    let peak = residentKilobytes("VmHWM")
    print("\(which) store, \(keys) keys: peak RSS \(peak / 1024) MB (\(before / 1024) MB before), "
        + "\((peak - before) * 1024 / max(1, keys)) bytes per key")
} else {
    let rounds = arguments.first.flatMap(Int.init) ?? 3
    let only = arguments.dropFirst().first
    let ids = (0..<2 * capacity).map { "ev-\($0)" }  // made once, outside the timings
    var old: [[Double]] = [], new: [[Double]] = []
    for _ in 0..<rounds {
        if only != "new" { old.append(phases(BaselineDedupStore(capacity: capacity), ids) + [hot(BaselineDedupStore(capacity: capacity), ids)]) }
        if only != "old" { new.append(phases(DedupStore(capacity: capacity), ids) + [hot(DedupStore(capacity: capacity), ids)]) }
    }
    func median(_ runs: [[Double]], _ phase: Int) -> Double {
        runs.isEmpty ? .nan : runs.map { $0[phase] }.sorted()[runs.count / 2]
    }
    print("ns per insert, median of \(rounds) rounds  old (Dictionary+FIFO)  new (open addressing)")
    let names = ["fill 0..500k", "fill 500k..1M", "at capacity, evicting", "duplicate (refused)", "duplicate, 1k-key store"]
    for (phase, name) in names.enumerated() {
        let (o, n) = (median(old, phase), median(new, phase))
        let label = name.padding(toLength: 26, withPad: " ", startingAt: 0)
        print(label + String(format: "%12.0f %22.0f   (%.2fx)", o, n, o / n))
    }
}
