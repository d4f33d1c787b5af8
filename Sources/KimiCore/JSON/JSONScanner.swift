import Glibc

/// A JSON string as it appears in the scanned text: the bytes between the
/// quotes, and whether any of them are escapes that need decoding.
public struct JSONToken: Sendable {
    public var start: Int
    public var end: Int
    public var escaped: Bool
    public var count: Int { end - start }
}

/// A forward-only JSON scanner over bytes in memory, for the stream hot path.
///
/// It checks the full JSON grammar without building a tree or allocating:
/// strings come back as ranges (decoded only when wanted), numbers as
/// integers, and values the caller does not want are skipped. Nesting is
/// limited so hostile input cannot exhaust the stack. Failures carry the
/// byte offset.
///
/// The input must be followed by a NUL byte (`base[count] == 0`, as every
/// `TextBuffer` is): string scanning stops on it without a bounds check per
/// byte, and every other read is checked against `end`.
public struct JSONScanner {
    public struct Failure: Error {
        public let offset: Int
        public let reason: String
    }

    public static let maxDepth = 64

    let base: UnsafePointer<UInt8>
    let end: Int
    public private(set) var position = 0
    /// Arrays and objects open at `position`; at most `maxDepth`.
    private var depth = 0

    public init(_ base: UnsafePointer<UInt8>, count: Int) {
        assert(base[count] == 0, "JSONScanner input must be NUL-terminated")
        self.base = base
        end = count
    }

    @inline(__always)
    var current: UInt8 { position < end ? base[position] : 0 }

