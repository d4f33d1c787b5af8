import Glibc
import KimiCore

/// A C string argument as a Swift String: NULL and invalid UTF-8 are errors
/// naming the argument.
func string(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(KimiError) -> String {
    guard let pointer else { throw .invalidArgument("\(name) must not be NULL") }
    guard let text = String(validatingCString: pointer) else {
        throw .invalidArgument("\(name) is not valid UTF-8")
    }
    return text
}

/// Like `string`, but NULL is allowed and gives nil.
func optionalString(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(KimiError) -> String? {
    guard pointer != nil else { return nil }
    return try string(pointer, name)
}

/// A JSON text argument, parsed.
func json(_ pointer: UnsafePointer<CChar>?, _ name: String) throws(KimiError) -> JSONValue {
    let text = try string(pointer, name)
    switch JSONValue.parse(text) {
    case .success(let value): return value
    case .failure(let error):
        throw .invalidArgument("\(name) is not valid JSON: \(error.message) at byte \(error.position)")
    }
}

/// The "" every string accessor returns when there is nothing to return.
nonisolated(unsafe) let emptyCString: UnsafePointer<CChar> = UnsafeRawPointer(("" as StaticString).utf8Start)
    .assumingMemoryBound(to: CChar.self)

/// A static string's C pointer.
func cString(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// Outside text (it passed the gate) as a C string, its length stored in
/// `lengthOut` when given. Every accessor of text that came from a server
/// or a file returns through here.
func borrowed(_ text: GatedText?, _ lengthOut: UnsafeMutablePointer<Int>? = nil) -> UnsafePointer<CChar> {
    guard let text else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    lengthOut?.pointee = text.count
    return text.cString
}

/// Text that is not outside text as a C string: the model's own (content,
/// reasoning, tool-call arguments: byte for byte) or the caller's. The label
/// makes an accessor say which it hands out.
func borrowed(payload buffer: TextBuffer?, _ lengthOut: UnsafeMutablePointer<Int>? = nil) -> UnsafePointer<CChar> {
    guard let buffer else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    lengthOut?.pointee = buffer.count
    return buffer.cString
}

/// A malloc'ed copy of `buffer` for `char *` results (freed by kimi_string_free).
func ownedCopy(_ buffer: TextBuffer) throws(KimiError) -> UnsafeMutablePointer<CChar> {
    guard let copy = malloc(buffer.count + 1)?.assumingMemoryBound(to: CChar.self) else {
        throw KimiError(.noMemory, "out of memory copying \(buffer.count) bytes")
    }
    memcpy(copy, buffer.bytes, buffer.count + 1)
    return copy
}
