import LuaHost
import UserDataHashing

/// `hash.user_data`'s result goes into Lua written straight from the hasher's two arrays: no dictionary.
extension WireUserData: LuaTapeEncodable {
    public func encode(to writer: inout LuaTapeWriter) throws(LuaError) {
        try writer.writeTable(count: fields.count) { (writer) throws(LuaError) in
            for field in fields {
                try field.withKeyUTF8 { (key) throws(LuaError) in try writer.writeKey(utf8: key) }
                if field.isHashed {
                    try writer.writeArray(count: field.values.count) { (writer) throws(LuaError) in
                        for index in field.values { try write(index, to: &writer) }
                    }
                } else {
                    try write(field.values.lowerBound, to: &writer)
                }
            }
        }
    }

    private func write(_ index: Int, to writer: inout LuaTapeWriter) throws(LuaError) {
        let result = withValue(index) { utf8 in
            Result { () throws(LuaError) in try writer.write(utf8: utf8) }
        }
        try result.get()
    }
}
