import TagdJSON

/// The keys the GA4 mapper writes itself (field names, item keys), in one block of bytes that each event's
/// document holds once (`FlatJSON.appendSource`): a key is then a node over the block
/// (`FlatJSON.appendString(at:count:isASCII:)`), where copying its bytes and checking them for ASCII cost a few
/// hundred instructions a key.
struct GA4KeyBlock: Sendable {
    static let shared = GA4KeyBlock()

    let bytes: [UInt8]
    /// By index in `GA4ParameterNames.rootFieldNames`.
    let rootFields: [Range<Int>]
    /// By index in `GA4ItemParser.codes`.
    let itemKeys: [Range<Int>]
    let clientIP: Range<Int>
    let userAgent: Range<Int>

    private init() {
        var bytes: [UInt8] = []
        func add(_ key: String) -> Range<Int> {
            precondition(key.utf8.allSatisfy { $0 < 0x80 }, "key \(key) is not ASCII")
            let start = bytes.count
            bytes.append(contentsOf: key.utf8)
            return start..<bytes.count
        }
        rootFields = GA4ParameterNames.rootFieldNames.map(add)
        itemKeys = GA4ItemParser.codes.map { add($0.key) }
        clientIP = add("ip_override")
        userAgent = add("user_agent")
        self.bytes = bytes
    }

    /// Appends the block to `document`; returns where it starts, for `appendKey`.
    func append(to document: inout FlatJSON) -> Int {
        bytes.withUnsafeBufferPointer { document.appendSource($0) }
    }
}

extension FlatJSON {
    /// A key of the block appended at `base`.
    @inline(__always)
    mutating func appendKey(_ key: Range<Int>, base: Int) {
        appendString(at: base + key.lowerBound, count: key.count, isASCII: true)
    }
}
