import TagdJSON

/// Turns the parameters of one GA4 event (query parameters with one body line laid over them) into common event
/// data, written straight into the flat form the tags receive. See `docs/event-data.md` for the table.
///
/// Building a dictionary tree and converting it afterwards cost about twice as much: a `JSONValue` and a hashed
/// key per parameter, then a second walk.
enum GA4EventMapper {
    /// `location` names where the event came from in error messages ("the query string", "line 3 of the ...").
    static func event(from parameters: FormParameters, location: String, fields requestFields: RequestFields) throws(IntakeError) -> FlatJSON {
        guard let version = parameters["v"] else {
            throw .malformed("\(location): missing v (the protocol version; GA4 sends v=2)")
        }
        guard version == "2" else {
            throw .malformed("\(location): v=\(version) is not supported; only GA4's v=2 is")
        }
        guard parameters["en"]?.isEmpty == false else {
            throw .malformed("\(location): missing en (the event name)")
        }

        let entries = parameters.entries
        var byteCount = 0
        for (name, value) in entries { byteCount += name.utf8.count + value.utf8.count }
        // Two nodes a parameter and some for the objects; the key block, the values and the nested keys.
        let keys = GA4KeyBlock.shared
        var event = FlatJSON(nodeCapacity: 2 * entries.count + 24, byteCapacity: keys.bytes.count + byteCount + 8 * entries.count + 64)
        let keyBase = keys.append(to: &event)
        let root = event.beginContainer(.object, count: 0)
        var members = 0
        /// Bits of `GA4ParameterNames.rootFieldNames` set so far.
        var present: UInt64 = 0

        // Entry positions (and numbers, parsed) of each kind, in the order sent.
        var eventParameters: [(entry: Int, offset: Int)] = []
        var numericEventParameters: [(entry: Int, offset: Int, value: JSONValue)] = []
        var userProperties: [(entry: Int, offset: Int, value: JSONValue?)] = []
        var items: [(position: Int, entry: Int)] = []
        var systemProperties: [(property: String, entry: Int)] = []
        var clientHints: [(hint: String, entry: Int)] = []
        var unmapped: [Int] = []

        func number(_ name: String, _ value: String) throws(IntakeError) -> JSONValue {
            guard let number = NumericText.parse(value) else {
                throw .malformed("\(location): \(name) is not a number: \"\(value)\"")
            }
            return number
        }

        for (entry, (name, value)) in entries.enumerated() {
            if let (target, slot) = GA4ParameterNames.placedTarget(name) {
                switch target {
                case .field(let field):
                    if slot >= 0 { event.appendKey(keys.rootFields[slot], base: keyBase) } else { event.appendString(field) }
                    event.appendString(value)
                    members += 1
                    present |= 1 << slot
                case .systemProperty(let property): systemProperties.append((property, entry))
                case .clientHint(let hint): clientHints.append((hint, entry))
                case .engagementTime:
                    let time = try number(name, value)
                    event.appendKey(keys.rootFields[slot], base: keyBase)
                    event.appendValue(time)
                    members += 1
                    present |= 1 << slot
                }
            } else if let (prefix, offset) = splitPrefix(name) {
                switch prefix {
                case .eventParameter: eventParameters.append((entry, offset))
                case .numericEventParameter: numericEventParameters.append((entry, offset, try number(name, value)))
                case .userProperty: userProperties.append((entry, offset, nil))
                case .numericUserProperty: userProperties.append((entry, offset, try number(name, value)))
                }
            } else if let position = itemPosition(name) {
                items.append((position, entry))
            } else {
                unmapped.append(entry)
            }
        }

        // Event parameters: strings first, then numbers, so `epn.value` wins over `ep.value`. Fields set from
        // protocol parameters (event_name, client_id, ...) win over an `ep.` of the same name, and so do the
        // objects gathered below.
        var custom = NestedFields()
        for (entry, offset) in eventParameters {
            try setNested(.string(entries[entry].value), at: offset, in: &custom, parameter: entries[entry].name, location: location)
        }
        for (entry, offset, value) in numericEventParameters {
            try setNested(value, at: offset, in: &custom, parameter: entries[entry].name, location: location)
        }
        var properties = NestedFields()
        for (entry, offset, value) in userProperties {
            try setNested(value ?? .string(entries[entry].value), at: offset, in: &properties, parameter: entries[entry].name, location: location)
        }
        if !userProperties.isEmpty { present |= 1 << Slot.userProperties }
        if !items.isEmpty { present |= 1 << Slot.items }
        if !systemProperties.isEmpty { present |= 1 << Slot.systemProperties }
        if !clientHints.isEmpty { present |= 1 << Slot.clientHints }
        if !unmapped.isEmpty { present |= 1 << Slot.unmapped }

        // The request's fields are added unless a custom one of the same name is there.
        var hasClientIP = false, hasUserAgent = false
        members += custom.appendRootMembers(to: &event) { key, isASCII in
            if rootFieldSlot(key, isASCII).map({ present & (1 << $0) != 0 }) == true { return true }
            if sameKey(key, isASCII, "ip_override") { hasClientIP = true }
            if sameKey(key, isASCII, "user_agent") { hasUserAgent = true }
            return false
        }

        if !userProperties.isEmpty {
            event.appendKey(keys.rootFields[Slot.userProperties], base: keyBase)
            properties.appendObject(to: &event)
            members += 1
        }
        if !items.isEmpty {
            event.appendKey(keys.rootFields[Slot.items], base: keyBase)
            let array = event.beginContainer(.array, count: items.count)
            for (_, entry) in items.sorted(by: { $0.position < $1.position }) {
                let (name, text) = entries[entry]
                do throws(GA4ItemParser.Failure) {
                    try GA4ItemParser.append(text, to: &event, keyBase: keyBase)
                } catch {
                    switch error {
                    case .fieldTooShort(let field):
                        throw .malformed("\(location): \(name) has a field \"\(field)\" shorter than its two-letter code")
                    case .notANumber(let code, let value):
                        throw .malformed("\(location): \(name) field \(code) is not a number: \"\(value)\"")
                    case .tooManyFields(let limit):
                        throw .malformed("\(location): \(name) has more than \(limit) fields")
                    }
                }
            }
            event.endContainer(array)
            members += 1
        }
        if !systemProperties.isEmpty {
            event.appendKey(keys.rootFields[Slot.systemProperties], base: keyBase)
            let object = event.beginContainer(.object, count: systemProperties.count)
            for (property, entry) in systemProperties {
                event.appendString(property)
                event.appendString(entries[entry].value)
            }
            event.endContainer(object)
            members += 1
        }
        if !clientHints.isEmpty {
            event.appendKey(keys.rootFields[Slot.clientHints], base: keyBase)
            let object = event.beginContainer(.object, count: clientHints.count)
            for (hint, entry) in clientHints {
                event.appendString(hint)
                appendClientHint(hint, entries[entry].value, to: &event)
            }
            event.endContainer(object)
            members += 1
        }
        if !unmapped.isEmpty {
            event.appendKey(keys.rootFields[Slot.unmapped], base: keyBase)
            let object = event.beginContainer(.object, count: unmapped.count)
            for entry in unmapped {
                event.appendString(entries[entry].name)
                event.appendString(entries[entry].value)
            }
            event.endContainer(object)
            members += 1
        }
        if let ip = requestFields.clientIP, !hasClientIP {
            event.appendKey(keys.clientIP, base: keyBase)
            event.appendString(ip)
            members += 1
        }
        if let agent = requestFields.userAgent, !hasUserAgent {
            event.appendKey(keys.userAgent, base: keyBase)
            event.appendString(agent)
            members += 1
        }
        event.endContainer(root, count: members)
        return event
    }

