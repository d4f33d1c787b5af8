/// Standard base64 (RFC 4648, with padding), written straight into the
/// caller's buffer: the request body or curl's upload buffer.
///
/// Speed comes from a table of character pairs: each 12 bits of input map
/// to two output bytes with one load, so a 3-byte group costs two loads and
/// one 32-bit store. 12 input bytes are handled per loop round.
public enum Base64 {
    public static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Pairs of base64 characters for every 12-bit value, as little-endian
    /// UInt16s ready to store.
    private static let pairs: [UInt16] = {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var table = [UInt16](repeating: 0, count: 4096)
        for value in 0..<4096 {
            table[value] = UInt16(alphabet[value >> 6]) | UInt16(alphabet[value & 63]) << 8
        }
        return table
    }()

    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

    /// Encodes `count` bytes from `input` into `output`, which must have room
    /// for `encodedLength(count)` bytes. Returns the number of bytes written.
    /// Only the last call for a stream may have a count that is not a
    /// multiple of 3 (it gets the padding).
    @discardableResult
    public static func encode(_ input: UnsafeRawPointer, count: Int, to output: UnsafeMutableRawPointer) -> Int {
        pairs.withUnsafeBufferPointer { table -> Int in
            guard let t = table.baseAddress else { return 0 }
            let src = input.assumingMemoryBound(to: UInt8.self)
            var i = 0
            var o = 0
            @inline(__always) func group(_ i: Int, _ o: Int) {
                let v = Int(src[i]) << 16 | Int(src[i + 1]) << 8 | Int(src[i + 2])
                let word = UInt32(t[v >> 12]) | UInt32(t[v & 0xFFF]) << 16
                output.storeBytes(of: word, toByteOffset: o, as: UInt32.self)
            }
            while i + 12 <= count {
                group(i, o)
                group(i + 3, o + 4)
                group(i + 6, o + 8)
                group(i + 9, o + 12)
                i += 12
                o += 16
            }
            while i + 3 <= count {
                group(i, o)
                i += 3
                o += 4
            }
            let rest = count - i
            if rest > 0 {
                let letters = alphabet.utf8Start
                let b0 = Int(src[i])
                let b1 = rest > 1 ? Int(src[i + 1]) : 0
                let out = output.assumingMemoryBound(to: UInt8.self)
                out[o] = letters[b0 >> 2]
                out[o + 1] = letters[(b0 & 3) << 4 | b1 >> 4]
                out[o + 2] = rest > 1 ? letters[(b1 & 15) << 2] : UInt8(ascii: "=")
                out[o + 3] = UInt8(ascii: "=")
                o += 4
            }
            return o
        }
    }

    /// Encodes `bytes` and appends the text to `out`.
    public static func append(_ bytes: UnsafeRawBufferPointer, to out: TextBuffer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let start = out.appendUninitialized(encodedLength(bytes.count))
        encode(base, count: bytes.count, to: UnsafeMutableRawPointer(start))
    }

    /// The first `limit` bytes (or fewer) that base64 `text` stands for,
    /// for looking at a data URI's header; nil when a character before that
    /// point is not base64. Padding ends the data.
    public static func decodePrefix<S: Sequence>(_ text: S, limit: Int) -> [UInt8]? where S.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(limit + 2)
        var bits: UInt32 = 0
        var count = 0
        reading: for c in text {
            if out.count >= limit { break }
            let value: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="): break reading
            default: return nil
            }
            bits = bits << 6 | value
            count += 1
            if count == 4 {
                out.append(UInt8(truncatingIfNeeded: bits >> 16))
                out.append(UInt8(truncatingIfNeeded: bits >> 8))
                out.append(UInt8(truncatingIfNeeded: bits))
                bits = 0
                count = 0
            }
        }
        if count >= 2 { out.append(UInt8(truncatingIfNeeded: bits >> (UInt32(count) * 6 - 8))) }
        if count == 3 { out.append(UInt8(truncatingIfNeeded: bits >> 2)) }
        return Array(out.prefix(limit))
    }
}
