import LuaHost
import UserDataHashing

/// `hash.user_data`'s result goes into Lua written straight from the hasher's two arrays: no dictionary.
extension WireUserData: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        try writer.writeTable(count: fields.count) { (writer) throws(LuaError) in
            for field in fields {
                try writer.writeKey(field.key)
                if field.isHashed {
                    try writer.writeArray(count: field.values.count) { (writer) throws(LuaError) in
                        for value in values[field.values] { try writer.write(value) }
                    }
                } else {
                    try writer.write(values[field.values.lowerBound])
                }
            }
        }
    }
}
