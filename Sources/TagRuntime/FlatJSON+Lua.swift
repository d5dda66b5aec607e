import LuaHost
import TagdJSON

/// A hit's event goes into Lua written straight from the flat document intake parsed the body into: no tree
/// per hit. It reads in Lua exactly as the same event as a `JSONValue` does.
extension FlatJSON: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        if isEmpty {
            writer.writeNull()
            return
        }
        _ = try withRoot { (root) throws(LuaError) in try root.encode(to: &writer) }
    }
}

extension FlatJSON.Value {
    func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        switch kind {
        case .null: writer.writeNull()
        case .bool: writer.write(boolValue ?? false)
        case .int: writer.write(intValue ?? 0)
        case .double: writer.write(doubleValue ?? 0)
        case .string:
            var failure: LuaError?
            _ = withUTF8 { utf8 in
                do throws(LuaError) { try writer.write(utf8: utf8) } catch { failure = error }
            }
            if let failure { throw failure }
        case .array:
            var failure: LuaError?
            try writer.writeArray(count: itemCount) { (writer) throws(LuaError) in
                _ = allElements { element in
                    do throws(LuaError) { try element.encode(to: &writer) } catch { failure = error }
                    return failure == nil
                }
                if let failure { throw failure }
            }
        case .object:
            var failure: LuaError?
            try writer.writeTable(count: itemCount) { (writer) throws(LuaError) in
                _ = allMembers { key, value in
                    do throws(LuaError) {
                        try writer.writeKey(utf8: key)
                        try value.encode(to: &writer)
                    } catch {
                        failure = error
                    }
                    return failure == nil
                }
                if let failure { throw failure }
            }
        }
    }
}
