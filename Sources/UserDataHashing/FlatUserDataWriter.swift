import TagdJSON

/// Writes a wire form as an object straight into a flat document (`UserDataHasher.replacingUserData`), instead
/// of into a `WireUserData` that is then copied: the same nodes and bytes, in the same order, as
/// `WireUserData.append(to:)` writes. A hashed field's key and array are written with its first hash, so a field
/// left with none leaves nothing behind.
struct FlatUserDataWriter: WireUserDataSink {
    private var json = FlatJSON()
    private var object = 0
    private var members = 0
    /// The open hashed field's array node (-1 when none), and its elements so far.
    private var array = -1
    private var elements = 0

    /// Takes `json` over (leaving it empty until `finish`) and opens the object.
    init(taking json: inout FlatJSON) {
        swap(&self.json, &json)
        object = self.json.beginContainer(.object, count: 0)
    }

    /// Closes the object and gives the document back.
    mutating func finish(into json: inout FlatJSON) {
        self.json.endContainer(object, count: members)
        swap(&self.json, &json)
    }

    mutating func appendHash(_ hex: UnsafeBufferPointer<UInt8>, field: UserDataField) {
        if array < 0 {
            appendKey(.hashed(field))
            array = json.beginContainer(.array, count: 0)
        } else if holds(hex) {
            return
        }
        json.appendString(hex, isASCII: true)
        elements += 1
    }

    mutating func closeHashedField(_ field: UserDataField) {
        guard array >= 0 else { return }
        json.endContainer(array, count: elements)
        members += 1
        array = -1
        elements = 0
    }

    mutating func appendPlain(_ key: UserDataKey, _ utf8: UnsafeBufferPointer<UInt8>) {
        appendKey(key)
        json.appendString(utf8)
        members += 1
    }

    private mutating func appendKey(_ key: UserDataKey) {
        key.withUTF8 { json.appendString($0, isASCII: true) }
    }

    /// Whether the open array already holds `hex`: its elements so far are the string nodes after its node (its
    /// count is set when it is closed).
    private func holds(_ hex: UnsafeBufferPointer<UInt8>) -> Bool {
        let end = json.nodes.count
        return json.withNode(array) { array in
            (array.index + 1..<end).contains { array.at($0).withUTF8 { $0.elementsEqual(hex) } == true }
        } ?? false
    }
}
