/// Width and height read from media bytes: PNG, JPEG, WebP and GIF images,
/// MP4/MOV/3GPP (`tkhd`) and WebM videos. Only headers are read, through
/// `Bytes`, so a file is read in a few windows rather than whole.
///
/// Every byte here is hostile. Nothing trusts a length (every read is
/// bounds-checked), nothing recurses (the container walks keep their own
/// stack, at most `maxDepth` deep), and the work is bounded: at most
/// `maxSteps` elements and `Bytes.maxWindows` windows read per file, so a
/// crafted file costs milliseconds and a few KiB of stack whatever its size.
public struct MediaDimensions: Equatable, Sendable {
    public var width: Int
    public var height: Int

    /// Containers nested deeper than this are not followed (real files
    /// nest the boxes and elements read here 2 to 4 deep).
    public static let maxDepth = 16
    /// Boxes, elements or segments visited per file at the most.
    public static let maxSteps = 100_000

    /// Kimi's recommendations: larger media only cost time.
    static let imageLimit = MediaDimensions(width: 4096, height: 2160)
    static let videoLimit = MediaDimensions(width: 2048, height: 1080)

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Over `limit` in either orientation (a portrait photo is compared
    /// long side to long side).
    func exceeds(_ limit: MediaDimensions) -> Bool {
        max(width, height) > max(limit.width, limit.height) || min(width, height) > min(limit.width, limit.height)
    }

    /// Random access to the media's bytes through a window of
    /// `windowSize` bytes, loaded by `load(offset, length)`: reading byte
    /// after byte costs one load per window, and at most `maxWindows` loads
    /// are made (after that every read fails, so the dimensions are unknown).
    public final class Bytes {
        public static let windowSize = 64 << 10
        public static let maxWindows = 256

        public let count: Int
        private let load: (_ offset: Int, _ length: Int) -> [UInt8]?
        private var window: [UInt8] = []
        private var windowStart = 0
        private var loads = 0

        public init(count: Int, load: @escaping (_ offset: Int, _ length: Int) -> [UInt8]?) {
            self.count = count
            self.load = load
        }

        /// Bytes already in memory.
        public convenience init(_ bytes: [UInt8]) {
            self.init(count: bytes.count) { offset, length in Array(bytes[offset..<offset + length]) }
        }

        /// `length` bytes at `offset`, or nil past the end (or over budget).
        func read(_ offset: Int, _ length: Int) -> ArraySlice<UInt8>? {
            guard offset >= 0, length >= 0, length <= Bytes.windowSize, offset <= count - length else { return nil }
            if offset < windowStart || offset + length > windowStart + window.count {
                guard loads < Bytes.maxWindows else { return nil }
                loads += 1
                let size = min(Bytes.windowSize, count - offset)
                guard let loaded = load(offset, size), loaded.count == size else { return nil }
                window = loaded
                windowStart = offset
            }
            let start = offset - windowStart
            return window[start..<start + length]
        }

        func u8(_ at: Int) -> Int? { read(at, 1).map { Int($0[$0.startIndex]) } }
        func be(_ at: Int, _ size: Int) -> Int? {
            guard size <= 8 else { return nil }
            return read(at, size).map { $0.reduce(0) { ($0 << 8) | Int($1) } }
        }
        func le(_ at: Int, _ size: Int) -> Int? {
            guard size <= 8 else { return nil }
            return read(at, size).map { $0.reversed().reduce(0) { ($0 << 8) | Int($1) } }
        }
        func matches(_ at: Int, _ text: String) -> Bool { read(at, text.utf8.count).map { $0.elementsEqual(text.utf8) } ?? false }
    }

    /// The dimensions of media of `format`, or nil when they cannot be read.
    public static func read(_ bytes: Bytes, format: MediaDetector.Format) -> MediaDimensions? {
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

    /// Walks the JPEG segments to the first start-of-frame marker. Fill
    /// bytes (0xFF runs) count as steps, so a file of them ends the walk.
    private static func jpeg(_ b: Bytes) -> MediaDimensions? {
        var at = 2
        var steps = 0
        while steps < maxSteps {
            steps += 1
            guard b.u8(at) == 0xFF, var marker = b.u8(at + 1) else { return nil }
            while marker == 0xFF {  // fill bytes
                steps += 1
                guard steps < maxSteps, let next = b.u8(at + 2) else { return nil }
                at += 1
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

    /// The largest track header (`moov/trak/tkhd`) of an ISO base media
    /// file. The open containers are a stack of their ends.
    private static func isoTracks(_ b: Bytes) -> MediaDimensions? {
        var best: MediaDimensions?
        var ends = [b.count]
        var at = 0
        var steps = 0
        while let end = ends.last, steps < maxSteps {
            steps += 1
            guard at + 8 <= end, var size = b.be(at, 4), let type = b.read(at + 4, 4) else {
                // This container is done: go on after it in its parent.
                ends.removeLast()
                at = end
                continue
            }
            var header = 8
            if size == 1 {
                size = b.be(at + 8, 8) ?? 0
                header = 16
            } else if size == 0 {
                size = end - at
            }
            guard size >= header, size <= end - at else {
                // A box that does not fit: nothing more of this container can be read.
                ends.removeLast()
                at = end
                continue
            }
            if type.elementsEqual("moov".utf8) || type.elementsEqual("trak".utf8) {
                guard ends.count < maxDepth else { return best }
                ends.append(at + size)
                at += header
                continue
            }
            if type.elementsEqual("tkhd".utf8) {
                let version = b.u8(at + header) ?? 0
                let offset = at + header + (version == 1 ? 88 : 76)
                if let w = b.be(offset, 4), let h = b.be(offset + 4, 4), w >> 16 > 0, h >> 16 > 0,
                   (best.map { (w >> 16) * (h >> 16) > $0.width * $0.height } ?? true) {
                    best = MediaDimensions(width: w >> 16, height: h >> 16)
                }
            }
            at += size
        }
        return best
    }

    /// Matroska/WebM: Segment > Tracks > TrackEntry > Video > PixelWidth /
    /// PixelHeight. The open master elements are a stack of their ends (an
    /// element of unknown size ends with its parent).
    private static func webm(_ b: Bytes) -> MediaDimensions? {
        let masters: Set<Int> = [0x1853_8067, 0x1654_AE6B, 0xAE, 0xE0]
        var width: Int?, height: Int?
        /// A variable-length integer at `at`: (value, its length), the
        /// length marker kept for ids and dropped for sizes.
        func vint(_ at: Int, keepMarker: Bool) -> (Int, Int)? {
            guard let first = b.u8(at), first != 0 else { return nil }
            let length = first.leadingZeroBitCount - (Int.bitWidth - 8) + 1
            guard length <= 8, let all = b.be(at, length) else { return nil }
            let value = keepMarker ? all : all & ((1 << (7 * length)) - 1)
            return (value, length)
        }
        var ends = [b.count]
        var at = 0
        var steps = 0
        while let end = ends.last, steps < maxSteps, width == nil || height == nil {
            steps += 1
            guard at < end, let (id, idLength) = vint(at, keepMarker: true),
                  let (size, sizeLength) = vint(at + idLength, keepMarker: false) else {
                ends.removeLast()
                at = end
                continue
            }
            let body = at + idLength + sizeLength
            let unknown = size == (1 << (7 * sizeLength)) - 1
            let bodyEnd = unknown ? end : min(end, body.saturatingAdd(size))
            if masters.contains(id) {
                guard ends.count < maxDepth else { break }
                ends.append(bodyEnd)
                at = body
                continue
            }
            if id == 0xB0 {
                width = b.be(body, min(size, 8))
            } else if id == 0xBA {
                height = b.be(body, min(size, 8))
            }
            // An element of unknown size that is not a master runs to its
            // parent's end: nothing more can be read in that parent.
            at = unknown ? end : body.saturatingAdd(size)
        }
        guard let width, let height else { return nil }
        return MediaDimensions(width: width, height: height)
    }
}
