import CCurl

/// Where an upload's bytes come from.
enum UploadSource {
    case file(String)
    case bytes([UInt8])
    /// The caller's memory, valid until the upload returns (or its task
    /// lets go of it).
    case borrowed(LentBytes)

    init(_ source: InlineMedia.Source) {
        switch source {
        case .file(let path): self = .file(path)
        case .bytes(let bytes): self = .bytes(bytes)
        }
    }
}

/// Memory a caller lends an upload without a copy (kimi_file_upload_data):
/// read only under a lock, so a task's caller can take it back at any time
/// (`revoke`, when the task's handle is freed): once that returns, no read
/// of it runs or starts, and an upload still running fails.
final class LentBytes: @unchecked Sendable {
    private let lock = Lock()
    private var memory: UnsafeRawBufferPointer?
    let count: Int

    init(_ memory: UnsafeRawBufferPointer) {
        self.memory = memory
        count = memory.count
    }

    /// Copies `n` bytes from `offset`; false once revoked.
    func copy(from offset: Int, into buffer: UnsafeMutableRawPointer, count n: Int) -> Bool {
        lock.withLock {
            guard let base = memory?.baseAddress else { return false }
            buffer.copyMemory(from: base + offset, byteCount: n)
            return true
        }
    }

    /// The first `n` bytes (fewer when shorter; none once revoked).
    func prefix(_ n: Int) -> [UInt8] {
        lock.withLock { memory.map { Array($0.prefix(n)) } ?? [] }
    }

    func revoke() { lock.withLock { memory = nil } }
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
    /// curl_mime_free after the transfer. `failed` hears why the file part
    /// could not be read to its end (then the transfer is aborted).
    func build(on easy: EasyHandle, failed: @escaping (KimiError) -> Void) throws(KimiError) -> OpaquePointer {
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
            // From a descriptor opened (and checked to be a regular file) here,
            // not by curl from the path: what was checked is what is sent.
            // Its size is the one announced when the upload was made: a file
            // replaced or changed since then is not sent as if it were it.
            let file: OpenFile
            let stamp: OpenFile.Stamp
            do throws(KimiError) {
                file = try OpenFile(reading: path)
                guard let now = file.stamp(), now.size == byteCount else {
                    throw .invalidArgument("path: \(quoted(path)) changed before it was uploaded (\(byteCount) bytes when the upload was made, \(file.stamp().map { String($0.size) } ?? "unreadable") now)")
                }
                stamp = now
            } catch {
                curl_mime_free(mime)
                throw error
            }
            let feeder = Unmanaged.passRetained(BytesFeeder(.file(file, byteCount, stamp), failed: failed)).toOpaque()
            curl_mime_data_cb(part, curl_off_t(byteCount), bytesFeederRead, bytesFeederSeek, bytesFeederFree, feeder)
        case .bytes(let bytes):
            let feeder = Unmanaged.passRetained(BytesFeeder(.owned(bytes), failed: failed)).toOpaque()
            curl_mime_data_cb(part, curl_off_t(bytes.count), bytesFeederRead, bytesFeederSeek, bytesFeederFree, feeder)
        case .borrowed(let lent):
            let feeder = Unmanaged.passRetained(BytesFeeder(.borrowed(lent), failed: failed)).toOpaque()
            curl_mime_data_cb(part, curl_off_t(lent.count), bytesFeederRead, bytesFeederSeek, bytesFeederFree, feeder)
        }
        curl_mime_filename(part, filename)
        curl_mime_type(part, contentType)
        return mime
    }
}

/// Hands an upload to curl piece by piece: from memory (no copy of the
/// bytes) or from an open file, which must stay as it was when opened (its
/// size and modification time, looked at again with its last byte): a file
/// that shrinks, grows or is rewritten while it is sent fails the upload,
/// saying so, rather than sending something no version of it held.
private final class BytesFeeder {
    enum Source {
        case owned([UInt8])
        case borrowed(LentBytes)
        case file(OpenFile, Int, OpenFile.Stamp)
    }

    let source: Source
    let failed: (KimiError) -> Void
    var offset = 0
    init(_ source: Source, failed: @escaping (KimiError) -> Void) {
        self.source = source
        self.failed = failed
    }

    var count: Int {
        switch source {
        case .owned(let bytes): return bytes.count
        case .borrowed(let lent): return lent.count
        case .file(_, let size, _): return size
        }
    }

    /// Copies `n` bytes from the offset; false (after telling `failed`) when
    /// the source cannot give them as they were.
    func copy(into buffer: UnsafeMutableRawPointer, count n: Int) -> Bool {
        switch source {
        case .owned(let bytes):
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { buffer.copyMemory(from: base + offset, byteCount: n) }
            }
        case .borrowed(let lent):
            guard lent.copy(from: offset, into: buffer, count: n) else {
                failed(KimiError(.aborted, "the upload's memory was let go of (its task was freed)"))
                return false
            }
        case .file(let file, let size, let stamp):
            guard file.read(at: offset, into: buffer, count: n) else {
                failed(.invalidArgument("path: \(quoted(file.path)) shrank while it was uploaded (\(size) bytes when the upload started, it ended before byte \(offset + n))"))
                return false
            }
            if offset + n == size, let now = file.stamp(), now != stamp {
                failed(.invalidArgument("path: \(quoted(file.path)) changed while it was uploaded (\(size) bytes when the upload started, \(now.size) now\(now.size == size ? ", rewritten" : ""))"))
                return false
            }
        }
        offset += n
        return true
    }
}

private let bytesFeederRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    buffer, size, count, arg in
    guard let buffer, let arg else { return 0 }
    let feeder = Unmanaged<BytesFeeder>.fromOpaque(arg).takeUnretainedValue()
    let n = min(size &* count, feeder.count - feeder.offset)
    guard n <= 0 || feeder.copy(into: UnsafeMutableRawPointer(buffer), count: n) else {
        return 0x10000000  // CURL_READFUNC_ABORT: the file changed under the upload
    }
    return max(n, 0)
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
