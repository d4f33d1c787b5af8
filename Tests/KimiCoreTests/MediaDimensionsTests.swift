import Testing
@testable import KimiCore

/// Width and height from media headers, and the recommendation check.
@Suite struct MediaDimensionsTests {
    func dimensions(_ bytes: [UInt8], _ format: MediaDetector.Format) -> MediaDimensions? {
        MediaDimensions.read(MediaDimensions.Bytes(bytes), format: format)
    }

    /// Reads `size` bytes of `fill` after `head` the way a file is read,
    /// counting the reads: the work must not grow with the file.
    func reads(head: [UInt8], fill: UInt8, size: Int, _ format: MediaDetector.Format) -> (MediaDimensions?, Int) {
        var loads = 0
        let bytes = MediaDimensions.Bytes(count: head.count + size) { offset, length in
            loads += 1
            return (offset..<offset + length).map { $0 < head.count ? head[$0] : fill }
        }
        return (MediaDimensions.read(bytes, format: format), loads)
    }

    @Test func craftedFilesCostBoundedWork() {
        // 20 MB of JPEG fill bytes: 0.2.0 made one read per byte (23 s).
        let (jpeg, jpegLoads) = reads(head: [0xFF, 0xD8], fill: 0xFF, size: 20 << 20, MediaDetector.jpeg)
        #expect(jpeg == nil)
        #expect(jpegLoads <= 3)
        // Segments of unknown size nested 17,000 deep, and moov boxes of size
        // 0 nested 10,000 deep: 0.2.0 recursed once per level.
        let ebml: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3, 0x87, 0x42, 0x82, 0x84] + ascii("webm")
        let segment: [UInt8] = [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let webm = ebml + Array([[UInt8]](repeating: segment, count: 17_000).joined())
        #expect(dimensions(webm, MediaDetector.webm) == nil)
        let moov: [UInt8] = [0, 0, 0, 0] + ascii("moov")
        let mp4 = box("ftyp", ascii("isom") + [0, 0, 2, 0]) + Array([[UInt8]](repeating: moov, count: 10_000).joined())
        #expect(dimensions(mp4, MediaDetector.mp4) == nil)
        // Within the depth limit the same nesting still finds the track.
        let tkhd = box("tkhd", [0, 0, 0, 7] + [UInt8](repeating: 0, count: 72) + be(640 << 16, 4) + be(360 << 16, 4))
        var nested = box("trak", tkhd)
        for _ in 0..<(MediaDimensions.maxDepth - 2) { nested = box("moov", nested) }
        #expect(dimensions(box("ftyp", ascii("isom")) + nested, MediaDetector.mp4) == MediaDimensions(width: 640, height: 360))
        nested = box("moov", box("moov", nested))
        #expect(dimensions(box("ftyp", ascii("isom")) + nested, MediaDetector.mp4) == nil)
    }

