import NIOCore

/// A request body, `{"data":[event,event,...]}`, from events encoded at `submit`: one buffer sized
/// up front and filled with copies of the events' ranges of their outbox chunks, no JSON tree and no encoding on the
/// delivery path.
enum BatchBody {
    static func make(_ entries: [OutboxEntry], allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        let prefix = #"{"data":["#, suffix = "]}"
        var size = prefix.utf8.count + suffix.utf8.count + max(entries.count - 1, 0)
        for entry in entries { size += entry.jsonCount }
        var body = allocator.buffer(capacity: size)
        body.writeString(prefix)
        for (index, entry) in entries.enumerated() {
            if index > 0 { body.writeInteger(UInt8(ascii: ",")) }
            entry.withJSON { _ = body.writeBytes(UnsafeRawBufferPointer($0)) }
        }
        body.writeString(suffix)
        return body
    }
}
