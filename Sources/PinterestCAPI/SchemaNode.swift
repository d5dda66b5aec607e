import TagdJSON

/// One schema object of the OpenAPI document, `$ref`s resolved, in the form the validator walks.
/// Built once by ``SchemaCompiler``; immutable afterwards, so it is shared freely between threads.
final class SchemaNode: Sendable {
    let type: String?
    let nullable: Bool
    let properties: [String: SchemaNode]
    /// `properties` again, for the validator's fast path.
    let propertyTable: PropertyTable
    let required: [String]
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
        self.nullable = nullable
        self.properties = properties
        self.propertyTable = PropertyTable(properties)
        self.required = required
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
    }

    /// The fields this node requires, its own and those of the schemas it includes.
    var allRequired: [String] {
        required + allOf.flatMap(\.allRequired)
    }
}
