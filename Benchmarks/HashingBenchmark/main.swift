// What hashing user data costs, single-threaded, on the benchmark hit's nine values (BENCHMARKS.md):
//   (a) SHA-256 and hex of one value (`SHA256Hex.hash`),
//   (b) the nine fields normalized and hashed into Pinterest's wire form (`UserDataHasher.wireForm`), as
//       `hash.user_data` does for a hit.
//
//     swift run -c release HashingBenchmark [rounds]
import Foundation
import TagdJSON
import UserDataHashing

let values = [
    " John.Smith@Example.com ", "+1 (650) 555-1212", "John", "Smith", "San Francisco", "CA", "94105", "US", "User-123",
]
let userData: JSONValue = [
    "em": " John.Smith@Example.com ", "ph": "+1 (650) 555-1212", "fn": "John", "ln": "Smith", "ct": "San Francisco",
    "st": "CA", "zp": "94105", "country": "US", "external_id": "User-123",
]
let hasher = UserDataHasher()
let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5

/// Median nanoseconds per operation of `rounds` timings of `count` operations.
func measure(_ count: Int, _ operation: (Int) -> Int) -> Double {
    var times: [Double] = []
    var sink = 0
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count { sink &+= operation(i) }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(count))
    }
    if sink == 42 { print("") }  // keeps the work
    return times.sorted()[times.count / 2]
}

let perHash = measure(900_000) { SHA256Hex.hash(values[$0 % values.count]).utf8.count }
print(String(format: "SHA-256 and hex of one value:              %7.1f ns (median of %d rounds)", perHash, rounds))
let perUserData = measure(100_000) { _ in
    ((try? hasher.wireForm(of: userData, unlessAlready: false)) ?? nil)?.valueCount ?? 0
}
print(String(format: "nine fields normalized and hashed (wire): %7.1f ns (median of %d rounds)", perUserData, rounds))
