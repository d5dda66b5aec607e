import TagdJSON

/// Writes a value at a dotted path (`user_data.address.city`) inside event fields, creating objects on the way.
/// GA4 has no nesting of its own, so dotted `ep.` names are how gtag.js users send `user_data` and the like.
enum NestedFields {
    enum Conflict: Error {
        /// The path has an empty segment (`a..b`, a leading or trailing dot).
        case emptySegment
        /// A prefix of the path already holds a non-object value, or the path's end already holds an object.
        case notAnObject(String)
    }

    static func set(_ value: JSONValue, at path: Substring, in fields: inout [String: JSONValue]) throws(Conflict) {
        let segments = path.split(separator: ".", omittingEmptySubsequences: false)
        guard !segments.isEmpty, !segments.contains(where: \.isEmpty) else { throw .emptySegment }
        try set(value, at: segments[...], in: &fields, walked: "")
    }

    private static func set(
        _ value: JSONValue, at segments: ArraySlice<Substring>, in fields: inout [String: JSONValue], walked: String
    ) throws(Conflict) {
        guard let head = segments.first else { return }
        let key = String(head)
        let here = walked.isEmpty ? key : walked + "." + key
        let rest = segments.dropFirst()
        if rest.isEmpty {
            if case .object = fields[key], !isObject(value) { throw .notAnObject(here) }
            fields[key] = value
            return
        }
        var child: [String: JSONValue]
        switch fields[key] {
        case nil: child = [:]
        case .object(let existing): child = existing
        default: throw .notAnObject(here)
        }
        fields[key] = nil  // keep the child uniquely referenced while it is changed
        try set(value, at: rest, in: &child, walked: here)
        fields[key] = .object(child)
    }

    private static func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }
}
