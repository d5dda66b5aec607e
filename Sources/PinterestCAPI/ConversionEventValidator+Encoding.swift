import TagdJSON

/// `conforms` and `JSONValue.encoded()` in one walk, for `submit`: a valid event (the common case) is
/// checked while it is written, so its dictionaries are visited and its members sorted once, not twice.
/// It gives `conforms`' verdict and `encoded()`'s bytes (a test holds it to both over many events); an
/// event that fails is explained by `check`, as before.
extension ConversionEventValidator {
    /// The event as `encoded()` writes it when it conforms to the event schema; nil when it does not.
    public func encodeEventIfValid(_ event: JSONValue) -> [UInt8]? {
        var out = JSONOutput(capacity: 2_048)
        guard encode(event, conformingTo: eventSchema, into: &out) else { return nil }
        return out.bytes
    }

    /// Whether `value` conforms to `node` (as `conforms` says); when it does, `out` has its bytes appended.
    /// When it does not, `out` holds a partial write that the caller drops.
    func encode(_ value: JSONValue, conformingTo node: SchemaNode, into out: inout JSONOutput) -> Bool {
        switch value {
        case .array, .object:
            break
        default:
            // A scalar: its check is cheap and its bytes do not depend on the node.
            guard conforms(value, to: node) else { return false }
            JSONWriter.write(value, to: &out)
            return true
        }
        if let kind = node.kind, !Self.value(value, hasKind: kind) { return false }
        if let allowed = node.enumValues, !allowed.contains(value) { return false }
        guard node.keywordsLookInside || (node.allOf.isEmpty && node.anyOf.isEmpty) else {
            return encode(value, throughIncludedSchemasOf: node, into: &out)
        }
        // This node writes; the schemas it includes only check.
        for included in node.allOf where !conforms(value, to: included) { return false }
        switch value {
        case .array(let elements):
            guard encode(elements, conformingTo: node, into: &out) else { return false }
        case .object(let members):
            guard encode(members, conformingTo: node, into: &out) else { return false }
        default:
            break
        }
        return node.anyOf.isEmpty || node.anyOf.contains { conforms(value, to: $0) }
    }

    /// A node whose own keywords do not look inside the value (user_data's: only `anyOf`; each alternative's:
    /// `required` and the properties schema it includes) lets an included schema write, so the members are
    /// walked once: the first of `allOf`, or the first alternative of `anyOf` that conforms.
    private func encode(_ value: JSONValue, throughIncludedSchemasOf node: SchemaNode, into out: inout JSONOutput) -> Bool {
        switch value {
        case .array(let elements):
            if let minItems = node.minItems, elements.count < minItems { return false }
            if let maxItems = node.maxItems, elements.count > maxItems { return false }
        case .object(let members):
            for field in node.required where members[field] == nil { return false }
        default:
            break
        }
        if let writer = node.allOf.first {
            for included in node.allOf.dropFirst() where !conforms(value, to: included) { return false }
            if !node.anyOf.isEmpty, !node.anyOf.contains(where: { conforms(value, to: $0) }) { return false }
            return encode(value, conformingTo: writer, into: &out)
        }
        let mark = out.count
        for alternative in node.anyOf {
            if encode(value, conformingTo: alternative, into: &out) { return true }
            out.truncate(to: mark)
        }
        return false
    }

    private func encode(_ elements: [JSONValue], conformingTo node: SchemaNode, into out: inout JSONOutput) -> Bool {
        if let minItems = node.minItems, elements.count < minItems { return false }
        if let maxItems = node.maxItems, elements.count > maxItems { return false }
        out.append(UInt8(ascii: "["))
        for (index, element) in elements.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            if node.holdsSHA256Hashes, let text = element.stringValue, !Self.isSHA256Hex(text) { return false }
            if let items = node.items {
                guard encode(element, conformingTo: items, into: &out) else { return false }
            } else {
                JSONWriter.write(element, to: &out)
            }
        }
        out.append(UInt8(ascii: "]"))
        return true
    }

    private func encode(_ members: [String: JSONValue], conformingTo node: SchemaNode, into out: inout JSONOutput) -> Bool {
        // Required fields that are properties are counted on the way; others are looked up.
        let countsRequired = node.requiredAreProperties
        if !countsRequired {
            for field in node.required where members[field] == nil { return false }
        }
        if node.propertyTable.isEmpty && node.additionalPropertiesAllowed {
            JSONWriter.write(.object(members), to: &out)
            return true
        }
        var requiredMet = 0
        let written = JSONWriter.withSortedMembers(members) { sorted in
            out.append(UInt8(ascii: "{"))
            for index in sorted.indices {
                JSONWriter.writeKey(sorted[index].key, first: index == 0, to: &out)
                if let (property, required) = node.propertyTable.entry(sorted[index].key) {
                    if required { requiredMet += 1 }
                    guard encode(sorted[index].value, conformingTo: property, into: &out) else { return false }
                } else if node.additionalPropertiesAllowed {
                    JSONWriter.write(sorted[index].value, to: &out)
                } else {
                    return false
                }
            }
            out.append(UInt8(ascii: "}"))
            return true
        }
        return written && (!countsRequired || requiredMet == node.distinctRequiredCount)
    }
}

extension SchemaNode {
    /// Whether a keyword of this node itself constrains the members or elements of a container.
    var keywordsLookInside: Bool {
        !propertyTable.isEmpty || !additionalPropertiesAllowed || items != nil || holdsSHA256Hashes
    }
}
