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
        /// A JSON document as received or exported: it escapes its C0
        /// controls itself; DEL and C1 (which JSON may carry raw in strings)
        /// are written as `\u` escapes, and the key goes.
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

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.value == 0x85 || scalar.value == 0x2028
            || scalar.value == 0x2029 || scalar.value == 0x0B || scalar.value == 0x0C
    }

    private static func oneLine(_ text: String) -> String {
        // Most outside text is already clean: no copy then.
        if !text.unicodeScalars.contains(where: { isControl($0) || $0.value == 0x2028 || $0.value == 0x2029 }),
           !text.hasPrefix(" "), !text.hasSuffix(" "), !text.contains("  ") {
            return text
        }
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
}

extension Array where Element == OutsideHeader {
    /// The value of header `name` (any case); nil when absent.
    public func value(named name: String) -> OutsideText? {
        let wanted = name.lowercased()
        return first { $0.name.string == wanted }?.value
    }
}
