/// Read access to a JSON value, for code that must work the same on `JSONValue` trees and on `FlatJSON`
/// documents (the sender's schema walk, user data hashing): one implementation of the rules, specialized by
/// the compiler for each form. Strings and keys are handed out as UTF-8 bytes, valid only inside the call.
public protocol JSONReadable {
    var kind: JSONKind { get }
    /// The payload of a `.bool`; nil for any other kind.
    var boolValue: Bool? { get }
    /// The payload of an `.int`; nil for any other kind.
    var intValue: Int64? { get }
    /// The payload of a `.double`; nil for any other kind.
    var doubleValue: Double? { get }
    /// The elements of an array or the members of an object; 0 for a scalar.
    var itemCount: Int { get }
    /// Calls `body` with a string's UTF-8 bytes; nil when the value is not a string.
    func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R?
    /// Calls `body` for each element of an array in order, stopping at the first false; false if one was.
    func allElements(_ body: (Self) -> Bool) -> Bool
    /// As `allElements`, for the members of an object, in no particular order.
    func allMembers(_ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: Self) -> Bool) -> Bool
    /// As `allMembers`, in the order `JSONValue.encoded()` writes them (keys sorted by `String`'s `<`).
    func allMembersSorted(_ body: (_ key: UnsafeBufferPointer<UInt8>, _ value: Self) -> Bool) -> Bool
    /// The member of an object named `name` (nil when absent or not an object).
    func member(_ name: String) -> Self?
    /// Appends what `JSONValue.encoded()` writes for the same value.
    func write(to out: inout JSONOutput)
    /// `==` as `JSONValue` has it (kinds must match: `1` is not `1.0`).
    func isEqual(to value: JSONValue) -> Bool
    /// The value as a tree, for the rare paths (explaining a refusal, reports).
    var jsonValue: JSONValue { get }
}

extension JSONReadable {
    /// The value as a double, for `.int` and `.double`.
    @inline(__always)
    public var numberValue: Double? {
        if let i = intValue { return Double(i) }
        return doubleValue
    }

    /// Whether an object has a member named `name` (false for any other kind).
    public func hasMember(_ name: String) -> Bool { member(name) != nil }

    /// A string's text (allocates for long strings).
    public var stringText: String? {
        withUTF8 { String(decoding: $0, as: UTF8.self) }
    }
}

extension JSONValue: JSONReadable {
    public var intValue: Int64? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var doubleValue: Double? {
        if case .double(let d) = self { return d }
        return nil
    }

    public var itemCount: Int {
        switch self {
        case .array(let elements): return elements.count
        case .object(let members): return members.count
        default: return 0
        }
    }

    public func withUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        guard case .string(var text) = self else { return nil }
        return text.withUTF8(body)
    }

    public func allElements(_ body: (JSONValue) -> Bool) -> Bool {
        guard case .array(let elements) = self else { return true }
        for element in elements where !body(element) { return false }
        return true
    }

    public func allMembers(_ body: (UnsafeBufferPointer<UInt8>, JSONValue) -> Bool) -> Bool {
        guard case .object(let members) = self else { return true }
        for (key, value) in members {
            var key = key
            if !key.withUTF8({ body($0, value) }) { return false }
        }
        return true
    }

    public func allMembersSorted(_ body: (UnsafeBufferPointer<UInt8>, JSONValue) -> Bool) -> Bool {
        guard case .object(let members) = self else { return true }
        return JSONWriter.withSortedMembers(members) { sorted in
            for member in sorted {
                var key = member.key
                if !key.withUTF8({ body($0, member.value) }) { return false }
            }
            return true
        }
    }

    public func member(_ name: String) -> JSONValue? { self[name] }

    public func write(to out: inout JSONOutput) {
        JSONWriter.write(self, to: &out)
    }

    public func isEqual(to value: JSONValue) -> Bool { self == value }

    public var jsonValue: JSONValue { self }
}