    func be(_ value: Int, _ size: Int) -> [UInt8] { (0..<size).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    func le(_ value: Int, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }
    func box(_ type: String, _ body: [UInt8]) -> [UInt8] { be(8 + body.count, 4) + ascii(type) + body }

    @Test func images() {
        let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13, 4) + ascii("IHDR") + be(5000, 4) + be(3000, 4) + [8, 6, 0, 0, 0]
        #expect(dimensions(png, MediaDetector.png) == MediaDimensions(width: 5000, height: 3000))
        let gif = ascii("GIF89a") + le(640, 2) + le(480, 2) + [0, 0, 0]
        #expect(dimensions(gif, MediaDetector.gif) == MediaDimensions(width: 640, height: 480))
        let riff = ascii("RIFF") + le(100, 4) + ascii("WEBP")
        let lossy = riff + ascii("VP8 ") + le(20, 4) + [0, 0, 0, 0x9D, 0x01, 0x2A] + le(4100, 2) + le(2000, 2)
        #expect(dimensions(lossy, MediaDetector.webp) == MediaDimensions(width: 4100, height: 2000))
        // VP8L: 14 bits width-1, 14 bits height-1 after the 0x2F signature.
        let bits = (1919) | (1079 << 14)
        let lossless = riff + ascii("VP8L") + le(20, 4) + [0x2F] + le(bits, 4)
        #expect(dimensions(lossless, MediaDetector.webp) == MediaDimensions(width: 1920, height: 1080))
        let extended = riff + ascii("VP8X") + le(10, 4) + [0, 0, 0, 0] + le(7999, 3) + le(5999, 3)
        #expect(dimensions(extended, MediaDetector.webp) == MediaDimensions(width: 8000, height: 6000))
        // JPEG: SOI, an APP1 segment to skip, fill bytes, then SOF2 (progressive).
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1] + be(6, 2) + ascii("Exif") + [0xFF, 0xFF, 0xC2] + be(11, 2) + [8]
            + be(3024, 2) + be(4032, 2) + [3, 1, 0x22, 0]
        #expect(dimensions(jpeg, MediaDetector.jpeg) == MediaDimensions(width: 4032, height: 3024))
    }

    @Test func videos() {
        // tkhd version 0: 76 bytes of fields before width and height (16.16).
        let tkhd0 = box("tkhd", [0, 0, 0, 7] + [UInt8](repeating: 0, count: 72) + be(3840 << 16, 4) + be(2160 << 16, 4))
        let audio = box("tkhd", [0, 0, 0, 7] + [UInt8](repeating: 0, count: 72) + be(0, 4) + be(0, 4))
        let mp4 = box("ftyp", ascii("isom") + be(0, 4)) + box("mdat", [1, 2, 3])
            + box("moov", box("mvhd", [UInt8](repeating: 0, count: 20)) + box("trak", audio) + box("trak", tkhd0))
        #expect(dimensions(mp4, MediaDetector.mp4) == MediaDimensions(width: 3840, height: 2160))
        let tkhd1 = box("tkhd", [1, 0, 0, 7] + [UInt8](repeating: 0, count: 84) + be(1280 << 16, 4) + be(720 << 16, 4))
        #expect(dimensions(box("ftyp", ascii("qt  ")) + box("moov", box("trak", tkhd1)), MediaDetector.mov)
                == MediaDimensions(width: 1280, height: 720))
        // WebM: EBML header, Segment (unknown size) > Tracks > TrackEntry > Video.
        let video: [UInt8] = [0xE0, 0x88, 0xB0, 0x82] + be(2560, 2) + [0xBA, 0x82] + be(1440, 2)
        let entry: [UInt8] = [0xAE, UInt8(0x80 | (video.count + 3)), 0xD7, 0x81, 0x01] + video
        let tracks: [UInt8] = [0x16, 0x54, 0xAE, 0x6B, UInt8(0x80 | entry.count)] + entry
        let webm: [UInt8] = [0x1A, 0x45, 0xDF, 0xA3, 0x84, 0x42, 0x82, 0x81, 0x77]
            + [0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + [0xEC, 0x81, 0x00] + tracks
        #expect(dimensions(webm, MediaDetector.webm) == MediaDimensions(width: 2560, height: 1440))
    }

    @Test func hostileHeadersGiveNothingAndNeverTrap() {
        #expect(dimensions([0x89, 0x50, 0x4E, 0x47], MediaDetector.png) == nil)
        #expect(dimensions([0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01], MediaDetector.jpeg) == nil)  // length < 2
        #expect(dimensions([0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 100), MediaDetector.jpeg) == nil)
        // Boxes whose sizes lie: past the end, 64-bit sizes near Int.max, zero.
        #expect(dimensions(be(0xFFFF_FFF0, 4) + ascii("moov"), MediaDetector.mp4) == nil)
        #expect(dimensions(be(1, 4) + ascii("moov") + [0x7F] + [UInt8](repeating: 0xFF, count: 7), MediaDetector.mp4) == nil)
        #expect(dimensions(be(1, 4) + ascii("moov") + [UInt8](repeating: 0xFF, count: 8), MediaDetector.mp4) == nil)
        #expect(dimensions(box("moov", box("trak", box("tkhd", [0, 0]))), MediaDetector.mp4) == nil)
        // EBML: a size of eight 0xFF bytes, ids with no length marker.
        #expect(dimensions([0x18, 0x53, 0x80, 0x67, 0x01] + [UInt8](repeating: 0xFF, count: 12), MediaDetector.webm) == nil)
        #expect(dimensions([0x00, 0x00, 0x00], MediaDetector.webm) == nil)
        var random = SystemRandomNumberGenerator()
        for format in [MediaDetector.png, MediaDetector.jpeg, MediaDetector.webp, MediaDetector.mp4, MediaDetector.webm] {
            for _ in 0..<300 {
                let bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                _ = dimensions(bytes, format)
            }
        }
    }

    @Test func theRecommendationIsCheckedInEitherOrientation() {
        #expect(!MediaDimensions(width: 4096, height: 2160).exceeds(MediaDimensions.imageLimit))
        #expect(!MediaDimensions(width: 2160, height: 4096).exceeds(MediaDimensions.imageLimit))
        #expect(MediaDimensions(width: 4097, height: 100).exceeds(MediaDimensions.imageLimit))
        #expect(MediaDimensions(width: 3000, height: 3000).exceeds(MediaDimensions.imageLimit))
        #expect(MediaDimensions(width: 1080, height: 1920).exceeds(MediaDimensions.videoLimit) == false)
        #expect(MediaDimensions(width: 2560, height: 1440).exceeds(MediaDimensions.videoLimit))
    }
}