    @inline(__always)
    mutating func skipSpace() {
        while position < end {
            let c = base[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    func fail(_ reason: String) -> Failure { Failure(offset: position, reason: reason) }

    /// Continues the scan at `offset` (a chunk's shape replayed, `ChunkShape`).
    mutating func move(to offset: Int) {
        precondition(offset >= 0 && offset <= end)
        position = offset
    }

    /// True (and consumed) when the next value is `null`.
    @inline(__always)
    mutating func takeNull() -> Bool {
        skipSpace()
        guard position < end, base[position] == 0x6E else { return false }
        return takeNullLiteral()
    }

    private mutating func takeNullLiteral() -> Bool {
        guard position + 4 <= end, base[position] == 0x6E, base[position + 1] == 0x75,
              base[position + 2] == 0x6C, base[position + 3] == 0x6C else { return false }
        position += 4
        return true
    }

    /// Enters an object: `try s.enterObject(); var first = true;
    /// while let key = try s.nextMember(&first) { read or skip the value }`.
    @inline(__always)
    mutating func enterObject() throws(Failure) {
        skipSpace()
        guard position < end, base[position] == UInt8(ascii: "{") else { throw fail("expected an object") }
        try descend()
        position += 1
    }

    @inline(__always)
    private mutating func descend() throws(Failure) {
        depth += 1
        guard depth <= JSONScanner.maxDepth else { throw fail("nested deeper than \(JSONScanner.maxDepth) levels") }
    }

    /// The next member's key (positioned at its value), or nil at the `}`.
    @inline(__always)
    mutating func nextMember(_ first: inout Bool) throws(Failure) -> JSONToken? {
        skipSpace()
        guard position < end else { throw fail("unterminated object") }
        if base[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return nil
        }
        if !first {
            guard base[position] == UInt8(ascii: ",") else { throw fail("expected ',' or '}'") }
            position += 1
        }
        first = false
        let key = try string()
        skipSpace()
        guard position < end, base[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
        position += 1
        return key
    }

    /// Enters an array: `try s.enterArray(); var first = true;
    /// while try s.nextElement(&first) { read or skip the element }`.
    @inline(__always)
    mutating func enterArray() throws(Failure) {
        skipSpace()
        guard position < end, base[position] == UInt8(ascii: "[") else { throw fail("expected an array") }
        try descend()
        position += 1
    }

    /// True when another element follows (positioned at it), false at the `]`.
    @inline(__always)
    mutating func nextElement(_ first: inout Bool) throws(Failure) -> Bool {
        skipSpace()
        guard position < end else { throw fail("unterminated array") }
        if base[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return false
        }
        if !first {
            guard base[position] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'") }
            position += 1
        }
        first = false
        return true
    }

    /// Reads a string, returning its raw range. Escapes are checked here;
    /// UTF-8 is checked (and repaired) when the string is decoded.
    mutating func string() throws(Failure) -> JSONToken {
        skipSpace()
        guard current == UInt8(ascii: "\""), position < end else { throw fail("expected a string") }
        position += 1
        let start = position
        var escaped = false
        var p = position
        let stops = JSONScanner.stringStops.utf8Start
        while p < end {
            // Plain text runs until a quote, a backslash, a control character
            // or the NUL after the input (all are "stops"): eight bytes at a
            // time while eight remain, then byte by byte.
            while p &+ 8 <= end {
                let stop = JSONScanner.stopBits(UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
                if stop != 0 {
                    p &+= stop.trailingZeroBitCount &>> 3
                    break
                }
                p &+= 8
            }
            var c = base[p]
            while stops[Int(c)] == 0x30 {
                p += 1
                c = base[p]
            }
            guard p < end else { break }
            if c == UInt8(ascii: "\"") {
                position = p + 1
                return JSONToken(start: start, end: p, escaped: escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                p += 1
                guard p < end else { break }
                switch base[p] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    p += 1
                case UInt8(ascii: "u"):
                    position = p
                    guard p + 4 < end, (1...4).allSatisfy({ JSONScanner.hexValue(base[p + $0]) != nil }) else {
                        throw fail("bad \\u escape")
                    }
                    p += 5
                default:
                    position = p
                    throw fail("bad escape")
                }
                continue
            }
            if c < 0x20 {
                position = p
                throw fail("control character in string")
            }
            p += 1
        }
        throw Failure(offset: start - 1, reason: "unterminated string")
    }

    /// A string value, or nil for `null`.
    mutating func optionalString() throws(Failure) -> JSONToken? {
        if takeNull() { return nil }
        return try string()
    }

    /// Reads a number; returns it when it is written as an integer (no
    /// fraction, no exponent, as jansson's integers) that fits in Int64.
    mutating func integer() throws(Failure) -> Int64? {
        skipSpace()
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < end, (0x30...0x39).contains(base[position]) else { throw fail("expected a number") }
        var value: Int64 = 0
        var fits = true
        if base[position] == 0x30 {
            position += 1
        } else {
            while position < end {
                let digit = base[position] &- 0x30
                guard digit < 10 else { break }
                if value <= (Int64.max - 9) / 10 {
                    value = value &* 10 &+ Int64(digit)
                } else {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int64(digit))
                    if o1 || o2 { fits = false }
                    value = a
                }
                position += 1
            }
        }
        var integral = true
        if current == UInt8(ascii: "."), position < end {
            integral = false
            position += 1
            guard position < end, (0x30...0x39).contains(base[position]) else { throw fail("bad number") }
            while position < end, (0x30...0x39).contains(base[position]) { position += 1 }
        }
        if position < end, base[position] == UInt8(ascii: "e") || base[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < end, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") { position += 1 }
            guard position < end, (0x30...0x39).contains(base[position]) else { throw fail("bad number") }
            while position < end, (0x30...0x39).contains(base[position]) { position += 1 }
        }
        guard fits, integral else { return nil }
        return negative ? -value : value
    }

    /// An integer value, or nil for `null` or a non-integral number.
    mutating func optionalInteger() throws(Failure) -> Int64? {
        if takeNull() { return nil }
        return try integer()
    }

    /// Skips one value of any kind, checking its syntax. A loop, not a
    /// recursion: nesting costs no stack, so hostile input cannot exhaust
    /// a small thread stack. Containers are kept as bits of one word (the
    /// depth limit is 64).
    mutating func skipValue() throws(Failure) {
        var objects: UInt64 = 0 // bit 0: the innermost open container is an object
        var open = 0
        var first = false
        while true {
            skipSpace()
            switch current {
            case UInt8(ascii: "{"):
                try enterObject()
                objects = objects << 1 | 1
                open += 1
                first = true
            case UInt8(ascii: "["):
                try enterArray()
                objects <<= 1
                open += 1
                first = true
            case UInt8(ascii: "\""):
                _ = try string()
            case UInt8(ascii: "t"):
                try literal("true")
            case UInt8(ascii: "f"):
                try literal("false")
            case UInt8(ascii: "n"):
                try literal("null")
            default:
                _ = try integer()
            }
            // Move to the next value of the innermost container, closing
            // the containers that end here.
            while open > 0 {
                let another = objects & 1 == 1 ? try nextMember(&first) != nil : try nextElement(&first)
                if another { break }
                objects >>= 1
                open -= 1
                first = false
            }
            if open == 0 { return }
        }
    }

    /// Skips one value and says whether it is truthy as Python reads JSON:
    /// null, false, 0, "", {} and [] are not; everything else is.
    mutating func truthyValue() throws(Failure) -> Bool {
        skipSpace()
        let start = position
        try skipValue()
        let c = base[start]
        switch c {
        case UInt8(ascii: "n"), UInt8(ascii: "f"): return false
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "\""): return position - start > 2
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var inner = start + 1
            while inner < position, base[inner] == 0x20 || base[inner] == 0x09 || base[inner] == 0x0A || base[inner] == 0x0D {
                inner += 1
            }
            return inner < position - 1
        default:
            // A number is falsy when its digits before any exponent are all 0.
            var i = start
            while i < position, base[i] != UInt8(ascii: "e"), base[i] != UInt8(ascii: "E") {
                if base[i] >= 0x31 && base[i] <= 0x39 { return true }
                i += 1
            }
            return false
        }
    }

    mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard position + n <= end, memcmp(base + position, word.utf8Start, n) == 0 else {
            throw fail("unexpected character")
        }
        position += n
    }

    /// Fails unless only whitespace is left.
    mutating func finish() throws(Failure) {
        skipSpace()
        guard position == end else { throw fail("unexpected data after the JSON value") }
    }

    /// True when the token's raw bytes are exactly `key` (keys with escapes
    /// never match; Kimi's keys are plain ASCII). Compared inline, byte by
    /// byte: a key is short and most comparisons fail on the length.
    @inline(__always)
    func matches(_ token: JSONToken, _ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        guard token.count == n, !token.escaped else { return false }
        let expected = key.utf8Start
        var i = 0
        while i < n {
            guard base[token.start &+ i] == expected[i] else { return false }
            i &+= 1
        }
        return true
    }

    /// The high bit of each byte of `word` (8 bytes of text, the first in
    /// the lowest byte) that is a stop: a control character, '"' or '\\'.
    /// A borrow only carries out of a byte that is itself a stop, so bits
    /// above the first stop may be wrong but the lowest set bit is exact.
    @inline(__always)
    static func stopBits(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & (ones &* 0x80)
    }

    /// "1" for bytes that end a run of plain string text: controls, '"', '\\'.
    static let stringStops: StaticString = "1111111111111111111111111111111100100000000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

    static func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x30...0x39: return UInt32(c - 0x30)
        case 0x41...0x46: return UInt32(c - 0x41 + 10)
        case 0x61...0x66: return UInt32(c - 0x61 + 10)
        default: return nil
        }
    }

