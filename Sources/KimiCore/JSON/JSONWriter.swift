/// Writes compact JSON straight into a `TextBuffer`.
///
/// Commas are placed automatically: one flag is enough because a container
/// that closes is itself a value. Keys are written in the order the caller
/// writes them, which gives request bodies a fixed, testable shape.
public struct JSONWriter {
    public private(set) var out: TextBuffer
    private var needsComma = false

    public init(into out: TextBuffer) { self.out = out }

    private mutating func separate() {
        if needsComma { out.append(UInt8(ascii: ",")) }
    }

    public mutating func beginObject() { separate(); out.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { out.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); out.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { out.append(UInt8(ascii: "]")); needsComma = true }

    public mutating func key(_ name: StaticString) {
        separate()
        out.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { out.append(UnsafeRawBufferPointer($0)) }
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func key(_ name: String) {
        separate()
        JSONWriter.appendQuoted(name, to: out)
        out.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONWriter.appendQuoted(value, to: out)
        needsComma = true
    }

    /// A string value straight from a buffer's UTF-8 bytes.
    public mutating func string(_ value: TextBuffer) { string(value.view) }

    /// A string value from UTF-8 bytes.
    public mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        separate()
        JSONWriter.appendQuoted(utf8: utf8, to: out)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        out.append(String(value))
        needsComma = true
    }

    /// Shortest round-trip form (`1.0`, `0.6`), never `0.59999999999999998`.
    /// Callers refuse NaN and infinity before they get here.
    public mutating func double(_ value: Double) {
        separate()
        out.append(value.description)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        out.append(value ? "true" : "false")
        needsComma = true
    }

    public mutating func null() {
        separate()
        out.append("null")
        needsComma = true
    }

    /// Appends JSON text that is already valid (a dumped jansson value).
    public mutating func raw(_ json: UnsafeRawBufferPointer) {
        separate()
        out.append(json)
        needsComma = true
    }

    /// Continues writing into `buffer` (the encoder starts a new text piece
    /// after inline media), keeping the comma state.
    public mutating func continueIn(_ buffer: TextBuffer) { out = buffer }

    /// Starts a string value whose body the caller appends in pieces (base64
    /// media written straight into the body); finish with `endPiecewiseString`.
    public mutating func beginPiecewiseString() {
        separate()
        out.append(UInt8(ascii: "\""))
    }

    public mutating func endPiecewiseString() {
        out.append(UInt8(ascii: "\""))
        needsComma = true
    }

    /// Appends `value` as a JSON string literal: quotes, backslashes and
    /// control characters escaped; everything else copied as UTF-8 in runs.
    public static func appendQuoted(_ value: String, to out: TextBuffer) {
        var value = value
        value.withUTF8 { appendQuoted(utf8: $0, to: out) }
    }

    public static func appendQuoted(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: TextBuffer) {
        out.append(UInt8(ascii: "\""))
        appendEscaped(utf8: bytes, to: out)
        out.append(UInt8(ascii: "\""))
    }

    public static func appendEscaped(utf8 bytes: UnsafeBufferPointer<UInt8>, to out: TextBuffer) {
        guard let base = bytes.baseAddress else { return }
        var runStart = 0
        var i = 0
        let n = bytes.count
        while i < n {
            let c = base[i]
            if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            out.append(base + runStart, count: i - runStart)
            switch c {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            default:
                out.append("\\u00")
                out.append(hexDigits[Int(c >> 4)])
                out.append(hexDigits[Int(c & 0x0F)])
            }
            i += 1
            runStart = i
        }
        out.append(base + runStart, count: n - runStart)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

/// Text the writer writes as a JSON string: a String, or a TextBuffer's
/// bytes (no String made).
public protocol JSONStringValue {
    func write(to writer: inout JSONWriter)
}

extension String: JSONStringValue {
    public func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension TextBuffer: JSONStringValue {
    public func write(to writer: inout JSONWriter) { writer.string(self) }
}

extension GatedText: JSONStringValue {
    public func write(to writer: inout JSONWriter) { writer.string(view) }
}

extension JSONWriter {
    public mutating func string(_ text: GatedText) { string(text.view) }
}