    /// Where the gathered objects are in `GA4ParameterNames.rootFieldNames`.
    private enum Slot {
        static let userProperties = slot(GA4ParameterNames.userPropertiesField)
        static let items = slot(GA4ParameterNames.itemsField)
        static let systemProperties = slot(GA4ParameterNames.systemPropertiesField)
        static let clientHints = slot(GA4ParameterNames.clientHintsField)
        static let unmapped = slot(GA4ParameterNames.unmappedField)

        private static func slot(_ field: String) -> Int {
            guard let slot = GA4ParameterNames.rootFieldNames.firstIndex(of: field) else { preconditionFailure("\(field) is no root field") }
            return slot
        }
    }

    /// The index in `GA4ParameterNames.rootFieldNames` of a key that names one of them.
    private static func rootFieldSlot(_ key: UnsafeBufferPointer<UInt8>, _ isASCII: Bool) -> Int? {
        GA4ParameterNames.rootFieldNames.firstIndex { sameKey(key, isASCII, $0) }
    }

    /// Whether `key` names the same `String` as `name`; bytes first, as most keys differ in length.
    private static func sameKey(_ key: UnsafeBufferPointer<UInt8>, _ isASCII: Bool, _ name: String) -> Bool {
        if isASCII {
            guard key.count == name.utf8.count else { return false }
            var name = name
            return name.withUTF8 { UTF8Bytes.equal(key, $0) }
        }
        return String(decoding: key, as: UTF8.self) == name
    }

