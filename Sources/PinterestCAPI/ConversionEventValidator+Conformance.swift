import TagdJSON

/// A yes/no walk of the same rules as `check`, without paths, messages or sorting, so a valid
/// event (the common case) costs no allocation. `check` runs only when this says no, to explain
/// why; a test holds the two to the same verdict. Generic over the JSON form (a `JSONValue` tree or a
/// `FlatJSON` document): one set of rules, specialized per form.
extension ConversionEventValidator {
    func conforms<Value: JSONReadable>(_ value: Value, to node: SchemaNode) -> Bool {
        var none = NoRecorder<Value>()
        return conforms(value, to: node, recording: &none)
    }

    /// `conforms`, noting in `recorder` the checks that depend on values rather than on the shape, along the
    /// path that says yes (a failed `anyOf` alternative's notes are dropped).
    func conforms<Recorder: ConformanceRecorder>(
        _ value: Recorder.Value, to node: SchemaNode, recording recorder: inout Recorder
    ) -> Bool {
        let kind = value.kind
        if Recorder.records, kind != .array, kind != .object {
            // One note, to rerun the whole check, where the verdict can depend on the scalar's content.
            guard conforms(value, to: node) else { return false }
            if node.constrainsScalarContent { recorder.scalar(value, conformsTo: node) }
            return true
        }
        for included in node.allOf where !conforms(value, to: included, recording: &recorder) { return false }
        if kind == .null { return node.nullable || node.type == nil }
        if let typeKind = node.kind, !Self.value(value, hasKind: typeKind) { return false }
        if let allowed = node.enumValues {
            recorder.dependsOnContainerContent()
            if !allowed.contains(where: { value.isEqual(to: $0) }) { return false }
        }
        switch kind {
        case .string:
            let passes = value.withUTF8 { text in
                // Scalars never outnumber UTF-8 bytes: count them only when the bytes exceed the limit.
                if let maxLength = node.maxLength, text.count > maxLength, Self.scalarCount(text) > maxLength {
                    return false
                }
                return !node.holdsSHA256Hashes || Self.isSHA256Hex(text)
            }
            if passes == false { return false }
        case .int, .double:
            guard let number = value.numberValue else { break }
            if let minimum = node.minimum, number < minimum { return false }
            if let maximum = node.maximum, number > maximum { return false }
            if node.isInt64, let d = value.doubleValue, !Self.fitsInt64(d) { return false }
        case .array:
            if let minItems = node.minItems, value.itemCount < minItems { return false }
            if let maxItems = node.maxItems, value.itemCount > maxItems { return false }
            let passes = value.allElements { element in
                if let items = node.items, !conforms(element, to: items, recording: &recorder) { return false }
                guard node.holdsSHA256Hashes, let hashed = element.withUTF8(Self.isSHA256Hex) else { return true }
                if hashed { recorder.sha256Hex(element) }
                return hashed
            }
            if !passes { return false }
        case .object:
            for field in node.required where !value.hasMember(field) { return false }
            // A node with only `required` or `anyOf` (user_data and its alternatives) has no member to look up.
            if node.propertyTable.isEmpty && node.additionalPropertiesAllowed { break }
            let passes = value.allMembers { name, member in
                if let property = node.propertyTable.lookUp(utf8: name)?.node {
                    return property._withUnsafeGuaranteedRef { conforms(member, to: $0, recording: &recorder) }
                }
                return node.additionalPropertiesAllowed
            }
            if !passes { return false }
        case .null, .bool:
            break
        }
        if !node.anyOf.isEmpty {
            let mark = recorder.mark
            for alternative in node.anyOf {
                if conforms(value, to: alternative, recording: &recorder) { return true }
                recorder.rewind(to: mark)
            }
            return false
        }
        return true
    }
}
