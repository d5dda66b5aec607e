import TagdJSON

/// A yes/no walk of the same rules as `check`, without paths, messages or sorting, so a valid
/// event (the common case) costs no allocation. `check` runs only when this says no, to explain
/// why; a test holds the two to the same verdict.
extension ConversionEventValidator {
    func conforms(_ value: JSONValue, to node: SchemaNode) -> Bool {
        for included in node.allOf where !conforms(value, to: included) { return false }
        if value.isNull { return node.nullable || node.type == nil }
        if let kind = node.kind, !Self.value(value, hasKind: kind) { return false }
        if let allowed = node.enumValues, !allowed.contains(value) { return false }
        switch value {
        case .string(let text):
            // Scalars never outnumber UTF-8 bytes: count them only when the bytes exceed the limit.
            if let maxLength = node.maxLength, text.utf8.count > maxLength, text.unicodeScalars.count > maxLength {
                return false
            }
            if node.holdsSHA256Hashes, !Self.isSHA256Hex(text) { return false }
        case .int, .double:
            guard let number = value.numberValue else { break }
            if let minimum = node.minimum, number < minimum { return false }
            if let maximum = node.maximum, number > maximum { return false }
            if node.isInt64, case .double(let d) = value, !(d >= -9.223_372_036_854_775_808e18 && d < 9.223_372_036_854_775_808e18) {
                return false
            }
        case .array(let elements):
            if let minItems = node.minItems, elements.count < minItems { return false }
            if let maxItems = node.maxItems, elements.count > maxItems { return false }
            for element in elements {
                if let items = node.items, !conforms(element, to: items) { return false }
                if node.holdsSHA256Hashes, let text = element.stringValue, !Self.isSHA256Hex(text) { return false }
            }
        case .object(let members):
            for field in node.required where members[field] == nil { return false }
            // A node with only `required` or `anyOf` (user_data and its alternatives) has no member to look up.
            if node.propertyTable.isEmpty && node.additionalPropertiesAllowed { break }
            for (name, member) in members {
                if let property = node.propertyTable[name] {
                    if !conforms(member, to: property) { return false }
                } else if !node.additionalPropertiesAllowed {
                    return false
                }
            }
        case .null, .bool:
            break
        }
        if !node.anyOf.isEmpty {
            return node.anyOf.contains { conforms(value, to: $0) }
        }
        return true
    }
}
