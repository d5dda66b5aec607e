/// One way in which a JSON value breaks Pinterest's contract, at a path such as `custom_data.value`
/// or `data[3].user_data.em[0]` (empty for the value itself).
public struct ContractViolation: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let message: String
    /// For a missing required field: the path of the object that lacks it. `anyOf` uses it to tell
    /// "none of the alternatives' required fields are here" from other faults.
    let missingRequiredIn: String?

    init(path: String, message: String, missingRequiredIn: String? = nil) {
        self.path = path
        self.message = message
        self.missingRequiredIn = missingRequiredIn
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
