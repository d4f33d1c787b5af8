import CCurl

/// Where an upload's bytes come from.
enum UploadSource {
    case file(String)
    case bytes([UInt8])
    /// The caller's memory, valid until the (blocking) upload returns.
    case borrowed(UnsafeRawBufferPointer)

    init(_ source: InlineMedia.Source) {
        switch source {
        case .file(let path): self = .file(path)
        case .bytes(let bytes): self = .bytes(bytes)
        }
    }
}

/// A multipart/form-data body for a file upload: text fields, then one file
/// part streamed by curl (from disk, or from memory without a copy).
struct MultipartForm {
    var fields: [(name: String, value: String)]
    var fileField = "file"
    var filename: String
    var contentType: String
    var source: UploadSource
    var byteCount: Int

    /// Builds the curl MIME structure on `easy`; the caller frees it with
    /// curl_mime_free after the transfer.
    func build(on easy: EasyHandle) throws(KimiError) -> OpaquePointer {
        guard let mime = curl_mime_init(easy.raw) else { throw KimiError(.noMemory, "curl_mime_init failed") }
        for (name, value) in fields {
            guard let part = curl_mime_addpart(mime) else { break }
            curl_mime_name(part, name)
            curl_mime_data(part, value, value.utf8.count)
        }
        guard let part = curl_mime_addpart(mime) else {
            curl_mime_free(mime)
            throw KimiError(.noMemory, "curl_mime_addpart failed")
        }
        curl_mime_name(part, fileField)
        switch source {
        case .file(let path):
            guard curl_mime_filedata(part, path) == CURLE_OK else {
                curl_mime_free(mime)
                throw .invalidArgument("path: cannot read \"\(path)\"")
            }
        case .bytes(let bytes):
            let feeder = Unmanaged.passRetained(BytesFeeder(.owned(bytes))).toOpaque()
            curl_mime_data_cb(part, curl_off_t(bytes.count), bytesFeederRead, bytesFeederSeek, bytesFeederFree, feeder)
        case .borrowed(let memory):
            let feeder = Unmanaged.passRetained(BytesFeeder(.borrowed(memory))).toOpaque()
            curl_mime_data_cb(part, curl_off_t(memory.count), bytesFeederRead, bytesFeederSeek, bytesFeederFree, feeder)
        }
        curl_mime_filename(part, filename)
        curl_mime_type(part, contentType)
        return mime
    }
}

/// Hands an in-memory upload to curl piece by piece (no copy of the bytes).
private final class BytesFeeder {
    enum Memory {
        case owned([UInt8])
        case borrowed(UnsafeRawBufferPointer)
    }

    let memory: Memory
    var offset = 0
    init(_ memory: Memory) { self.memory = memory }

    var count: Int {
        switch memory {
        case .owned(let bytes): return bytes.count
        case .borrowed(let raw): return raw.count
        }
    }

    func copy(into buffer: UnsafeMutableRawPointer, count n: Int) {
        switch memory {
        case .owned(let bytes):
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { buffer.copyMemory(from: base + offset, byteCount: n) }
            }
        case .borrowed(let raw):
            if let base = raw.baseAddress { buffer.copyMemory(from: base + offset, byteCount: n) }
        }
        offset += n
    }
}

private let bytesFeederRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, arg in
    guard let buffer, let arg else { return 0 }
    let feeder = Unmanaged<BytesFeeder>.fromOpaque(arg).takeUnretainedValue()
    let n = min(size * count, feeder.count - feeder.offset)
    feeder.copy(into: UnsafeMutableRawPointer(buffer), count: n)
    return n
}

private let bytesFeederSeek: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, Int32) -> Int32 = { arg, offset, origin in
    guard let arg, origin == SEEK_SET_VALUE else { return 1 } // CURL_SEEKFUNC_FAIL
    let feeder = Unmanaged<BytesFeeder>.fromOpaque(arg).takeUnretainedValue()
    guard offset >= 0, Int(offset) <= feeder.count else { return 1 }
    feeder.offset = Int(offset)
    return 0
}

private let bytesFeederFree: @convention(c) (UnsafeMutableRawPointer?) -> Void = { arg in
    guard let arg else { return }
    Unmanaged<BytesFeeder>.fromOpaque(arg).release()
}

/// SEEK_SET, which curl passes to seek callbacks.
private let SEEK_SET_VALUE: Int32 = 0
