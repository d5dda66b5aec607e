import TagdJSON

/// Checks JSON values against Pinterest's own OpenAPI description of the events endpoint, so that
/// tagd never sends a body Pinterest would refuse and the rules cannot drift from Pinterest's.
///
/// The rules come from the schema at run time (see ``SchemaCompiler``); one rule is added that the
/// schema states only in prose: user_data fields described as "Sha256 hashes" must hold 64 lowercase
/// hex characters, because sending plain emails or names would leak personal data.
public struct ConversionEventValidator: Sendable {
    /// The validator for the schema compiled into this module (`Schema/EmbeddedSchema.swift`).
    public static let pinterest: ConversionEventValidator = {
        do {
            return try ConversionEventValidator(openAPIDocument: JSONValue.parse(EmbeddedSchema.openAPIDocument))
        } catch {
            // The embedded text is part of the build, not input; a test parses it on every CI run.
            fatalError("the embedded Pinterest schema is unusable: \(error)")
        }
    }()

    private let schemas: [PinterestSchema: SchemaNode]
    let eventSchema: SchemaNode
    /// Shapes of flat events seen to conform, with the checks that decided it (`encodeEventIfValid`).
    let shapes = EventShapeCache()
    /// Keywords in the document that this validator does not interpret (empty for the shipped schema).
    public let unsupportedKeywords: [String]

    public init(openAPIDocument: JSONValue) throws(SchemaError) {
        var compiler = SchemaCompiler(document: openAPIDocument)
        var schemas: [PinterestSchema: SchemaNode] = [:]
        for schema in PinterestSchema.allCases {
            schemas[schema] = try compiler.compile(reference: schema.reference)
        }
        self.schemas = schemas
        self.eventSchema = try compiler.compile(
            reference: PinterestSchema.conversionEvents.reference + "/properties/data/items")
        self.unsupportedKeywords = compiler.unsupportedKeywords
    }

    public init(openAPIDocument bytes: some Collection<UInt8>) throws(SchemaError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes)
        } catch {
            throw SchemaError(reason: error.description)
        }
        try self.init(openAPIDocument: document)
    }

    /// Checks one event: an item of `ConversionEvents.data`. Paths are relative to the event.
    public func validateEvent(_ event: JSONValue) -> [ContractViolation] {
        if conforms(event, to: eventSchema) { return [] }
        var violations: [ContractViolation] = []
        check(event, against: eventSchema, at: "", into: &violations)
        return violations
    }

    /// Checks a whole request body (`{"data": [...]}`). Paths start at the body (`data[2].event_id`).
    public func validateBody(_ body: JSONValue) -> [ContractViolation] {
        validate(body, against: .conversionEvents)
    }

    /// Checks a value against one of the endpoint's named schemas (request body or a response shape).
    public func validate(_ value: JSONValue, against schema: PinterestSchema) -> [ContractViolation] {
        guard let node = schemas[schema] else { return [] }  // every case is compiled in init
        if conforms(value, to: node) { return [] }
        var violations: [ContractViolation] = []
        check(value, against: node, at: "", into: &violations)
        return violations
    }

    /// Whether `value` conforms to one of the endpoint's named schemas (`validate` finds no violation), in
    /// either JSON form.
    public func conforms(_ value: some JSONReadable, to schema: PinterestSchema) -> Bool {
        guard let node = schemas[schema] else { return true }  // every case is compiled in init
        return conforms(value, to: node)
    }

    /// The user_data fields the schema describes as SHA-256 hashes, sorted.
    public var hashedUserDataFields: [String] {
        let userData = eventSchema.properties["user_data"]
        let alternatives = userData.map { [$0] + $0.allOf + $0.anyOf.flatMap { [$0] + $0.allOf } } ?? []
        var fields = Set<String>()
        for node in alternatives {
            for (name, property) in node.properties where property.holdsSHA256Hashes { fields.insert(name) }
        }
        return fields.sorted()
    }
}