    /// Appends the decoded text of `token` to `out` as valid UTF-8: escapes
    /// decoded, invalid byte sequences and lone surrogates replaced by
    /// U+FFFD (as an event stream is decoded), so callers always get whole,
    /// well-formed text.
    @inline(__always)
    public func decode(_ token: JSONToken, into out: TextBuffer) {
        if !token.escaped, JSONScanner.isASCII(base + token.start, token.count) {
            out.append(base + token.start, count: token.count)  // as written: the usual piece
        } else {
            decodeText(token, into: out)
        }
    }

    /// `decode` of a string with escapes or non-ASCII bytes.
    private func decodeText(_ token: JSONToken, into out: TextBuffer) {
        // Runs of text that needs no change (ASCII, well-formed UTF-8) are
        // copied whole; only escapes and invalid bytes break a run.
        // Indexes stay within the token (wrapping arithmetic: no overflow
        // checks in the loop that runs per byte).
        let end = token.end
        var i = token.start
        var runStart = i
        while i < end {
            let c = base[i]
            if c < 0x80 {
                if c != UInt8(ascii: "\\") {
                    i &+= 1
                    continue
                }
                out.append(base + runStart, count: i &- runStart)
                i = decodeEscape(at: i, end: end, into: out)
                runStart = i
                continue
            }
            // Well-formed sequences without special cases are checked here
            // (a continuation byte is 10xxxxxx: `b & 0xC0 == 0x80`); the rest
            // (and anything malformed) by `utf8Sequence`.
            let left = end &- i
            if c &- 0xC2 <= 0xDF - 0xC2 {
                if left >= 2, base[i &+ 1] & 0xC0 == 0x80 {
                    i &+= 2
                    continue
                }
            } else if c &- 0xE1 <= 0xEF - 0xE1 {
                if c != 0xED, left >= 3, base[i &+ 1] & 0xC0 == 0x80, base[i &+ 2] & 0xC0 == 0x80 {
                    i &+= 3
                    continue
                }
            } else if c &- 0xF0 <= 0xF3 - 0xF0 {
                // F0 needs 90...BF after it (shorter forms are overlong).
                if left >= 4, base[i &+ 1] & 0xC0 == 0x80, c != 0xF0 || base[i &+ 1] >= 0x90,
                   base[i &+ 2] & 0xC0 == 0x80, base[i &+ 3] & 0xC0 == 0x80 {
                    i &+= 4
                    continue
                }
            }
            let (length, valid) = JSONScanner.utf8Sequence(base + i, end - i)
            if !valid {
                out.append(base + runStart, count: i - runStart)
                JSONScanner.appendReplacement(out)
                runStart = i + length
            }
            i += length
        }
        out.append(base + runStart, count: i - runStart)
    }

