import TagdJSON

/// `conforms` and `JSONValue.encoded()` in one walk, for `submit`: a valid event (the common case) is
/// checked while it is written, so its dictionaries are visited and its members sorted once, not twice.
/// It gives `conforms`' verdict and `encoded()`'s bytes (a test holds it to both over many events); an
/// event that fails is explained by `check`, as before. Generic over the JSON form, like `conforms`.
extension ConversionEventValidator {
    /// The event as `encoded()` writes it when it conforms to the event schema; nil when it does not.
    public func encodeEventIfValid(_ event: some JSONReadable) -> [UInt8]? {
        var out = JSONOutput(capacity: 2_048)
        guard encodeEventIfValid(event, into: &out) else { return nil }
        return out.bytes
    }

    /// As `encodeEventIfValid(_:)`, appending to `out` (`submit` writes into a temporary buffer and the outbox
    /// copies it): true when the event conforms; when it does not, `out` holds a partial write to drop.
    public func encodeEventIfValid(_ event: some JSONReadable, into out: inout JSONOutput) -> Bool {
        encode(event, conformingTo: eventSchema, into: &out)
    }

    /// Whether `value` conforms to `node` (as `conforms` says); when it does, `out` has its bytes appended.
    /// When it does not, `out` holds a partial write that the caller drops.
    func encode<Value: JSONReadable>(_ value: Value, conformingTo node: SchemaNode, into out: inout JSONOutput) -> Bool {
        let kind = value.kind
        guard kind == .array || kind == .object else {
            // A scalar: its check is cheap and its bytes do not depend on the node.
            guard conforms(value, to: node) else { return false }
            value.write(to: &out)
            return true
        }
        if let typeKind = node.kind, !Self.value(value, hasKind: typeKind) { return false }
        if let allowed = node.enumValues, !allowed.contains(where: { value.isEqual(to: $0) }) { return false }
        guard node.keywordsLookInside || (node.allOf.isEmpty && node.anyOf.isEmpty) else {
            return encode(value, throughIncludedSchemasOf: node, into: &out)
        }
        // This node writes; the schemas it includes only check.
        for included in node.allOf where !conforms(value, to: included) { return false }
        if kind == .array {
            guard encode(elementsOf: value, conformingTo: node, into: &out) else { return false }
        } else {
            guard encode(membersOf: value, conformingTo: node, into: &out) else { return false }
        }
        return node.anyOf.isEmpty || node.anyOf.contains { conforms(value, to: $0) }
    }

    /// A node whose own keywords do not look inside the value (user_data's: only `anyOf`; each alternative's:
    /// `required` and the properties schema it includes) lets an included schema write, so the members are
    /// walked once: the first of `allOf`, or the first alternative of `anyOf` that conforms.
    private func encode<Value: JSONReadable>(
        _ value: Value, throughIncludedSchemasOf node: SchemaNode, into out: inout JSONOutput
    ) -> Bool {
        switch value.kind {
        case .array:
            if let minItems = node.minItems, value.itemCount < minItems { return false }
            if let maxItems = node.maxItems, value.itemCount > maxItems { return false }
        case .object:
            for field in node.required where !value.hasMember(field) { return false }
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

    private func encode<Value: JSONReadable>(
        elementsOf value: Value, conformingTo node: SchemaNode, into out: inout JSONOutput
    ) -> Bool {
        if let minItems = node.minItems, value.itemCount < minItems { return false }
        if let maxItems = node.maxItems, value.itemCount > maxItems { return false }
        out.append(UInt8(ascii: "["))
        var first = true
        // Read once, not per element: each read of a class's stored reference retains it.
        let holdsHashes = node.holdsSHA256Hashes
        let items = node.items.map(Unmanaged.passUnretained)
        let written = value.allElements { element in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if holdsHashes, element.withUTF8(Self.isSHA256Hex) == false { return false }
            if let items {
                return items._withUnsafeGuaranteedRef { encode(element, conformingTo: $0, into: &out) }
            }
            element.write(to: &out)
            return true
        }
        out.append(UInt8(ascii: "]"))
        return written
    }

    private func encode<Value: JSONReadable>(
        membersOf value: Value, conformingTo node: SchemaNode, into out: inout JSONOutput
    ) -> Bool {
        // Required fields that are properties are counted on the way; others are looked up.
        let countsRequired = node.requiredAreProperties
        if !countsRequired {
            for field in node.required where !value.hasMember(field) { return false }
        }
        if node.propertyTable.isEmpty && node.additionalPropertiesAllowed {
            value.write(to: &out)
            return true
        }
        var requiredMet = 0
        var first = true
        out.append(UInt8(ascii: "{"))
        let written = value.allMembersSorted { name, member in
            if let (property, required, key) = node.propertyTable.lookUpMember(utf8: name) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                out.append(key)  // a schema property's `"name":`, written once when the table was built
                if required { requiredMet += 1 }
                return property._withUnsafeGuaranteedRef { encode(member, conformingTo: $0, into: &out) }
            } else if node.additionalPropertiesAllowed {
                JSONWriter.writeKey(utf8: name, first: first, to: &out)
                first = false
                member.write(to: &out)
                return true
            }
            return false
        }
        out.append(UInt8(ascii: "}"))
        return written && (!countsRequired || requiredMet == node.distinctRequiredCount)
    }
}

extension SchemaNode {
    /// Whether a keyword of this node itself constrains the members or elements of a container.
    var keywordsLookInside: Bool {
        !propertyTable.isEmpty || !additionalPropertiesAllowed || items != nil || holdsSHA256Hashes
    }
}
