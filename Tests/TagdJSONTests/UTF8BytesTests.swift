import TagdJSON
import Testing

/// `UTF8Bytes.isLowerHex` tests words and then a tail: it must say what a byte-by-byte test says, for every byte
/// value at every position of strings of every length up to three words and a bit.
@Suite struct UTF8BytesTests {
    @Test func lowerHexAgreesWithAByteTest() {
        func byByte(_ bytes: [UInt8]) -> Bool {
            bytes.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        }
        for length in 0...27 {
            let base = (0..<length).map { Array("0123456789abcdef".utf8)[$0 % 16] }
            #expect(base.withUnsafeBufferPointer(UTF8Bytes.isLowerHex))
            for position in 0..<length {
                for value in UInt8.min...UInt8.max {
                    var bytes = base
                    bytes[position] = value
                    #expect(bytes.withUnsafeBufferPointer(UTF8Bytes.isLowerHex) == byByte(bytes), "\(length) \(position) \(value)")
                }
            }
        }
    }
}
