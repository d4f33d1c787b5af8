/// Text that came from outside the process (a server's answer or headers, a
/// file, the environment) in the only form the library hands it out: the API
/// key removed and control characters removed. Only a `Gate` makes one, so
/// an error field, an accessor, a log line or an exception cannot carry
/// outside text that skipped the gate: there is no other way to get one.
///
/// The model's own text (content, reasoning, tool-call arguments) is not
/// outside text in this sense: it is the answer, delivered byte for byte
/// (a terminal that shows it escapes it, as `kimi` does).
public struct OutsideText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let string: String

    fileprivate init(gated: String) { string = gated }

    /// The library's own words (a literal cannot carry what a server sent).
    public init(stringLiteral value: StaticString) { string = value.description }

    public static let empty = OutsideText(gated: "")

    public var isEmpty: Bool { string.isEmpty }
    public var description: String { string }
}

/// The one gate outside text passes: the key goes (whole, any piece of 8 or
/// more characters, JSON-escaped; see `Redactor`) and so do the control
/// characters of its shape. Control characters are C0 (U+0000–U+001F), DEL
/// and C1 (U+0080–U+009F); invalid UTF-8 reads as U+FFFD.
public struct Gate: Sendable {
    public enum Shape: Sendable {
        /// One line (ids, names, types, codes, header values, messages): tab,
        /// CR, LF and the Unicode line breaks become a space, other control
        /// characters go, runs of spaces become one, the ends are trimmed.
        case line
        /// Text that may span lines (a response body): tab and LF stay, CR LF
        /// and lone CR become LF, other control characters go.
        case lines
        /// A JSON document as received or exported, as text: DEL and C1
        /// (which JSON may carry raw in strings) are written as `\u`
        /// escapes, and the key goes. (`admitJSON` also gates the strings.)
        case json
    }

    public let redactor: Redactor

    /// A gate with no key to remove (decoders used outside a client, the
    /// fuzzers): control characters still go.
    public static let none = Gate(redactor: .none)

    public init(redactor: Redactor) { self.redactor = redactor }

    public func admit(_ text: String, as shape: Shape = .line) -> OutsideText {
        let cleaned: String
        switch shape {
        case .json: cleaned = Gate.escapingRawControls(text)
        case .line: cleaned = Gate.oneLine(text)
        case .lines: cleaned = Gate.lines(text)
        }
        return OutsideText(gated: redactor.redact(cleaned))
    }

    /// UTF-8 bytes from outside (repaired where invalid).
    public func admit(_ bytes: UnsafeBufferPointer<UInt8>, as shape: Shape = .line) -> OutsideText {
        admit(String(decoding: bytes, as: UTF8.self), as: shape)
    }

    /// C0, DEL and C1, and the invisible format characters a server could
    /// use to hide or reorder what is shown: the soft hyphen, zero-width
    /// spaces and joiners, bidirectional marks, overrides and isolates, word
    /// joiners and the byte order mark. (Dropped before the key is looked
    /// for, so they cannot split it either.)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0xAD || (v >= 0x200B && v <= 0x200F)
            || (v >= 0x202A && v <= 0x202E) || (v >= 0x2060 && v <= 0x2064) || (v >= 0x2066 && v <= 0x2069)
            || v == 0xFEFF
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.value == 0x85 || scalar.value == 0x2028
            || scalar.value == 0x2029 || scalar.value == 0x0B || scalar.value == 0x0C
    }

    private static func oneLine(_ text: String) -> String {
        if isOneLine(text) { return text }  // most outside text already is: no copy then
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar == " " || isLineBreak(scalar) {
                pendingSpace = !result.isEmpty
            } else if !isControl(scalar) {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// True when `oneLine` would return `text` unchanged: no control
    /// character or line break, no space at either end or two in a row. One
    /// pass over the bytes; the scalars are read only for non-ASCII text (a
    /// generic substring search for the double space cost more than the
    /// rest of a small response's headers together).
    private static func isOneLine(_ text: String) -> Bool {
        var afterSpace = true  // a leading space counts as a second one
        var ascii = true
        for byte in text.utf8 {
            if byte == 0x20 {
                if afterSpace { return false }
                afterSpace = true
                continue
            }
            afterSpace = false
            if byte < 0x20 || byte == 0x7F { return false }
            if byte >= 0x80 { ascii = false }
        }
        if afterSpace && !text.isEmpty { return false }  // a trailing space
        return ascii || !text.unicodeScalars.contains { isControl($0) || $0.value == 0x2028 || $0.value == 0x2029 }
    }

    private static func escapingRawControls(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { $0.value >= 0x7F && $0.value <= 0x9F }) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x7F && scalar.value <= 0x9F {
                result += "\\u00" + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func lines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\t" && $0 != "\n" }) else { return text }
        var result = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            defer { afterCR = scalar == "\r" }
            if scalar == "\r" {
                result.append("\n")
            } else if scalar == "\n" {
                if !afterCR { result.append("\n") }
            } else if scalar == "\t" || !isControl(scalar) {
                result.append(scalar)
            }
        }
        return String(result)
    }
}

