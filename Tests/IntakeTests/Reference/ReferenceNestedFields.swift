import TagdJSON

@testable import Intake

/// The dictionary-building `NestedFields` that the flat one replaced, kept unchanged for `ReferenceGA4EventMapper`.
///
/// Values written at dotted paths (`user_data.address.city`) inside event fields, objects created on the way, and
/// made into JSON objects once every value is written. GA4 has no nesting of its own, so dotted `ep.` names are how
/// gtag.js users send `user_data` and the like.
///
/// While values are written, every key is a node in one array that names its parent: a key is found among its
/// siblings by a scan while there are few nodes (a hit has a dozen or two) and through an index past that. Writing
/// each value through nested dictionaries (taking a child out, changing it, putting it back) hashed every key on
/// the path twice and cost several thousand instructions a parameter.
struct ReferenceNestedFields {
    enum Conflict: Error {
        /// The path has an empty segment (`a..b`, a leading or trailing dot).
        case emptySegment
        /// A prefix of the path already holds a non-object value, or the path's end already holds an object.
        case notAnObject(String)
        /// The path has more than `maxDepth` segments: deeper than tags can be given, and deep enough to exhaust
        /// the stack of whatever walks the event recursively.
        case tooDeep
    }

    /// The most segments a path may have (the depth to which events are shared into Lua).
    static let maxDepth = 32

    private enum Slot {
        case value(JSONValue)
        case object
    }

    private struct Node {
        let parent: Int
        let key: String
        var slot: Slot
    }

    private struct Place: Hashable {
        let parent: Int
        let key: String
    }

    /// The root object's parent index.
    private static let root = -1
    /// The parent index of a member dropped with its object: never looked up.
    private static let dead = -2
    /// Past this many nodes, keys are found through `index` instead of a scan.
    private static let scanLimit = 32

    private var nodes: [Node] = []
    private var index: [Place: Int] = [:]

    var isEmpty: Bool { nodes.isEmpty }

    /// Writes `value` at the dotted path that is `name` after its first `offset` bytes (`user_data.address.city`
    /// in `ep.user_data.address.city`); a later value at the same path replaces the earlier one.
    mutating func set(_ value: JSONValue, at name: String, from offset: Int) throws(Conflict) {
        var name = name
        let result = name.withUTF8 { bytes in
            Result { () throws(Conflict) in try set(value, at: UnsafeBufferPointer(rebasing: bytes[min(offset, bytes.count)...])) }
        }
        try result.get()
    }

    private mutating func set(_ value: JSONValue, at path: UnsafeBufferPointer<UInt8>) throws(Conflict) {
        let dot = UInt8(ascii: ".")
        guard let first = path.first, let last = path.last, first != dot, last != dot else { throw .emptySegment }
        var segments = 1
        for i in 1..<path.count where path[i] == dot {
            if path[i - 1] == dot { throw .emptySegment }
            segments += 1
        }
        guard segments <= Self.maxDepth else { throw .tooDeep }
        var parent = Self.root
        var start = 0
        while true {
            // A dot is always a character boundary: segments are cut on the byte.
            var end = start
            while end < path.count, path[end] != dot { end += 1 }
            let key = String(decoding: UnsafeBufferPointer(rebasing: path[start..<end]), as: UTF8.self)
            let found = find(key, in: parent)
            if end == path.count {
                if let found {
                    if !Self.isObject(value), holdsObject(found) { throw Self.conflict(path, end) }
                    if case .object = nodes[found].slot { detachChildren(of: found) }
                    nodes[found].slot = .value(value)
                } else {
                    add(key, in: parent, .value(value))
                }
                return
            }
            if let found {
                switch nodes[found].slot {
                case .object: parent = found
                case .value(.object(let fields)):
                    // An object written earlier as a whole value: opened so the path goes on inside it.
                    nodes[found].slot = .object
                    for (key, value) in fields { add(key, in: found, .value(value)) }
                    parent = found
                case .value: throw Self.conflict(path, end)
                }
            } else {
                parent = add(key, in: parent, .object)
            }
            start = end + 1
        }
    }

    /// The conflict at the segment ending at `end`: the path up to there names it.
    private static func conflict(_ path: UnsafeBufferPointer<UInt8>, _ end: Int) -> Conflict {
        .notAnObject(String(decoding: UnsafeBufferPointer(rebasing: path[..<end]), as: UTF8.self))
    }

    /// Every value written, nested objects made.
    var fields: [String: JSONValue] {
        guard nodes.count > Self.scanLimit else {
            // Few nodes: an object's members are found by a scan (a node always comes after its parent).
            func object(_ parent: Int) -> [String: JSONValue] {
                var count = 0
                for i in (parent + 1)..<nodes.count where nodes[i].parent == parent { count += 1 }
                var fields = [String: JSONValue](minimumCapacity: count)
                for i in (parent + 1)..<nodes.count where nodes[i].parent == parent {
                    switch nodes[i].slot {
                    case .value(let value): fields[nodes[i].key] = value
                    case .object: fields[nodes[i].key] = .object(object(i))
                    }
                }
                return fields
            }
            return object(Self.root)
        }
        // Many: members listed by parent in one pass first.
        var children = [[Int]](repeating: [], count: nodes.count + 1)
        for (i, node) in nodes.enumerated() where node.parent != Self.dead { children[node.parent + 1].append(i) }
        func object(_ parent: Int) -> [String: JSONValue] {
            var fields = [String: JSONValue](minimumCapacity: children[parent + 1].count)
            for i in children[parent + 1] {
                switch nodes[i].slot {
                case .value(let value): fields[nodes[i].key] = value
                case .object: fields[nodes[i].key] = .object(object(i))
                }
            }
            return fields
        }
        return object(Self.root)
    }

    private func find(_ key: String, in parent: Int) -> Int? {
        if nodes.count > Self.scanLimit { return index[Place(parent: parent, key: key)] }
        return nodes.firstIndex { $0.parent == parent && $0.key == key }
    }

    @discardableResult
    private mutating func add(_ key: String, in parent: Int, _ slot: Slot) -> Int {
        if nodes.isEmpty { nodes.reserveCapacity(16) }  // a hit's dotted parameters make a dozen or two
        nodes.append(Node(parent: parent, key: key, slot: slot))
        if nodes.count > Self.scanLimit {
            if index.isEmpty {
                for (i, node) in nodes.enumerated() { index[Place(parent: node.parent, key: node.key)] = i }
            } else {
                index[Place(parent: parent, key: key)] = nodes.count - 1
            }
        }
        return nodes.count - 1
    }

    /// An object replaced by a value (an object written whole) drops its members: they are marked dead, no
    /// longer found, and left out of `fields`.
    private mutating func detachChildren(of parent: Int) {
        for i in (parent + 1)..<nodes.count where nodes[i].parent == parent {
            if !index.isEmpty { index[Place(parent: parent, key: nodes[i].key)] = nil }
            nodes[i] = Node(parent: Self.dead, key: nodes[i].key, slot: nodes[i].slot)
        }
    }

    private func holdsObject(_ node: Int) -> Bool {
        switch nodes[node].slot {
        case .object: return true
        case .value(let value): return Self.isObject(value)
        }
    }

    private static func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }
}