    /// Decodes the escape at `i` (known valid) and returns the next index.
    private func decodeEscape(at i: Int, end: Int, into out: TextBuffer) -> Int {
        let e = base[i + 1]
        switch e {
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "u"):
            var scalar = hex4(at: i + 2)
            var next = i + 6
            // A high surrogate takes the low one that follows it (escapes were
            // validated by `string()`, so a "\u" here has its four digits).
            if (0xD800...0xDBFF).contains(scalar), next + 1 < end, base[next] == UInt8(ascii: "\\"),
               base[next + 1] == UInt8(ascii: "u") {
                let low = hex4(at: next + 2)
                if (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    next += 6
                }
            }
            if let s = Unicode.Scalar(scalar) {
                JSONScanner.appendUTF8(s, out)
            } else {
                JSONScanner.appendReplacement(out)
            }
            return next
        default: out.append(e)
        }
        return i + 2
    }

    private func hex4(at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in 0..<4 { value = value << 4 | (JSONScanner.hexValue(base[i + k]) ?? 0) }
        return value
    }

    static func appendUTF8(_ scalar: Unicode.Scalar, _ out: TextBuffer) {
        let v = scalar.value
        switch v {
        case 0..<0x80:
            out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
            out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }

    static func appendReplacement(_ out: TextBuffer) {
        out.append(0xEF); out.append(0xBF); out.append(0xBD)
    }

    @inline(__always)
    static func isASCII(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0
        while i + 8 <= n {
            let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
            if word & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < n {
            if p[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// The UTF-8 sequence at `p`: its length and true when it is well
    /// formed, or the length of its maximal subpart and false. Decoders
    /// replace each maximal subpart with one U+FFFD, as the Unicode
    /// standard (and so WHATWG's decoder) does: a 3-byte sequence cut after
    /// 2 bytes is one replacement, not two.
    static func utf8Sequence(_ p: UnsafePointer<UInt8>, _ available: Int) -> (length: Int, valid: Bool) {
        let need: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch p[0] {
        case 0x00...0x7F: return (1, true)
        case 0xC2...0xDF: need = 2
        case 0xE0: need = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 3
        case 0xED: need = 3; high = 0x9F
        case 0xF0: need = 4; low = 0x90
        case 0xF1...0xF3: need = 4
        case 0xF4: need = 4; high = 0x8F
        default: return (1, false)
        }
        for k in 1..<need {
            guard k < available, p[k] >= (k == 1 ? low : 0x80), p[k] <= (k == 1 ? high : 0xBF) else { return (k, false) }
        }
        return (need, true)
    }
}