/// Outside text kept as NUL-terminated bytes, for accessors that hand out a
/// C string: it can only be filled through a `Gate` (it holds `OutsideText`).
public final class GatedText {
    private let storage = TextBuffer()

    public init() {}

    public init(_ text: OutsideText) { storage.append(text.string) }

    /// Replaces the contents.
    public func set(_ text: OutsideText) {
        storage.removeAll()
        storage.append(text.string)
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var string: String { storage.string }
    public var view: UnsafeBufferPointer<UInt8> { storage.view }
    public var cString: UnsafePointer<CChar> { storage.cString }
    public var text: OutsideText { OutsideText(gated: storage.string) }
}

/// A header from outside, gated (its name lower-cased).
public struct OutsideHeader: Sendable {
    public let name: OutsideText
    public let value: OutsideText
}

/// Headers from outside, gated, in order.
public typealias OutsideHeaders = [OutsideHeader]

extension Gate {
    /// Raw header fields (as `ResponseHead` read them) through the gate.
    public func admit(_ headers: [(name: String, value: String)]) -> OutsideHeaders {
        headers.map { OutsideHeader(name: admit($0.name), value: admit($0.value)) }
    }

    /// `error` as it may leave a call: its message through the gate too
    /// (it quotes what the server said), its other texts already are.
    public func admit(_ error: KimiError) -> KimiError {
        var error = error
        error.message = admit(error.message).string
        return error
    }

    /// What `body` returns; an error it throws as `admit(_:)` makes it.
    /// For the work before a call (it quotes the caller's own values: a
    /// path, an id, a model, a request's fields, any of which may hold the
    /// key), whose errors no call's end gates.
    public func admitting<T>(_ body: () throws(KimiError) -> T) throws(KimiError) -> T {
        do throws(KimiError) {
            return try body()
        } catch {
            throw admit(error)
        }
    }
}

extension Array where Element == OutsideHeader {
    /// The value of header `name` (any case); nil when absent.
    public func value(named name: String) -> OutsideText? {
        let wanted = name.lowercased()
        return first { $0.name.string == wanted }?.value
    }
}

extension Gate {
    /// Where a JSON document holds the model's own text, kept as sent.
    public enum Payload: Sendable {
        /// Nowhere: every string is outside text (errors, files, batches).
        case none
        /// A chat completion: `choices[].message.content`, `.reasoning_content`
        /// and `.tool_calls[].function.arguments`.
        case chatResponse
        /// A stream chunk: the same under `choices[].delta`.
        case chatChunk
    }

    /// A JSON document from outside as it may leave the library (exported
    /// JSON a binding parses into its objects): every string in it, keys
    /// included, passes the gate as one line, so a control character
    /// a server wrote as an escape (`\u001b`) is gone too; the model's own
    /// text at `payload`'s places is kept as sent. A document that holds no
    /// control character (raw or escaped) and no piece of the key, the usual
    /// case, is returned as it is without being parsed; one that does not
    /// parse is gated as text.
    public func admitJSON(_ text: String, payload: Payload) -> OutsideText {
        var text = text
        return text.withUTF8 { admitJSON($0, payload: payload) }
    }

    /// True when `admitJSON` returns `text` as it is: no control
    /// character to escape, no key to remove.
    func passesUnchanged(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        !(Gate.holdsControls(text) || redactor.reveals(text))
    }

    /// `admitJSON` of UTF-8 bytes (valid while it runs).
    public func admitJSON(_ text: UnsafeBufferPointer<UInt8>, payload: Payload) -> OutsideText {
        var unchanged = false
        return admitJSON(text, payload: payload, unchanged: &unchanged)
    }

