import TagdJSON

/// What `conforms` notes on its way to a yes: the checks whose outcome depends on a value's content, not on
/// the event's shape (its kinds, counts and keys). Passing them all again proves the same verdict for another
/// event of the same shape (``EventShape``), so a tag's events, which share one shape hit after hit, are not
/// walked against the whole schema each time.
protocol ConformanceRecorder {
    associatedtype Value: JSONReadable
    /// False for the recorder that records nothing: `conforms` then skips every recording step.
    static var records: Bool { get }
    /// Where to come back to when an `anyOf` alternative fails: its checks prove nothing.
    var mark: Int { get }
    mutating func rewind(to mark: Int)
    /// The scalar `value` conforms to `node` (rerun whole: type, enum, length, hash, range).
    mutating func scalar(_ value: Value, conformsTo node: SchemaNode)
    /// The string `value` is a SHA-256 hash (an element of an array that holds hashes).
    mutating func sha256Hex(_ value: Value)
    /// A check on a container's content (`enum` of arrays or objects): the verdict is not the shape's.
    mutating func dependsOnContainerContent()
}

/// Records nothing: the plain walk.
struct NoRecorder<Value: JSONReadable>: ConformanceRecorder {
    static var records: Bool { false }
    var mark: Int { 0 }
    @inline(__always) mutating func rewind(to mark: Int) {}
    @inline(__always) mutating func scalar(_ value: Value, conformsTo node: SchemaNode) {}
    @inline(__always) mutating func sha256Hex(_ value: Value) {}
    @inline(__always) mutating func dependsOnContainerContent() {}
}

/// Records the checks of a flat event by node index from its root, for an ``EventShape``.
struct ShapeCheckRecorder: ConformanceRecorder {
    static var records: Bool { true }
    let root: Int
    private(set) var checks: [EventShape.Check] = []
    /// False once a check depended on a container's content: the shape cannot stand for the verdict.
    private(set) var shapeDecides = true

    var mark: Int { checks.count }
    mutating func rewind(to mark: Int) { checks.removeSubrange(mark...) }
    mutating func scalar(_ value: FlatJSON.Value, conformsTo node: SchemaNode) {
        checks.append(.conforms(value.index - root, node))
    }
    mutating func sha256Hex(_ value: FlatJSON.Value) { checks.append(.sha256Hex(value.index - root)) }
    mutating func dependsOnContainerContent() { shapeDecides = false }
}
