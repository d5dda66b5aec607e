import TagdJSON

/// One schema object of the OpenAPI document, `$ref`s resolved, in the form the validator walks.
/// Built once by ``SchemaCompiler``; immutable afterwards, so it is shared freely between threads.
final class SchemaNode: Sendable {
    let type: String?
    /// `type` as a case, for the fast paths: comparing type names per value showed in the profile.
    let kind: TypeKind?
    let nullable: Bool
    let properties: [String: SchemaNode]
    /// `properties` again, for the validator's fast path.
    let propertyTable: PropertyTable
    let required: [String]
    /// Every required field is one of `properties`: a walk over the members counts them (`propertyTable`
    /// marks them) instead of looking each one up; `distinctRequiredCount` is how many it must meet.
    let requiredAreProperties: Bool
    let distinctRequiredCount: Int
    let additionalPropertiesAllowed: Bool
    let items: SchemaNode?
    let minItems: Int?
    let maxItems: Int?
    let enumValues: [JSONValue]?
    let anyOf: [SchemaNode]
    /// Schemas the value must also satisfy: the target of a `$ref` written beside other keywords
    /// (as `ConversionEventsUserData` does: `{"$ref": ..., "required": ["em"]}`).
    let allOf: [SchemaNode]
    let maxLength: Int?
    let minimum: Double?
    let maximum: Double?
    let isInt64: Bool
    /// The field holds SHA-256 hashes. The schema says so only in prose ("Sha256 hashes of ..."),
    /// so the compiler reads the description; a test pins the list of fields this finds.
    let holdsSHA256Hashes: Bool

    init(
        type: String?, nullable: Bool, properties: [String: SchemaNode], required: [String],
        additionalPropertiesAllowed: Bool, items: SchemaNode?, minItems: Int?, maxItems: Int?,
        enumValues: [JSONValue]?, anyOf: [SchemaNode], allOf: [SchemaNode], maxLength: Int?,
        minimum: Double?, maximum: Double?, isInt64: Bool, holdsSHA256Hashes: Bool
    ) {
        self.type = type
        self.kind = type.map(TypeKind.init)
        self.nullable = nullable
        self.properties = properties
        let requiredSet = Set(required)
        self.propertyTable = PropertyTable(properties, required: requiredSet)
        self.required = required
        self.requiredAreProperties = requiredSet.allSatisfy { properties[$0] != nil }
        self.distinctRequiredCount = requiredSet.count
        self.additionalPropertiesAllowed = additionalPropertiesAllowed
        self.items = items
        self.minItems = minItems
        self.maxItems = maxItems
        self.enumValues = enumValues
        self.anyOf = anyOf
        self.allOf = allOf
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.isInt64 = isInt64
        self.holdsSHA256Hashes = holdsSHA256Hashes
        self.constrainsScalarContent =
            enumValues != nil || maxLength != nil || holdsSHA256Hashes || minimum != nil || maximum != nil || isInt64
            || self.kind == .integer || !anyOf.isEmpty || allOf.contains { $0.constrainsScalarContent }
    }

    /// Whether a scalar's verdict against this node can depend on its content (a value, a length, a range, an
    /// enum; a double's being whole for `integer`), not only on its kind: what an ``EventShape`` must recheck.
    let constrainsScalarContent: Bool

    /// The OpenAPI types; `other` for a name the validator does not know (no value has it).
    enum TypeKind: Sendable {
        case string, number, integer, boolean, array, object, other

        init(_ name: String) {
            switch name {
            case "string": self = .string
            case "number": self = .number
            case "integer": self = .integer
            case "boolean": self = .boolean
            case "array": self = .array
            case "object": self = .object
            default: self = .other
            }
        }
    }

    /// The fields this node requires, its own and those of the schemas it includes.
    var allRequired: [String] {
        required + allOf.flatMap(\.allRequired)
    }
}