    /// `admitJSON`, telling whether the text passed as it is
    /// (`passesUnchanged`), without looking at it twice.
    func admitJSON(_ text: UnsafeBufferPointer<UInt8>, payload: Payload, unchanged: inout Bool) -> OutsideText {
        unchanged = passesUnchanged(text)
        guard !unchanged else {
            return OutsideText(gated: String(decoding: text, as: UTF8.self))
        }
        guard case .success(let root) = JSONValue.parse(UnsafeRawBufferPointer(text)) else {
            return admit(text, as: .lines)
        }
        let out = TextBuffer(capacity: text.count)
        var writer = JSONWriter(into: out)
        var path: [String] = []
        write(root, &writer, &path, payload)
        return admit(out.string, as: .json)
    }

    private func write(_ value: JSONValue, _ w: inout JSONWriter, _ path: inout [String], _ payload: Payload) {
        switch value.kind {
        case .object:
            w.beginObject()
            for (key, member) in value.members {
                w.key(admit(key).string)
                path.append(key)
                write(member, &w, &path, payload)
                path.removeLast()
            }
            w.endObject()
        case .array:
            w.beginArray()
            path.append("[]")
            for element in value.elements { write(element, &w, &path, payload) }
            path.removeLast()
            w.endArray()
        case .string:
            let text = value.string ?? ""
            w.string(Gate.isPayload(path, payload) ? text : admit(text).string)
        default:
            value.write(to: &w)
        }
    }

    private static func isPayload(_ path: [String], _ payload: Payload) -> Bool {
        let message: String
        switch payload {
        case .none: return false
        case .chatResponse: message = "message"
        case .chatChunk: message = "delta"
        }
        guard path.count >= 4, path[0] == "choices", path[1] == "[]", path[2] == message else { return false }
        let rest = path[3...]
        return rest.elementsEqual(["content"]) || rest.elementsEqual(["reasoning_content"])
            || rest.elementsEqual(["tool_calls", "[]", "function", "arguments"])
    }

    /// A character in JSON text that the gate drops from outside text, raw
    /// or escaped: DEL, C1 and the invisible format characters (`isControl`;
    /// a key split by zero-width spaces must not pass as text that holds no
    /// key), and the C0 controls but tab, LF and CR (`\b`, `\f`,
    /// `\u0000`-`\u001f`). Only then is the text read string by string.
    static func holdsControls(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        func hex(_ byte: UInt8) -> UInt32? { JSONScanner.hexValue(byte) }
        var i = 0
        let n = text.count
        while i < n {
            let c = text[i]
            if c == 0x7F { return true }
            if c == 0xC2 || c == 0xE2 || c == 0xEF {  // the lead bytes of C1 and the format characters
                if let scalar = scalar(in: text, at: i), isControl(scalar) { return true }
                i += 1
                continue
            }
            guard c == UInt8(ascii: "\\"), i + 1 < n else {
                i += 1
                continue
            }
            let escape = text[i + 1]
            if escape == UInt8(ascii: "b") || escape == UInt8(ascii: "f") { return true }
            if escape == UInt8(ascii: "u"), i + 5 < n, let h1 = hex(text[i + 2]), let h2 = hex(text[i + 3]),
               let h3 = hex(text[i + 4]), let h4 = hex(text[i + 5]) {
                let code = h1 << 12 | h2 << 8 | h3 << 4 | h4
                if code != 0x09 && code != 0x0A && code != 0x0D, let scalar = Unicode.Scalar(code), isControl(scalar) {
                    return true
                }
            }
            i += 2
        }
        return false
    }

    /// The scalar of the two- or three-byte UTF-8 sequence at `i`, nil when
    /// it is not one.
    private static func scalar(in text: UnsafeBufferPointer<UInt8>, at i: Int) -> Unicode.Scalar? {
        let lead = text[i]
        func continuation(_ k: Int) -> UInt32? {
            guard i + k < text.count, text[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(text[i + k] & 0x3F)
        }
        if lead & 0xE0 == 0xC0, let b = continuation(1) { return Unicode.Scalar(UInt32(lead & 0x1F) << 6 | b) }
        if lead & 0xF0 == 0xE0, let b = continuation(1), let c = continuation(2) {
            return Unicode.Scalar(UInt32(lead & 0x0F) << 12 | b << 6 | c)
        }
        return nil
    }
}
