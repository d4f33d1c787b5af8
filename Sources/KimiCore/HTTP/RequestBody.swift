/// A request body as the encoder produced it: JSON text, with inline media
/// kept as references between text pieces. Its exact size is known before
/// any base64 exists, so limits are checked first and media is encoded only
/// while it is sent (straight into curl's upload buffer) or materialised.
public final class RequestBody {
    public enum Segment {
        case text(TextBuffer)
        /// The base64 of the media (its `data:` prefix ends the text before).
        case media(InlineMedia)
    }

    public let segments: [Segment]
    /// Bytes on the wire.
    public let count: Int

    init(_ segments: [Segment]) {
        self.segments = segments
        count = segments.reduce(0) { total, segment in
            switch segment {
            case .text(let text): return total + text.count
            case .media(let media): return total + media.encodedCount
            }
        }
    }

    /// The body when it is one piece of text (no inline media): sent as is.
    public var contiguousText: TextBuffer? {
        if segments.count == 1, case .text(let text) = segments[0] { return text }
        return nil
    }

    /// The whole body in memory (reads media files).
    public func materialize() throws(KimiError) -> TextBuffer {
        if let text = contiguousText { return text }
        let out = TextBuffer(capacity: count)
        try append(to: out)
        return out
    }

    /// Appends the whole body to `out` (reads media files).
    public func append(to out: TextBuffer) throws(KimiError) {
        out.reserve(out.count + count)
        for segment in segments {
            switch segment {
            case .text(let text): out.append(text)
            case .media(let media):
                try media.forEachChunk(3 << 20) { (chunk: UnsafeRawBufferPointer) throws(KimiError) in Base64.append(chunk, to: out) }
            }
        }
    }

    public var text: String {
        (try? materialize().string) ?? ""
    }
}

/// Feeds a body to curl's read callback, producing base64 on the way.
public final class BodyReader {
    private let body: RequestBody
    private var segment = 0
    private var offset = 0
    private var fileReader: MediaFileReader?
    private var scratch: UnsafeMutableRawPointer?
    private var scratchSize = 0
    /// Why reading stopped early (a media file that changed or vanished).
    public private(set) var error: KimiError?
    private(set) var sent: Int64 = 0

    public init(_ body: RequestBody) { self.body = body }

    deinit { scratch?.deallocate() }

    /// Fills `buffer` with up to `capacity` bytes; 0 at the end; nil on error.
    public func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        var written = 0
        while written < capacity, segment < body.segments.count {
            switch body.segments[segment] {
            case .text(let text):
                let n = min(capacity - written, text.count - offset)
                (buffer + written).copyMemory(from: text.bytes + offset, byteCount: n)
                written += n
                offset += n
                if offset == text.count { next() }
            case .media(let media):
                // Whole base64 quads only; raw offsets stay multiples of 3
                // until the last group.
                let room = (capacity - written) / 4 * 3
                guard room > 0 else { return finish(written) }
                let want = min(room, media.byteCount - offset)
                do {
                    let produced = try encode(media, rawCount: want, into: buffer + written)
                    written += produced
                } catch {
                    self.error = error
                    return nil
                }
                offset += want
                if offset == media.byteCount { next() }
            }
        }
        return finish(written)
    }

    private func finish(_ written: Int) -> Int {
        sent += Int64(written)
        return written
    }

    private func next() {
        segment += 1
        offset = 0
        fileReader = nil
    }

    private func encode(_ media: InlineMedia, rawCount: Int, into out: UnsafeMutableRawPointer) throws(KimiError) -> Int {
        switch media.source {
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { raw in
                Base64.encode(raw.baseAddress! + offset, count: rawCount, to: out)
            }
        case .file(let path):
            if fileReader == nil { fileReader = try MediaFileReader(path: path, expected: media.byteCount) }
            if scratchSize < rawCount {
                scratch?.deallocate()
                scratch = UnsafeMutableRawPointer.allocate(byteCount: rawCount, alignment: 16)
                scratchSize = rawCount
            }
            guard let scratch, let reader = fileReader else { return 0 }
            let n = try reader.read(into: scratch, count: rawCount)
            return Base64.encode(scratch, count: n, to: out)
        }
    }
}
