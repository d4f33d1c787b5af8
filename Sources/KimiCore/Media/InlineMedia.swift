/// Image or video bytes to send inline as a `data:` URI. Immutable and
/// shared between copies of a message: the bytes (or the file) are never
/// copied again after the part is added, and base64 is produced only while
/// the request body is being sent.
public final class InlineMedia: @unchecked Sendable {
    public enum Source {
        /// The caller's bytes, copied once when the part was added.
        case bytes([UInt8])
        /// A file read when the request is sent (its size is fixed when added).
        case file(String)
    }

    public let format: MediaDetector.Format
    public let source: Source
    public let byteCount: Int

    /// Width and height read from the headers, when the format has them.
    public let dimensions: MediaDimensions?

    private let lock = Lock()
    private var uploaded: String?
    private var resolutionNoted = false

    init(format: MediaDetector.Format, source: Source, byteCount: Int, dimensions: MediaDimensions? = nil) {
        self.format = format
        self.source = source
        self.byteCount = byteCount
        self.dimensions = dimensions
    }

    /// Logs once, at warn level, that the media is larger than Kimi
    /// recommends (4K images, 2K video: more only costs time). Nothing is
    /// refused or resized.
    func noteResolution(of field: String, log: Logger) {
        guard let dimensions, log.enabled(.warn) else { return }
        let limit = format.kind == .image ? MediaDimensions.imageLimit : MediaDimensions.videoLimit
        guard dimensions.exceeds(limit), lock.withLock({ () -> Bool in
            defer { resolutionNoted = true }
            return !resolutionNoted
        }) else { return }
        let name = format.kind == .image ? "4K" : "2K"
        log.log(.warn, "\(field): \(format.kind.rawValue) \(label) is \(dimensions.width)x\(dimensions.height), over the \(limit.width)x\(limit.height) (\(name)) Kimi recommends; a larger \(format.kind.rawValue) costs more time without better understanding (sent as it is)")
    }

    /// `data:<mime>;base64,`
    public var dataURIPrefix: String { "data:\(format.mime);base64," }
    public var encodedCount: Int { Base64.encodedLength(byteCount) }

    /// How the part is named in messages: the file, or its size.
    public var label: String {
        switch source {
        case .file(let path): return quoted(path)
        case .bytes: return "\(byteCount) bytes of \(format.mime)"
        }
    }

    /// The `ms://` id once the part has been uploaded (auto upload).
    public var uploadedID: String? {
        get { lock.withLock { uploaded } }
        set { lock.withLock { uploaded = newValue } }
    }

    /// Media from the caller's bytes; `mime` nil means detect it.
    public static func fromBytes(_ bytes: [UInt8], mime: String?, kind: MediaKind) throws(KimiError) -> InlineMedia {
        guard !bytes.isEmpty else { throw .invalidArgument("len: the \(kind.rawValue) data is empty") }
        let detected = MediaDetector.detect(Array(bytes.prefix(MediaDetector.headerLength)))
        let format = try resolve(detected, stated: mime, kind: kind, what: "the bytes")
        return InlineMedia(format: format, source: .bytes(bytes), byteCount: bytes.count,
                           dimensions: MediaDimensions.read(MediaDimensions.Bytes(bytes), format: format))
    }

    /// Media from a file, detected from its first bytes (not its name). The
    /// file is read again when the request is sent.
    public static func fromFile(_ path: String, kind: MediaKind) throws(KimiError) -> InlineMedia {
        let file = try OpenFile(reading: path)
        let size = try file.size()
        guard size > 0 else { throw .invalidArgument("path: \(quoted(path)) is empty") }
        let want = min(size, MediaDetector.headerLength)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: want, alignment: 1)
        defer { buffer.deallocate() }
        let read = try file.read(into: buffer, count: want)
        let head = Array(UnsafeRawBufferPointer(start: buffer, count: read))
        let format = try resolve(MediaDetector.detect(head), stated: nil, kind: kind, what: quoted(path))
        let readable = MediaDimensions.Bytes(count: size) { offset, length in file.bytes(at: offset, count: length) }
        return InlineMedia(format: format, source: .file(path), byteCount: size,
                           dimensions: MediaDimensions.read(readable, format: format))
    }

    /// The format of media starting with `head`, which must be of `kind`.
    static func format(of head: [UInt8], kind: MediaKind, _ what: String) throws(KimiError) -> MediaDetector.Format {
        try resolve(MediaDetector.detect(head), stated: nil, kind: kind, what: what)
    }

    /// The format to send: the detected one, checked against the kind of
    /// part and any MIME type the caller stated.
    static func resolve(_ detected: MediaDetector.Result, stated mime: String?, kind: MediaKind,
                        what: String) throws(KimiError) -> MediaDetector.Format {
        let accepted = kind == .image ? "png, jpeg, webp or gif" : "mp4, mpeg, mov, avi, x-flv, webm, wmv or 3gpp"
        var statedFormat: MediaDetector.Format?
        if let mime {
            guard let format = MediaDetector.format(forMIME: mime), format.kind == kind else {
                throw .invalidArgument("mime: \(quoted(mime)) is not a supported \(kind.rawValue) type (\(accepted))")
            }
            statedFormat = format
        }
        switch detected {
        case .supported(let format):
            guard format.kind == kind else {
                throw .invalidArgument("found \(format.name) in \(what), not \(kind == .image ? "an image" : "a video"); add it as \(kind == .image ? "a video" : "an image")",
                                       hint: kind == .image ? .addAsVideo : .addAsImage)
            }
            if let statedFormat, statedFormat != format {
                throw .invalidArgument("mime: \(statedFormat.mime) was given but found \(format.name) (\(format.mime)) in \(what); state the type the bytes have, or none to have it detected")
            }
            return format
        case .unsupported(let found):
            // A stated type is trusted when the bytes are not recognised.
            if let statedFormat { return statedFormat }
            throw .invalidArgument("found \(found) in \(what), not \(kind == .image ? "an image" : "a video") Kimi accepts (\(accepted))")
        }
    }

    /// Calls `body` with the media's bytes in order, `chunk` bytes at a time
    /// (a multiple of 3 except the last), reading files as it goes.
    public func forEachChunk(_ chunk: Int, _ body: (UnsafeRawBufferPointer) throws(KimiError) -> Void) throws(KimiError) {
        switch source {
        case .bytes(let bytes):
            var failure: KimiError?
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count && failure == nil {
                    let n = min(chunk, raw.count - offset)
                    do throws(KimiError) {
                        try body(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + n]))
                    } catch {
                        failure = error
                    }
                    offset += n
                }
            }
            if let failure { throw failure }
        case .file(let path):
            let reader = try MediaFileReader(path: path, expected: byteCount)
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let n = try reader.read(into: buffer, count: chunk)
                if n == 0 { break }
                try body(UnsafeRawBufferPointer(start: buffer, count: n))
            }
        }
    }
}

/// Reads a media file that must still have the size it had when added.
final class MediaFileReader {
    private let file: OpenFile
    private let expected: Int
    private var done = 0

    init(path: String, expected: Int) throws(KimiError) {
        file = try OpenFile(reading: path)
        self.expected = expected
    }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(KimiError) -> Int {
        let want = min(count, expected - done)
        guard want > 0 else { return 0 }
        let n = try file.read(into: buffer, count: want)
        guard n == want else {
            throw .invalidArgument("path: \(quoted(file.path)) changed after it was added (\(expected) bytes then, \(done + n) now)")
        }
        done += n
        return n
    }
}
