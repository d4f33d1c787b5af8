import CJansson

/// One reference to a jansson value. Creating a `JSONValue` takes a
/// reference (incref for borrowed pointers); `deinit` drops it, so a value
/// can never be freed twice or leak on an error path.
public final class JSONValue {
    public enum Kind { case object, array, string, integer, real, bool, null }

    let raw: UnsafeMutablePointer<json_t>

    /// Adopts a new reference (one returned by a jansson constructor or loader).
    init(adopting raw: UnsafeMutablePointer<json_t>) { self.raw = raw }

    /// Takes an extra reference to a value jansson lends out.
    init(borrowing raw: UnsafeMutablePointer<json_t>) {
        _ = json_incref(raw)
        self.raw = raw
    }

    deinit { json_decref(raw) }

    public struct ParseError: Error {
        public let message: String
        public let position: Int
        /// An object names a member twice (`parse(_:rejectingDuplicates:numbersHeld:)`);
        /// `position` is just after the second name.
        public var isDuplicateKey = false
    }

    /// The deepest nesting accepted. Kimi's documents are a few levels deep;
    /// jansson itself allows 2,048, which on a small thread stack (musl's
    /// 128 KiB) is enough recursion to kill the process.
    public static let maxDepth = JSONScanner.maxDepth

    /// Parses one JSON document (any value at the top, UTF-8 checked).
    /// Documents nested deeper than `maxDepth` are refused before jansson
    /// sees them. A number jansson cannot hold (an integer beyond 64 bits, a
    /// real beyond a double: `1e999`) reads as null, so one absurd count
    /// leaves that field absent instead of failing the whole document.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, ParseError> {
        var numbersHeld = true
        return parse(bytes, rejectingDuplicates: false, numbersHeld: &numbersHeld)
    }

    /// `parse`, saying more: `numbersHeld` becomes false when a number was
    /// read as null, and with `rejectingDuplicates` an object naming a
    /// member twice is an error (jansson would keep the last value).
    public static func parse(_ bytes: UnsafeRawBufferPointer, rejectingDuplicates: Bool,
                             numbersHeld: inout Bool) -> Result<JSONValue, ParseError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count > 0 else {
            return .failure(ParseError(message: "empty input", position: 0))
        }
        let text = UnsafeBufferPointer(start: base, count: bytes.count)
        var unholdable: [Range<Int>] = []
        if let offset = prescan(text, limit: maxDepth, unholdable: &unholdable) {
            return .failure(ParseError(message: "nested deeper than \(maxDepth) levels", position: offset))
        }
        let flags = JSON_DECODE_ANY | (rejectingDuplicates ? JSON_REJECT_DUPLICATES : 0)
        guard !unholdable.isEmpty else { return load(text, flags: flags) }
        numbersHeld = false
        var copy = Array(text)
        for range in unholdable {
            copy.replaceSubrange(range, with: Array("null".utf8) + Array(repeating: UInt8(ascii: " "), count: range.count - 4))
        }
        return copy.withUnsafeBufferPointer { load($0, flags: flags) }
    }

    private static func load(_ text: UnsafeBufferPointer<UInt8>, flags: Int32) -> Result<JSONValue, ParseError> {
        guard let base = text.baseAddress else { return .failure(ParseError(message: "empty input", position: 0)) }
        var error = json_error_t()
        let chars = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
        guard let value = json_loadb(chars, text.count, Int(flags), &error) else {
            let message = withUnsafeBytes(of: &error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            var failure = ParseError(message: message, position: Int(error.position))
            failure.isDuplicateKey = json_error_code(&error) == json_error_duplicate_key
            return .failure(failure)
        }
        return .success(JSONValue(adopting: value))
    }

    /// One pass over JSON text before jansson parses it: returns where it
    /// opens its `limit + 1`-th nested array or object (nil when it never
    /// nests that deep; brackets inside strings do not count), and collects
    /// the numbers jansson would refuse. No parsing, so it costs little.
    static func prescan(_ text: UnsafeBufferPointer<UInt8>, limit: Int, unholdable: inout [Range<Int>]) -> Int? {
        var depth = 0
        var inString = false
        var i = 0
        let n = text.count
        while i < n {
            let c = text[i]
            if inString {
                if c == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if c == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > limit { return i }
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                var real = false
                while i < n, isNumberByte(text[i]) {
                    if text[i] == UInt8(ascii: ".") || text[i] == UInt8(ascii: "e") || text[i] == UInt8(ascii: "E") { real = true }
                    i += 1
                }
                // Only long integers and reals with an exponent can be out of range.
                if (i - start >= 19 || real) && i - start >= 4 && !holdable(text[start..<i], real: real) {
                    unholdable.append(start..<i)
                }
                continue
            default: break
            }
            i += 1
        }
        return nil
    }

    @inline(__always)
    private static func isNumberByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
            || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
    }

    /// True when jansson can hold the number: an Int64, or a finite double.
    private static func holdable(_ digits: Slice<UnsafeBufferPointer<UInt8>>, real: Bool) -> Bool {
        let text = String(decoding: digits, as: UTF8.self)
        if real { return Double(text).map { $0.isFinite } ?? true }
        return Int64(text) != nil || Double(text) == nil
    }

    public static func parse(_ text: String) -> Result<JSONValue, ParseError> {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    public static func parse(_ buffer: TextBuffer) -> Result<JSONValue, ParseError> {
        parse(buffer.rawBuffer)
    }

    public var kind: Kind {
        switch raw.pointee.type {
        case JSON_OBJECT: return .object
        case JSON_ARRAY: return .array
        case JSON_STRING: return .string
        case JSON_INTEGER: return .integer
        case JSON_REAL: return .real
        case JSON_TRUE, JSON_FALSE: return .bool
        default: return .null
        }
    }

    public var isNull: Bool { kind == .null }
    public var isObject: Bool { kind == .object }

    public subscript(key: String) -> JSONValue? {
        guard kind == .object, let child = json_object_get(raw, key) else { return nil }
        return JSONValue(borrowing: child)
    }

    /// The member `key` unless it is absent or JSON null.
    public func member(_ key: String) -> JSONValue? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }

    public var string: String? {
        guard kind == .string, let text = json_string_value(raw) else { return nil }
        let length = json_string_length(raw)
        return text.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    /// Appends a string value's bytes to `buffer` without a Swift String.
    public func appendString(to buffer: TextBuffer) -> Bool {
        guard kind == .string, let text = json_string_value(raw) else { return false }
        buffer.append(UnsafeRawBufferPointer(start: text, count: json_string_length(raw)))
        return true
    }

    /// Integers, and reals with an integral value that fits (`1.0`).
    public var int64: Int64? {
        switch kind {
        case .integer: return Int64(json_integer_value(raw))
        case .real:
            let d = json_real_value(raw)
            guard d.rounded() == d, let i = Int64(exactly: d) else { return nil }
            return i
        default: return nil
        }
    }

    /// An integer count in 0 ... 2^53 (a token count, a size, a timestamp),
    /// nil for anything else: negative, written with a fraction or an
    /// exponent (as the stream scanner reads counts too), or too large.
    public var count64: Int64? { kind == .integer ? Counts.valid(int64) : nil }

    public var double: Double? {
        switch kind {
        case .integer: return Double(json_integer_value(raw))
        case .real: return json_real_value(raw)
        default: return nil
        }
    }

    public var bool: Bool? {
        switch raw.pointee.type {
        case JSON_TRUE: return true
        case JSON_FALSE: return false
        default: return nil
        }
    }

    public var count: Int {
        switch kind {
        case .array: return json_array_size(raw)
        case .object: return json_object_size(raw)
        default: return 0
        }
    }

    public var elements: [JSONValue] {
        guard kind == .array else { return [] }
        return (0..<json_array_size(raw)).compactMap { i in
            json_array_get(raw, i).map { JSONValue(borrowing: $0) }
        }
    }

    /// Members in document order (jansson keeps insertion order).
    public var members: [(key: String, value: JSONValue)] {
        guard kind == .object else { return [] }
        var result: [(key: String, value: JSONValue)] = []
        result.reserveCapacity(json_object_size(raw))
        var iterator = json_object_iter(raw)
        while let it = iterator {
            if let key = json_object_iter_key(it), let value = json_object_iter_value(it) {
                result.append((String(cString: key), JSONValue(borrowing: value)))
            }
            iterator = json_object_iter_next(raw, it)
        }
        return result
    }

    /// Writes this value as compact JSON, numbers in shortest round-trip form.
    public func write(to writer: inout JSONWriter) {
        switch kind {
        case .object:
            writer.beginObject()
            for (key, value) in members {
                writer.key(key)
                value.write(to: &writer)
            }
            writer.endObject()
        case .array:
            writer.beginArray()
            for element in elements { element.write(to: &writer) }
            writer.endArray()
        case .string:
            writer.string(string ?? "")
        case .integer:
            writer.int(Int64(json_integer_value(raw)))
        case .real:
            writer.double(json_real_value(raw))
        case .bool:
            writer.bool(bool ?? false)
        case .null:
            writer.null()
        }
    }

    /// Compact JSON text of this value.
    public var jsonText: String {
        let buffer = TextBuffer()
        var writer = JSONWriter(into: buffer)
        write(to: &writer)
        return buffer.string
    }

    /// A short description of the value's type, for error messages.
    public var kindName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .integer, .real: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

extension JSONValue {
    /// A new object holding `members` (each value gains a reference).
    public static func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue? {
        guard let raw = json_object() else { return nil }
        let object = JSONValue(adopting: raw)
        for (key, value) in members where json_object_set(raw, key, value.raw) != 0 {
            return nil
        }
        return object
    }
}

extension Result {
    /// True for `.success`.
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
