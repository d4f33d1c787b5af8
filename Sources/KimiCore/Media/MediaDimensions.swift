/// Width and height read from media bytes: PNG, JPEG, WebP and GIF images,
/// MP4/MOV/3GPP (`tkhd`) and WebM videos. Only headers are read, through
/// `Bytes`, so a file is read at a few offsets rather than whole. Nothing
/// here trusts a length: every read is bounds-checked and every walk has a
/// step limit.
public struct MediaDimensions: Equatable, Sendable {
    public var width: Int
    public var height: Int

    /// Kimi's recommendations: larger media only cost time.
    static let imageLimit = MediaDimensions(width: 4096, height: 2160)
    static let videoLimit = MediaDimensions(width: 2048, height: 1080)

    /// Over `limit` in either orientation (a portrait photo is compared
    /// long side to long side).
    func exceeds(_ limit: MediaDimensions) -> Bool {
        max(width, height) > max(limit.width, limit.height) || min(width, height) > min(limit.width, limit.height)
    }

    /// Random access to the media's bytes; nil past the end.
    struct Bytes {
        let count: Int
        let read: (_ offset: Int, _ length: Int) -> [UInt8]?

        func u8(_ at: Int) -> Int? { read(at, 1).map { Int($0[0]) } }
        func be(_ at: Int, _ size: Int) -> Int? {
            read(at, size).map { $0.reduce(0) { ($0 << 8) | Int($1) } }
        }
        func le(_ at: Int, _ size: Int) -> Int? {
            read(at, size).map { $0.reversed().reduce(0) { ($0 << 8) | Int($1) } }
        }
        func matches(_ at: Int, _ text: String) -> Bool { read(at, text.utf8.count) == Array(text.utf8) }
    }

    /// The dimensions of media of `format`, or nil when they cannot be read.
    static func read(_ bytes: Bytes, format: MediaDetector.Format) -> MediaDimensions? {
        let found: MediaDimensions?
        switch format {
        case MediaDetector.png: found = png(bytes)
        case MediaDetector.gif: found = gif(bytes)
        case MediaDetector.webp: found = webp(bytes)
        case MediaDetector.jpeg: found = jpeg(bytes)
        case MediaDetector.mp4, MediaDetector.mov, MediaDetector.threeGPP: found = isoTracks(bytes)
        case MediaDetector.webm: found = webm(bytes)
        default: found = nil
        }
        guard let found, found.width > 0, found.height > 0 else { return nil }
        return found
    }

    private static func png(_ b: Bytes) -> MediaDimensions? {
        guard b.matches(12, "IHDR"), let w = b.be(16, 4), let h = b.be(20, 4) else { return nil }
        return MediaDimensions(width: w, height: h)
    }

    private static func gif(_ b: Bytes) -> MediaDimensions? {
        guard let w = b.le(6, 2), let h = b.le(8, 2) else { return nil }
        return MediaDimensions(width: w, height: h)
    }

    private static func webp(_ b: Bytes) -> MediaDimensions? {
        if b.matches(12, "VP8 "), let w = b.le(26, 2), let h = b.le(28, 2) {
            return MediaDimensions(width: w & 0x3FFF, height: h & 0x3FFF)
        }
        if b.matches(12, "VP8L"), let bits = b.le(21, 4) {
            return MediaDimensions(width: (bits & 0x3FFF) + 1, height: ((bits >> 14) & 0x3FFF) + 1)
        }
        if b.matches(12, "VP8X"), let w = b.le(24, 3), let h = b.le(27, 3) {
            return MediaDimensions(width: w + 1, height: h + 1)
        }
        return nil
    }

    /// Walks the JPEG segments to the first start-of-frame marker.
    private static func jpeg(_ b: Bytes) -> MediaDimensions? {
        var at = 2
        for _ in 0..<4096 {
            guard b.u8(at) == 0xFF, var marker = b.u8(at + 1) else { return nil }
            while marker == 0xFF {  // fill bytes
                at += 1
                guard let next = b.u8(at + 1) else { return nil }
                marker = next
            }
            if marker == 0x01 || (0xD0...0xD8).contains(marker) {  // no length
                at += 2
                continue
            }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard let h = b.be(at + 5, 2), let w = b.be(at + 7, 2) else { return nil }
                return MediaDimensions(width: w, height: h)
            }
            guard marker != 0xD9, let length = b.be(at + 2, 2), length >= 2 else { return nil }
            at += 2 + length
        }
        return nil
    }

    /// The largest track header (`moov/trak/tkhd`) of an ISO base media file.
    private static func isoTracks(_ b: Bytes) -> MediaDimensions? {
        var best: MediaDimensions?
        var steps = 0
        func walk(_ start: Int, _ end: Int) {
            var at = start
            while at + 8 <= end, steps < 10_000 {
                steps += 1
                guard var size = b.be(at, 4), let type = b.read(at + 4, 4) else { return }
                var header = 8
                if size == 1 {
                    guard let large = b.be(at + 8, 8), large >= 16 else { return }
                    size = large
                    header = 16
                } else if size == 0 {
                    size = end - at
                }
                guard size >= header, size <= end - at else { return }
                switch String(decoding: type, as: UTF8.self) {
                case "moov", "trak": walk(at + header, at + size)
                case "tkhd":
                    let version = b.u8(at + header) ?? 0
                    let offset = at + header + (version == 1 ? 88 : 76)
                    if let w = b.be(offset, 4), let h = b.be(offset + 4, 4), w >> 16 > 0, h >> 16 > 0,
                       (best.map { (w >> 16) * (h >> 16) > $0.width * $0.height } ?? true) {
                        best = MediaDimensions(width: w >> 16, height: h >> 16)
                    }
                default: break
                }
                at += size
            }
        }
        walk(0, b.count)
        return best
    }

    /// Matroska/WebM: Segment > Tracks > TrackEntry > Video > PixelWidth/PixelHeight.
    private static func webm(_ b: Bytes) -> MediaDimensions? {
        let masters: Set<Int> = [0x1853_8067, 0x1654_AE6B, 0xAE, 0xE0]
        var width: Int?, height: Int?
        var steps = 0
        /// A variable-length integer at `at`: (value, its length), the
        /// length marker kept for ids and dropped for sizes.
        func vint(_ at: Int, keepMarker: Bool) -> (Int, Int)? {
            guard let first = b.u8(at), first != 0 else { return nil }
            let length = first.leadingZeroBitCount - (Int.bitWidth - 8) + 1
            guard length <= 8, let all = b.be(at, length) else { return nil }
            let value = keepMarker ? all : all & ((1 << (7 * length)) - 1)
            return (value, length)
        }
        func walk(_ start: Int, _ end: Int) {
            var at = start
            while at < end, steps < 100_000, width == nil || height == nil {
                steps += 1
                guard let (id, idLength) = vint(at, keepMarker: true), let (size, sizeLength) = vint(at + idLength, keepMarker: false) else { return }
                let body = at + idLength + sizeLength
                let unknown = size == (1 << (7 * sizeLength)) - 1
                let bodyEnd = unknown ? end : min(end, body + size)
                if masters.contains(id) {
                    walk(body, bodyEnd)
                } else if id == 0xB0 {
                    width = b.be(body, min(size, 8))
                } else if id == 0xBA {
                    height = b.be(body, min(size, 8))
                }
                guard !unknown else { return }
                at = body + size
            }
        }
        walk(0, b.count)
        guard let width, let height else { return nil }
        return MediaDimensions(width: width, height: height)
    }
}