// MARK: - Walking a value against a schema

extension ConversionEventValidator {
    func check(_ value: JSONValue, against node: SchemaNode, at path: String, into violations: inout [ContractViolation]) {
        for included in node.allOf {
            check(value, against: included, at: path, into: &violations)
        }
        if value.isNull {
            if !node.nullable, let type = node.type {
                violations.append(ContractViolation(path: path, message: "expected \(type), got null"))
            }
            return
        }
        if let type = node.type, !Self.value(value, hasType: type) {
            violations.append(ContractViolation(path: path, message: "expected \(type), got \(value.typeName)"))
            return  // the other keywords assume the type
        }
        if let allowed = node.enumValues, !allowed.contains(value) {
            let choices = allowed.map { $0.stringValue ?? $0.encodedString() }.joined(separator: ", ")
            violations.append(ContractViolation(path: path, message: "expected one of \(choices); got \(Self.show(value))"))
        }
        switch value {
        case .string(let text):
            checkString(text, against: node, at: path, into: &violations)
        case .int, .double:
            checkNumber(value, against: node, at: path, into: &violations)
        case .array(let elements):
            checkArray(elements, against: node, at: path, into: &violations)
        case .object(let members):
            checkObject(members, against: node, at: path, into: &violations)
        case .null, .bool:
            break
        }
        if !node.anyOf.isEmpty {
            checkAnyOf(value, alternatives: node.anyOf, at: path, into: &violations)
        }
    }

    private func checkString(_ text: String, against node: SchemaNode, at path: String, into violations: inout [ContractViolation]) {
        if let maxLength = node.maxLength {
            let length = text.unicodeScalars.count
            if length > maxLength {
                violations.append(ContractViolation(path: path, message: "longer than \(maxLength) characters (\(length))"))
            }
        }
        if node.holdsSHA256Hashes, !Self.isSHA256Hex(text) {
            violations.append(ContractViolation(path: path, message: Self.notAHashMessage))
        }
    }

    private func checkNumber(_ value: JSONValue, against node: SchemaNode, at path: String, into violations: inout [ContractViolation]) {
        guard let number = value.numberValue else { return }
        if let minimum = node.minimum, number < minimum {
            violations.append(ContractViolation(path: path, message: "must be at least \(Self.show(minimum)), got \(Self.show(value))"))
        }
        if let maximum = node.maximum, number > maximum {
            violations.append(ContractViolation(path: path, message: "must be at most \(Self.show(maximum)), got \(Self.show(value))"))
        }
        if node.isInt64, case .double(let d) = value, !Self.fitsInt64(d) {
            violations.append(ContractViolation(path: path, message: "does not fit a 64-bit integer"))
        }
    }

    private func checkArray(_ elements: [JSONValue], against node: SchemaNode, at path: String, into violations: inout [ContractViolation]) {
        if let minItems = node.minItems, elements.count < minItems {
            violations.append(ContractViolation(path: path, message: "needs at least \(minItems) item\(minItems == 1 ? "" : "s"), got \(elements.count)"))
        }
        if let maxItems = node.maxItems, elements.count > maxItems {
            violations.append(ContractViolation(path: path, message: "allows at most \(maxItems) items, got \(elements.count)"))
        }
        for (index, element) in elements.enumerated() {
            let elementPath = "\(path)[\(index)]"
            if let items = node.items {
                check(element, against: items, at: elementPath, into: &violations)
            }
            if node.holdsSHA256Hashes, let text = element.stringValue, !Self.isSHA256Hex(text) {
                violations.append(ContractViolation(path: elementPath, message: Self.notAHashMessage))
            }
        }
    }

