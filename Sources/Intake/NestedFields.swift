import TagdJSON

/// Values written at dotted paths (`user_data.address.city`) inside event fields, objects created on the way, and
/// appended to a `FlatJSON` once every value is written. GA4 has no nesting of its own, so dotted `ep.` names are
/// how gtag.js users send `user_data` and the like. Values are strings and numbers, never objects.
///
/// Every key is a node in one array, linked to its parent's first and next children, its bytes in one buffer: a
/// key is found among its siblings by comparing bytes while there are few nodes (a hit has a dozen or two) and
/// through an index past that. Keys that are not ASCII are compared as `String`s, as a dictionary would.
struct NestedFields {
    enum Conflict: Error {
        /// The path has an empty segment (`a..b`, a leading or trailing dot).
        case emptySegment
        /// A prefix of the path already holds a value, or the path's end already holds an object.
        case notAnObject(String)
        /// The path has more than `maxDepth` segments: deeper than tags can be given, and deep enough to exhaust
        /// the stack of whatever walks the event recursively.
        case tooDeep
    }

    /// The most segments a path may have (the depth to which events are shared into Lua).
    static let maxDepth = 32

    private struct Node {
        let parent: Int
        let keyStart: Int
        let keyCount: Int
        let keyIsASCII: Bool
        /// Nil for an object.
        var value: JSONValue?
        var firstChild = -1
        var lastChild = -1
        var nextSibling = -1
        var childCount = 0
    }

    private struct Place: Hashable {
        let parent: Int
        let key: String
    }

    /// Node 0 is the root object, made with the first value.
    private var nodes: [Node] = []
    private var keys: [UInt8] = []
    private var index: [Place: Int] = [:]
    /// Past this many nodes, keys are found through `index` instead of a scan of the siblings.
    private static let scanLimit = 32

    var isEmpty: Bool { nodes.count <= 1 }

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
        if nodes.isEmpty {
            nodes.reserveCapacity(16)  // a hit's dotted parameters make a dozen or two
            keys.reserveCapacity(128)
            nodes.append(Node(parent: -1, keyStart: 0, keyCount: 0, keyIsASCII: true, value: nil))
        }
        var parent = 0
        var start = 0
        while true {
            // A dot is always a character boundary: segments are cut on the byte.
            var end = start
            while end < path.count, path[end] != dot { end += 1 }
            let key = UnsafeBufferPointer(rebasing: path[start..<end])
            let keyIsASCII = UTF8Bytes.isASCII(key)
            let found = find(key, keyIsASCII, in: parent)
            if end == path.count {
                if let found {
                    if nodes[found].value == nil { throw Self.conflict(path, end) }
                    nodes[found].value = value
                } else {
                    add(key, keyIsASCII, in: parent, value)
                }
                return
            }
            if let found {
                guard nodes[found].value == nil else { throw Self.conflict(path, end) }
                parent = found
            } else {
                parent = add(key, keyIsASCII, in: parent, nil)
            }
            start = end + 1
        }
    }

    /// The conflict at the segment ending at `end`: the path up to there names it.
    private static func conflict(_ path: UnsafeBufferPointer<UInt8>, _ end: Int) -> Conflict {
        .notAnObject(String(decoding: UnsafeBufferPointer(rebasing: path[..<end]), as: UTF8.self))
    }

    private func find(_ key: UnsafeBufferPointer<UInt8>, _ keyIsASCII: Bool, in parent: Int) -> Int? {
        if nodes.count > Self.scanLimit { return index[Place(parent: parent, key: String(decoding: key, as: UTF8.self))] }
        // Through pointers: copying a node out of the array retained and released its value.
        return nodes.withUnsafeBufferPointer { nodes in
            keys.withUnsafeBufferPointer { keys in
                var child = nodes[parent].firstChild
                while child >= 0 {
                    let start = nodes[child].keyStart
                    let other = UnsafeBufferPointer(rebasing: keys[start..<(start + nodes[child].keyCount)])
                    if Self.sameKey(key, keyIsASCII, other, nodes[child].keyIsASCII) { return child }
                    child = nodes[child].nextSibling
                }
                return nil
            }
        }
    }

    /// Whether two keys name the same `String` (canonical equivalence, as a dictionary has it).
    static func sameKey(_ a: UnsafeBufferPointer<UInt8>, _ aIsASCII: Bool, _ b: UnsafeBufferPointer<UInt8>, _ bIsASCII: Bool) -> Bool {
        if UTF8Bytes.equal(a, b) { return true }
        if aIsASCII && bIsASCII { return false }
        return String(decoding: a, as: UTF8.self) == String(decoding: b, as: UTF8.self)
    }

    @discardableResult
    private mutating func add(_ key: UnsafeBufferPointer<UInt8>, _ keyIsASCII: Bool, in parent: Int, _ value: JSONValue?) -> Int {
        let position = nodes.count
        nodes.append(Node(parent: parent, keyStart: keys.count, keyCount: key.count, keyIsASCII: keyIsASCII, value: value))
        keys.append(contentsOf: key)
        if nodes[parent].lastChild >= 0 {
            nodes[nodes[parent].lastChild].nextSibling = position
        } else {
            nodes[parent].firstChild = position
        }
        nodes[parent].lastChild = position
        nodes[parent].childCount += 1
        if nodes.count > Self.scanLimit {
            if index.isEmpty {
                for i in 1..<nodes.count { index[place(i)] = i }
            } else {
                index[place(position)] = position
            }
        }
        return position
    }

    private func place(_ node: Int) -> Place {
        let start = nodes[node].keyStart
        return Place(parent: nodes[node].parent, key: String(decoding: keys[start..<(start + nodes[node].keyCount)], as: UTF8.self))
    }

    /// Appends the root's members (key, value) to an object `document` has open, leaving out those `skip` names;
    /// returns how many were appended.
    func appendRootMembers(to document: inout FlatJSON, skip: (UnsafeBufferPointer<UInt8>, Bool) -> Bool) -> Int {
        guard !isEmpty else { return 0 }
        return keys.withUnsafeBufferPointer { keys in
            var count = 0
            var child = nodes[0].firstChild
            while child >= 0 {
                let key = UnsafeBufferPointer(rebasing: keys[nodes[child].keyStart..<(nodes[child].keyStart + nodes[child].keyCount)])
                if !skip(key, nodes[child].keyIsASCII) {
                    appendMember(child, key: key, keys: keys, to: &document)
                    count += 1
                }
                child = nodes[child].nextSibling
            }
            return count
        }
    }

    /// Appends the root as an object.
    func appendObject(to document: inout FlatJSON) {
        let mark = document.beginContainer(.object, count: 0)
        let count = appendRootMembers(to: &document) { _, _ in false }
        document.endContainer(mark, count: count)
    }

    private func appendMember(_ node: Int, key: UnsafeBufferPointer<UInt8>, keys: UnsafeBufferPointer<UInt8>, to document: inout FlatJSON) {
        document.appendString(key)
        if let value = nodes[node].value {
            document.appendValue(value)
            return
        }
        let mark = document.beginContainer(.object, count: nodes[node].childCount)
        var child = nodes[node].firstChild
        while child >= 0 {
            let start = nodes[child].keyStart
            appendMember(child, key: UnsafeBufferPointer(rebasing: keys[start..<(start + nodes[child].keyCount)]), keys: keys, to: &document)
            child = nodes[child].nextSibling
        }
        document.endContainer(mark)
    }
}
