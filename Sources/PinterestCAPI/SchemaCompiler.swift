import Foundation
import TagdJSON

/// Turns schema objects of an OpenAPI document into ``SchemaNode``s, resolving local `$ref`s.
///
/// It interprets the subset of OpenAPI 3.0 that Pinterest's events schema uses. Keywords outside that
/// subset are not silently trusted: they are listed in `unsupportedKeywords`, and a test requires
/// the list to be empty for the schema we ship, so a new schema that needs more fails in CI.
struct SchemaCompiler {
    static let validationKeywords: Set<String> = [
        "$ref", "type", "nullable", "properties", "required", "additionalProperties", "items",
        "minItems", "maxItems", "enum", "anyOf", "maxLength", "minimum", "maximum", "format",
    ]
    /// Keywords that describe but do not constrain.
    static let annotationKeywords: Set<String> = ["description", "title", "example", "examples"]
    static let supportedFormats: Set<String> = ["int64"]

    let document: JSONValue
    private(set) var unsupportedKeywords: [String] = []
    private var resolved: [String: SchemaNode] = [:]
    private var resolving: Set<String> = []

    init(document: JSONValue) {
        self.document = document
    }

    /// Compiles the schema at a local reference such as `#/components/schemas/ConversionEvents`.
    mutating func compile(reference: String) throws(SchemaError) -> SchemaNode {
        if let node = resolved[reference] { return node }
        guard !resolving.contains(reference) else {
            throw SchemaError(reason: "$ref cycle through \(reference) is not supported")
        }
        guard let target = Self.lookUp(reference, in: document) else {
            throw SchemaError(reason: "$ref \(reference) does not resolve")
        }
        resolving.insert(reference)
        defer { resolving.remove(reference) }
        let node = try compile(target, at: reference)
        resolved[reference] = node
        return node
    }

    private mutating func compile(_ schema: JSONValue, at location: String) throws(SchemaError) -> SchemaNode {
        guard let object = schema.objectValue else {
            throw SchemaError(reason: "schema at \(location) is not an object")
        }
        for key in object.keys.sorted()
        where !Self.validationKeywords.contains(key) && !Self.annotationKeywords.contains(key) {
            unsupportedKeywords.append("\(location): \(key)")
        }
        var allOf: [SchemaNode] = []
        if let reference = object["$ref"] {
            guard let referenceText = reference.stringValue else {
                throw SchemaError(reason: "$ref at \(location) is not a string")
            }
            let target = try compile(reference: referenceText)
            let siblings = object.keys.filter { Self.validationKeywords.contains($0) && $0 != "$ref" }
            if siblings.isEmpty { return target }
            allOf.append(target)
        }

        var properties: [String: SchemaNode] = [:]
        for (name, propertySchema) in object["properties"]?.objectValue ?? [:] {
            properties[name] = try compile(propertySchema, at: "\(location)/properties/\(name)")
        }
        let additionalPropertiesAllowed: Bool
        switch object["additionalProperties"] {
        case nil, .bool(true)?: additionalPropertiesAllowed = true
        case .bool(false)?: additionalPropertiesAllowed = false
        default:
            unsupportedKeywords.append("\(location): additionalProperties as a schema")
            additionalPropertiesAllowed = true
        }
        var anyOf: [SchemaNode] = []
        for (index, alternative) in (object["anyOf"]?.arrayValue ?? []).enumerated() {
            anyOf.append(try compile(alternative, at: "\(location)/anyOf/\(index)"))
        }
        let format = object["format"]?.stringValue
        if let format, !Self.supportedFormats.contains(format) {
            unsupportedKeywords.append("\(location): format \(format)")
        }
        let description = object["description"]?.stringValue ?? ""

        return SchemaNode(
            type: object["type"]?.stringValue,
            nullable: object["nullable"]?.boolValue ?? false,
            properties: properties,
            required: (object["required"]?.arrayValue ?? []).compactMap(\.stringValue),
            additionalPropertiesAllowed: additionalPropertiesAllowed,
            items: try object["items"].map { (items) throws(SchemaError) in try compile(items, at: "\(location)/items") },
            minItems: object["minItems"]?.numberValue.map { Int($0) },
            maxItems: object["maxItems"]?.numberValue.map { Int($0) },
            enumValues: object["enum"]?.arrayValue,
            anyOf: anyOf,
            allOf: allOf,
            maxLength: object["maxLength"]?.numberValue.map { Int($0) },
            minimum: object["minimum"]?.numberValue,
            maximum: object["maximum"]?.numberValue,
            isInt64: format == "int64",
            holdsSHA256Hashes: description.lowercased().hasPrefix("sha256 hash")
        )
    }

    /// Follows a local JSON pointer (`#/a/b`), unescaping `~1` and `~0`.
    static func lookUp(_ reference: String, in document: JSONValue) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var current = document
        for token in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }
}

/// The OpenAPI document cannot be used as a contract (not JSON, a dangling `$ref`, ...).
public struct SchemaError: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "unusable schema: \(reason)" }
}