    private func checkObject(_ members: [String: JSONValue], against node: SchemaNode, at path: String, into violations: inout [ContractViolation]) {
        for field in node.required where members[field] == nil {
            violations.append(ContractViolation(path: Self.join(path, field), message: "required field missing", missingRequiredIn: path))
        }
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            if let property = node.properties[name] {
                check(member, against: property, at: Self.join(path, name), into: &violations)
            } else if !node.additionalPropertiesAllowed {
                violations.append(ContractViolation(path: path, message: "unknown field '\(name)'"))
            }
        }
    }

    /// Passes when one alternative passes. Otherwise it reports the faults of the alternative whose
    /// required fields are all present (the one the sender meant), or, when none has them, one line
    /// naming what would do: `needs em, or hashed_maids, or client_ip_address and client_user_agent`.
    private func checkAnyOf(_ value: JSONValue, alternatives: [SchemaNode], at path: String, into violations: inout [ContractViolation]) {
        var results: [[ContractViolation]] = []
        for alternative in alternatives {
            var found: [ContractViolation] = []
            check(value, against: alternative, at: path, into: &found)
            if found.isEmpty { return }
            results.append(found)
        }
        let missesRequired: ([ContractViolation]) -> Bool = { $0.contains { $0.missingRequiredIn == path } }
        if let chosen = results.first(where: { !missesRequired($0) }) {
            violations.append(contentsOf: chosen)
            return
        }
        let options = alternatives.map { $0.allRequired.joined(separator: " and ") }.filter { !$0.isEmpty }
        violations.append(ContractViolation(path: path, message: "needs " + options.joined(separator: ", or ")))
        // Faults that every alternative shares (a malformed field, say) are reported once as well.
        if let first = results.first {
            let shared = first.filter { violation in
                violation.missingRequiredIn != path && results.allSatisfy { $0.contains(violation) }
            }
            violations.append(contentsOf: shared)
        }
    }
}

// MARK: - Helpers

extension ConversionEventValidator {
    static let notAHashMessage =
        "expected a SHA-256 hash (64 lowercase hex characters): Pinterest wants this field hashed, never in plain text"

    /// Whether `value` is of the OpenAPI `type`. An integral double counts as an integer because
    /// `JSONValue.encoded()` writes it without a fraction, which is what Pinterest receives.
    static func value(_ value: JSONValue, hasType type: String) -> Bool {
        Self.value(value, hasKind: SchemaNode.TypeKind(type))
    }

    static func value(_ value: some JSONReadable, hasKind kind: SchemaNode.TypeKind) -> Bool {
        switch (kind, value.kind) {
        case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object): return true
        case (.number, .int), (.number, .double), (.integer, .int): return true
        case (.integer, .double):
            guard let d = value.doubleValue else { return false }
            return d.isFinite && d == d.rounded(.towardZero) && abs(d) < 1e15
        default: return false
        }
    }

    /// Whether a double converts to an `Int64` without overflow (the schema's `int64` format).
    @inline(__always)
    static func fitsInt64(_ d: Double) -> Bool {
        d >= -9.223_372_036_854_775_808e18 && d < 9.223_372_036_854_775_808e18
    }

    static func isSHA256Hex(_ text: String) -> Bool {
        guard text.utf8.count == 64 else { return false }
        var text = text
        return text.withUTF8(isSHA256Hex)
    }

    /// One pass over the contiguous bytes: walking the UTF-8 view index by index cost more than the rest of
    /// validating an event.
    static func isSHA256Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 64 && UTF8Bytes.isLowerHex(bytes)
    }

    /// Unicode scalars in valid UTF-8: the bytes that are not continuation bytes (`String.unicodeScalars.count`).
    static func scalarCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    static func join(_ path: String, _ field: String) -> String {
        path.isEmpty ? field : "\(path).\(field)"
    }

    /// A value for a message. Strings are not echoed beyond enum mismatches, which show their own text.
    static func show(_ value: JSONValue) -> String {
        if let text = value.stringValue { return "'\(text.prefix(40))'" }
        return value.encodedString()
    }

    static func show(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}
