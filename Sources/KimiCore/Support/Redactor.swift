/// Removes a secret (the API key) from text the library writes: error
/// messages and bodies, log lines, exported JSON. It finds the key whole and
/// any piece of it of `window` (8) or more characters, so a key cut where a
/// server's message was truncated leaves nothing usable; and it reads JSON
/// escapes (`\u0073`, `\/`), so a key a server sends back escaped is found
/// too. Each run of matching text becomes "[redacted]".
///
/// The key's 8-byte windows sit in a small open-addressed table, so the scan
/// costs one 8-byte load and one multiply per byte of text.
public struct Redactor: Sendable {
    public static let replacement = "[redacted]"
    /// Pieces of the key shorter than this are left alone (they also occur
    /// in ordinary text); a key shorter than it is matched whole.
    public static let pieceLength = 8

    private let window: Int
    /// How many bytes past a cut to read so a key crossing the cut is found
    /// whole: every character written as a six-byte JSON escape.
    public let reach: Int
    private let slots: [UInt64]
    private let mask: Int
    /// The bytes the key holds (a 256-bit set): a window over any other
    /// byte cannot match, so most of a text is passed over without a lookup.
    private let keyBytes: SIMD4<UInt64>

    /// No secret: `redact` returns its input.
    public static let none = Redactor(secret: "")

    public init(secret: String) {
        let key = Array(secret.utf8)
        window = min(Redactor.pieceLength, key.count)
        reach = 6 * key.count
        var grams: [UInt64] = []
        if window > 0 {
            for start in 0...(key.count - window) { grams.append(Redactor.gram(key, start, window)) }
        }
        var size = 16
        while size < grams.count * 4 { size *= 2 }
        var table = [UInt64](repeating: 0, count: size)
        for gram in grams {
            var slot = Redactor.hash(gram, size - 1)
            while table[slot] != 0 && table[slot] != gram { slot = (slot + 1) & (size - 1) }
            table[slot] = gram
        }
        slots = table
        mask = size - 1
        var set = SIMD4<UInt64>()
        for byte in key { set[Int(byte >> 6)] |= 1 << UInt64(byte & 63) }
        keyBytes = set
    }

    /// `text` with every occurrence of the key, or of a piece of it, replaced.
    public func redact(_ text: String) -> String {
        guard window > 0, text.utf8.count >= window else { return text }
        var text = text
        let spans = text.withUTF8 { reveals($0) ? matches(in: $0) : [] }
        guard !spans.isEmpty else { return text }
        var bytes = Array(text.utf8)
        for span in spans.reversed() {
            bytes.replaceSubrange(span, with: Redactor.replacement.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// True when `text` holds the key or a piece of it.
    public func reveals(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { reveals($0) }
    }

    /// True when `text` holds the key or a piece of it (escapes read): one
    /// pass over a rolling window of the text as read, no allocation. Only a
    /// run of `window` bytes that all occur in the key is looked up.
    public func reveals(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard window > 0, text.count >= window else { return false }
        // The same numbers `gram` makes: a shorter key's grams carry a marker bit.
        let marker: UInt64 = window < 8 ? 1 << UInt64(8 * window) : 0
        let keep: UInt64 = window < 8 ? marker - 1 : ~0
        var rolling: UInt64 = 0
        var run = 0 // bytes since the last one the key lacks: `rolling` holds them
        var i = 0
        while i < text.count {
            let (byte, length) = Redactor.read(text, at: i)
            i += length
            guard inKey(byte) else {
                run = 0
                continue
            }
            rolling = (rolling << 8 | UInt64(byte)) & keep
            run += 1
            if run >= window, contains(rolling | marker) { return true }
        }
        return false
    }

    @inline(__always)
    private func inKey(_ byte: UInt8) -> Bool {
        keyBytes[Int(byte >> 6)] >> UInt64(byte & 63) & 1 != 0
    }

    /// Byte ranges of `text` that spell the key or a piece of it, after JSON
    /// escapes are read; sorted and not overlapping.
    private func matches(in text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        // The text as read (escapes decoded) and where each byte came from.
        var decoded: [UInt8] = []
        var origin: [Int] = []
        decoded.reserveCapacity(text.count)
        origin.reserveCapacity(text.count + 1)
        var i = 0
        while i < text.count {
            origin.append(i)
            let (byte, length) = Redactor.read(text, at: i)
            decoded.append(byte)
            i += length
        }
        origin.append(text.count)
        guard decoded.count >= window else { return [] }

        var spans: [Range<Int>] = []
        var k = 0
        while k + window <= decoded.count {
            guard contains(Redactor.gram(decoded, k, window)) else {
                k += 1
                continue
            }
            // Extend over every following window that matches as well.
            var end = k + window
            while end < decoded.count, contains(Redactor.gram(decoded, end - window + 1, window)) { end += 1 }
            let span = origin[k]..<origin[end]
            if let last = spans.last, last.upperBound >= span.lowerBound {
                spans[spans.count - 1] = last.lowerBound..<max(last.upperBound, span.upperBound)
            } else {
                spans.append(span)
            }
            k = end
        }
        return spans
    }

    private func contains(_ gram: UInt64) -> Bool {
        guard gram != 0 else { return false } // eight NUL bytes: never part of a key
        var slot = Redactor.hash(gram, mask)
        while true {
            let entry = slots[slot]
            if entry == gram { return true }
            if entry == 0 { return false }
            slot = (slot + 1) & mask
        }
    }

    /// The byte a JSON reader sees at `i` and how many bytes spell it: a
    /// plain byte, or an escape (`\uXXXX` of an ASCII character, `\/`, ...).
    /// Escapes of other characters read as 0xFF, which no key contains.
    private static func read(_ text: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt8, Int) {
        let c = text[i]
        guard c == UInt8(ascii: "\\"), i + 1 < text.count else { return (c, 1) }
        switch text[i + 1] {
        case UInt8(ascii: "u"):
            guard i + 5 < text.count else { return (c, 1) }
            var value: UInt32 = 0
            for k in 2...5 {
                guard let digit = JSONScanner.hexValue(text[i + k]) else { return (c, 1) }
                value = value << 4 | digit
            }
            return (value < 0x80 ? UInt8(value) : 0xFF, 6)
        case UInt8(ascii: "/"), UInt8(ascii: "\\"), UInt8(ascii: "\""):
            return (text[i + 1], 2)
        default:
            return (c, 1)
        }
    }

    /// `count` (1 ... 8) bytes from `start`, as one number (never 0: the
    /// table's empty mark).
    @inline(__always)
    private static func gram<C: RandomAccessCollection>(_ bytes: C, _ start: Int, _ count: Int) -> UInt64
        where C.Element == UInt8, C.Index == Int {
        var value: UInt64 = 1
        for k in 0..<count { value = value << 8 | UInt64(bytes[start + k]) }
        return value
    }

    @inline(__always)
    private static func hash(_ gram: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (gram &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }
}
