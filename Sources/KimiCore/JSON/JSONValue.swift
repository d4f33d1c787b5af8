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
    }

    /// Parses one JSON document (any value at the top, UTF-8 checked).
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, ParseError> {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count > 0 else {
            return .failure(ParseError(message: "empty input", position: 0))
        }
        var error = json_error_t()
        guard let value = json_loadb(base, bytes.count, Int(JSON_DECODE_ANY), &error) else {
            let text = withUnsafeBytes(of: &error.text) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .failure(ParseError(message: text, position: Int(error.position)))
        }
        return .success(JSONValue(adopting: value))
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