    private enum ParameterPrefix {
        case eventParameter, numericEventParameter, userProperty, numericUserProperty
    }

    /// `ep.` / `epn.` / `up.` / `upn.` and where the name after it starts, checked on the contiguous bytes
    /// (iterating `String.UTF8View` cost several times more) without hashing.
    private static func splitPrefix(_ name: String) -> (ParameterPrefix, Int)? {
        guard name.utf8.count >= 3 else { return nil }
        var name = name
        return name.withUTF8 { bytes -> (ParameterPrefix, Int)? in
            let numeric = bytes[2] == UInt8(ascii: "n")
            guard bytes[1] == UInt8(ascii: "p"),
                  numeric ? bytes.count > 3 && bytes[3] == UInt8(ascii: ".") : bytes[2] == UInt8(ascii: ".")
            else { return nil }
            switch bytes[0] {
            case UInt8(ascii: "e"): return numeric ? (.numericEventParameter, 4) : (.eventParameter, 3)
            case UInt8(ascii: "u"): return numeric ? (.numericUserProperty, 4) : (.userProperty, 3)
            default: return nil
            }
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
        _ value: JSONValue, at offset: Int, in fields: inout NestedFields, parameter: String, location: String
    ) throws(IntakeError) {
        do throws(NestedFields.Conflict) {
            try fields.set(value, at: parameter, from: offset)
        } catch {
            switch error {
            case .emptySegment:
                throw .malformed("\(location): parameter name \"\(parameter)\" has an empty part between dots")
            case .notAnObject(let key):
                throw .malformed("\(location): \(parameter) conflicts with another parameter: \(key) cannot be both a value and an object")
            case .tooDeep:
                throw .malformed("\(location): parameter name \"\(parameter.prefix(64))...\" nests deeper than \(NestedFields.maxDepth) levels")
            }
        }
    }

    /// `mobile` and `wow64` are booleans (`?1`/`1` true); `full_version_list` becomes `[{brand, version}]`;
    /// the rest stay strings.
    private static func appendClientHint(_ hint: String, _ value: String, to event: inout FlatJSON) {
        switch hint {
        case "mobile", "wow64":
            event.append(value == "1" || value == "?1")
        case "full_version_list":
            // "Chromium;128.0.6613.84|Not%3BA%3DBrand;24.0.0.0": brands are encoded once more inside the value.
            let entries = value.utf8.split(separator: UInt8(ascii: "|"))
            let array = event.beginContainer(.array, count: entries.count)
            for entry in entries {
                let separator = entry.lastIndex(of: UInt8(ascii: ";")) ?? entry.endIndex
                var invalid = false
                let brand = PercentDecoding.decode(entry[..<separator], sawInvalidEscape: &invalid)
                let version = separator == entry.endIndex ? "" : String(decoding: entry[entry.index(after: separator)...], as: UTF8.self)
                let object = event.beginContainer(.object, count: 2)
                event.appendString("brand")
                event.appendString(brand)
                event.appendString("version")
                event.appendString(version)
                event.endContainer(object)
            }
            event.endContainer(array)
        default:
            event.appendString(value)
        }
    }
}
