import TagdJSON

@testable import Intake

/// The dictionary-tree mapper that `GA4EventMapper` replaced, kept unchanged as `GA4DifferentialTests`' oracle.
///
/// Turns the parameters of one GA4 event (query parameters with one body line laid over them) into common event
/// data. See `docs/event-data.md` for the table.
enum ReferenceGA4EventMapper {
    /// `location` names where the event came from in error messages ("the query string", "line 3 of the ...").
    static func event(from parameters: FormParameters, location: String) throws(IntakeError) -> [String: JSONValue] {
        guard let version = parameters["v"] else {
            throw .malformed("\(location): missing v (the protocol version; GA4 sends v=2)")
        }
        guard version == "2" else {
            throw .malformed("\(location): v=\(version) is not supported; only GA4's v=2 is")
        }
        guard parameters["en"]?.isEmpty == false else {
            throw .malformed("\(location): missing en (the event name)")
        }

        var event: [String: JSONValue] = [:]
        var eventParameters: [(offset: Int, value: JSONValue, name: String)] = []
        var numericEventParameters: [(offset: Int, value: JSONValue, name: String)] = []
        var userProperties: [(offset: Int, value: JSONValue, name: String)] = []
        var items: [(position: Int, text: String, name: String)] = []
        var systemProperties: [String: JSONValue] = [:]
        var clientHints: [String: JSONValue] = [:]
        var unmapped: [String: JSONValue] = [:]

        func number(_ name: String, _ value: String) throws(IntakeError) -> JSONValue {
            guard let number = NumericText.parse(value) else {
                throw .malformed("\(location): \(name) is not a number: \"\(value)\"")
            }
            return number
        }

        event.reserveCapacity(parameters.count + 4)
        for (name, value) in parameters.entries {
            if let target = GA4ParameterNames.target(name) {
                switch target {
                case .field(let field): event[field] = .string(value)
                case .systemProperty(let property): systemProperties[property] = .string(value)
                case .clientHint(let hint): clientHints[hint] = clientHint(hint, value)
                case .engagementTime: event[GA4ParameterNames.engagementTimeField] = try number(name, value)
                }
            } else if let (prefix, offset) = splitPrefix(name) {
                switch prefix {
                case .eventParameter: eventParameters.append((offset, .string(value), name))
                case .numericEventParameter: numericEventParameters.append((offset, try number(name, value), name))
                case .userProperty: userProperties.append((offset, .string(value), name))
                case .numericUserProperty: userProperties.append((offset, try number(name, value), name))
                }
            } else if let position = itemPosition(name) {
                items.append((position, value, name))
            } else {
                unmapped[name] = .string(value)
            }
        }

        // Event parameters: strings first, then numbers, so `epn.value` wins over `ep.value`. Fields set from
        // protocol parameters (event_name, client_id, ...) win over an `ep.` of the same name.
        var custom = ReferenceNestedFields()
        for (offset, value, name) in eventParameters + numericEventParameters {
            try setNested(value, at: offset, in: &custom, parameter: name, location: location)
        }
        if !custom.isEmpty {
            for (key, value) in custom.fields where event[key] == nil { event[key] = value }
        }

        if !userProperties.isEmpty {
            var properties = ReferenceNestedFields()
            for (offset, value, name) in userProperties {
                try setNested(value, at: offset, in: &properties, parameter: name, location: location)
            }
            event[GA4ParameterNames.userPropertiesField] = .object(properties.fields)
        }
        if !items.isEmpty {
            var entries: [JSONValue] = []
            entries.reserveCapacity(items.count)
            for (_, text, name) in items.sorted(by: { $0.position < $1.position }) {
                do throws(ReferenceGA4ItemParser.Failure) {
                    entries.append(.object(try ReferenceGA4ItemParser.parse(text)))
                } catch {
                    switch error {
                    case .fieldTooShort(let field):
                        throw .malformed("\(location): \(name) has a field \"\(field)\" shorter than its two-letter code")
                    case .notANumber(let code, let value):
                        throw .malformed("\(location): \(name) field \(code) is not a number: \"\(value)\"")
                    }
                }
            }
            event[GA4ParameterNames.itemsField] = .array(entries)
        }
        if !systemProperties.isEmpty { event[GA4ParameterNames.systemPropertiesField] = .object(systemProperties) }
        if !clientHints.isEmpty { event[GA4ParameterNames.clientHintsField] = .object(clientHints) }
        if !unmapped.isEmpty { event[GA4ParameterNames.unmappedField] = .object(unmapped) }
        return event
    }

