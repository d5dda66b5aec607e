import TagdJSON

/// Turns the parameters of one GA4 event (query parameters with one body line laid over them) into common event
/// data. See `docs/event-data.md` for the table.
enum GA4EventMapper {
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
        var eventParameters: [(path: Substring, value: JSONValue, name: String)] = []
        var numericEventParameters: [(path: Substring, value: JSONValue, name: String)] = []
        var userProperties: [(path: Substring, value: JSONValue, name: String)] = []
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
            if let target = GA4ParameterNames.targets[name] {
                switch target {
                case .field(let field): event[field] = .string(value)
                case .systemProperty(let property): systemProperties[property] = .string(value)
                case .clientHint(let hint): clientHints[hint] = clientHint(hint, value)
                case .engagementTime: event[GA4ParameterNames.engagementTimeField] = try number(name, value)
                }
            } else if let (prefix, path) = splitPrefix(name) {
                switch prefix {
                case .eventParameter: eventParameters.append((path, .string(value), name))
                case .numericEventParameter: numericEventParameters.append((path, try number(name, value), name))
                case .userProperty: userProperties.append((path, .string(value), name))
                case .numericUserProperty: userProperties.append((path, try number(name, value), name))
                }
            } else if let position = itemPosition(name) {
                items.append((position, value, name))
            } else {
                unmapped[name] = .string(value)
            }
        }

        // Event parameters: strings first, then numbers, so `epn.value` wins over `ep.value`. Fields set from
        // protocol parameters (event_name, client_id, ...) win over an `ep.` of the same name.
        var custom: [String: JSONValue] = [:]
        for (path, value, name) in eventParameters + numericEventParameters {
            try setNested(value, at: path, in: &custom, parameter: name, location: location)
        }
        for (key, value) in custom where event[key] == nil { event[key] = value }

        if !userProperties.isEmpty {
            var properties: [String: JSONValue] = [:]
            for (path, value, name) in userProperties {
                try setNested(value, at: path, in: &properties, parameter: name, location: location)
            }
            event[GA4ParameterNames.userPropertiesField] = .object(properties)
        }
        if !items.isEmpty {
            var entries: [JSONValue] = []
            entries.reserveCapacity(items.count)
            for (_, text, name) in items.sorted(by: { $0.position < $1.position }) {
                do throws(GA4ItemParser.Failure) {
                    entries.append(.object(try GA4ItemParser.parse(text)))
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

    /// `ep.` / `epn.` / `up.` / `upn.` and the name after it, checked on bytes without hashing.
    private static func splitPrefix(_ name: String) -> (ParameterPrefix, Substring)? {
        let utf8 = name.utf8
        let prefix: ParameterPrefix
        if utf8.starts(with: "ep.".utf8) { prefix = .eventParameter }
        else if utf8.starts(with: "epn.".utf8) { prefix = .numericEventParameter }
        else if utf8.starts(with: "up.".utf8) { prefix = .userProperty }
        else if utf8.starts(with: "upn.".utf8) { prefix = .numericUserProperty }
        else { return nil }
        let length = prefix == .eventParameter || prefix == .userProperty ? 3 : 4
        return (prefix, name.dropFirst(length))  // the prefix is ASCII, so characters are bytes here
    }

    /// `pr1` -> 1. Only `pr` followed by digits alone; `prx` and overflowing numbers are not items.
    private static func itemPosition(_ name: String) -> Int? {
        let utf8 = name.utf8
        guard utf8.count > 2, utf8.starts(with: "pr".utf8) else { return nil }
        let digits = name.dropFirst(2)
        guard digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(digits)
    }

    private static func setNested(
        _ value: JSONValue, at path: Substring, in fields: inout [String: JSONValue], parameter: String, location: String
    ) throws(IntakeError) {
        do throws(NestedFields.Conflict) {
            try NestedFields.set(value, at: path, in: &fields)
        } catch {
            switch error {
            case .emptySegment:
                throw .malformed("\(location): parameter name \"\(parameter)\" has an empty part between dots")
            case .notAnObject(let key):
                throw .malformed("\(location): \(parameter) conflicts with another parameter: \(key) cannot be both a value and an object")
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
