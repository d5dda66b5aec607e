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
        // Split on the byte: a dot is always a character boundary, and splitting by Character (grapheme
        // breaking) cost a quarter of a GA4 hit's intake.
        let segments = path.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Substring.init)
        guard !segments.isEmpty, !segments.contains(where: { $0.isEmpty }) else { throw .emptySegment }
        do throws(ConflictAt) {
            try set(value, at: segments[...], in: &fields)
        } catch {
            // The conflicting prefix is spelled out only here, so the usual case builds no path strings.
            throw .notAnObject(segments.prefix(error.depth + 1).joined(separator: "."))
        }
    }

    /// A conflict at the segment with this index.
    private struct ConflictAt: Error {
        let depth: Int
    }

    private static func set(
        _ value: JSONValue, at segments: ArraySlice<Substring>, in fields: inout [String: JSONValue]
    ) throws(ConflictAt) {
        guard let head = segments.first else { return }
        let key = String(head)
        let rest = segments.dropFirst()
        if rest.isEmpty {
            if case .object = fields[key], !isObject(value) { throw ConflictAt(depth: segments.startIndex) }
            fields[key] = value
            return
        }
        var child: [String: JSONValue]
        // Taken out, so the child object is uniquely referenced (changed in place) and put back after.
        switch fields.removeValue(forKey: key) {
        case nil: child = [:]
        case .object(let existing)?: child = existing
        case let other?:
            fields[key] = other
            throw ConflictAt(depth: segments.startIndex)
        }
        defer { fields[key] = .object(child) }
        try set(value, at: rest, in: &child)
    }

    private static func isObject(_ value: JSONValue) -> Bool {
        if case .object = value { return true }
        return false
    }
}