    private enum ParameterPrefix {
        case eventParameter, numericEventParameter, userProperty, numericUserProperty
    }

    /// `ep.` / `epn.` / `up.` / `upn.` and where the name after it starts, checked on bytes without hashing.
    private static func splitPrefix(_ name: String) -> (ParameterPrefix, Int)? {
        let utf8 = name.utf8
        guard utf8.count >= 3 else { return nil }
        var bytes = utf8.makeIterator()
        let (a, b, c) = (bytes.next(), bytes.next(), bytes.next())
        switch (a, b, c) {
        case (UInt8(ascii: "e"), UInt8(ascii: "p"), UInt8(ascii: ".")): return (.eventParameter, 3)
        case (UInt8(ascii: "u"), UInt8(ascii: "p"), UInt8(ascii: ".")): return (.userProperty, 3)
        case (UInt8(ascii: "e"), UInt8(ascii: "p"), UInt8(ascii: "n")):
            return bytes.next() == UInt8(ascii: ".") ? (.numericEventParameter, 4) : nil
        case (UInt8(ascii: "u"), UInt8(ascii: "p"), UInt8(ascii: "n")):
            return bytes.next() == UInt8(ascii: ".") ? (.numericUserProperty, 4) : nil
        default: return nil
        }
    }

    /// `pr1` -> 1. Only `pr` followed by digits alone; `prx` and overflowing numbers are not items.
    private static func itemPosition(_ name: String) -> Int? {
        let utf8 = name.utf8
        guard utf8.count > 2 else { return nil }
        var bytes = utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "p"), bytes.next() == UInt8(ascii: "r") else { return nil }
        var position = 0
        while let byte = bytes.next() {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow) = position.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            if overflow || overflow2 { return nil }
            position = sum
        }
        return position
    }

    private static func setNested(
        _ value: JSONValue, at offset: Int, in fields: inout ReferenceNestedFields, parameter: String, location: String
    ) throws(IntakeError) {
        do throws(ReferenceNestedFields.Conflict) {
            try fields.set(value, at: parameter, from: offset)
        } catch {
            switch error {
            case .emptySegment:
                throw .malformed("\(location): parameter name \"\(parameter)\" has an empty part between dots")
            case .notAnObject(let key):
                throw .malformed("\(location): \(parameter) conflicts with another parameter: \(key) cannot be both a value and an object")
            case .tooDeep:
                throw .malformed("\(location): parameter name \"\(parameter.prefix(64))...\" nests deeper than \(ReferenceNestedFields.maxDepth) levels")
            }
        }
    }

    /// `mobile` and `wow64` are booleans (`?1`/`1` true); `full_version_list` becomes `[{brand, version}]`;
    /// the rest stay strings.
    private static func clientHint(_ hint: String, _ value: String) -> JSONValue {
        switch hint {
        case "mobile", "wow64":
            return .bool(value == "1" || value == "?1")
        case "full_version_list":
            // "Chromium;128.0.6613.84|Not%3BA%3DBrand;24.0.0.0": brands are encoded once more inside the value.
            let entries = value.utf8.split(separator: UInt8(ascii: "|")).map { entry -> JSONValue in
                let separator = entry.lastIndex(of: UInt8(ascii: ";")) ?? entry.endIndex
                var invalid = false
                let brand = PercentDecoding.decode(entry[..<separator], sawInvalidEscape: &invalid)
                let version = separator == entry.endIndex ? "" : String(decoding: entry[entry.index(after: separator)...], as: UTF8.self)
                return .object(["brand": .string(brand), "version": .string(version)])
            }
            return .array(entries)
        default:
            return .string(value)
        }
    }
}
