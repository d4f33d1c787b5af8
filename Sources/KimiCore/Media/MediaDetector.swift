/// What a media part is: an image or a video.
public enum MediaKind: String, Sendable {
    case image, video
}

/// Recognises the image and video formats Kimi accepts from their first
/// bytes, never from a file name: png, jpeg, webp, gif; mp4, mov and 3gpp
/// (ISO BMFF `ftyp` brands), mpeg (program and transport streams), avi (RIFF
/// AVI), x-flv, webm (EBML), wmv (ASF). MIME subtypes follow Kimi's list of
/// video formats ("mp4, mpeg, mov, avi, x-flv, mpg, webm, wmv, 3gpp").
public enum MediaDetector {
    public struct Format: Equatable, Sendable {
        public let kind: MediaKind
        public let mime: String
        /// With its article, for messages: "an MP4 video".
        public let name: String
    }

    /// How many leading bytes `detect` looks at (three MPEG-TS packets).
    public static let headerLength = 3 * 188 + 1

    public static let png = Format(kind: .image, mime: "image/png", name: "a PNG image")
    public static let jpeg = Format(kind: .image, mime: "image/jpeg", name: "a JPEG image")
    public static let gif = Format(kind: .image, mime: "image/gif", name: "a GIF image")
    public static let webp = Format(kind: .image, mime: "image/webp", name: "a WebP image")
    public static let mp4 = Format(kind: .video, mime: "video/mp4", name: "an MP4 video")
    public static let mov = Format(kind: .video, mime: "video/mov", name: "a QuickTime (mov) video")
    public static let threeGPP = Format(kind: .video, mime: "video/3gpp", name: "a 3GPP video")
    public static let mpeg = Format(kind: .video, mime: "video/mpeg", name: "an MPEG video")
    public static let avi = Format(kind: .video, mime: "video/avi", name: "an AVI video")
    public static let flv = Format(kind: .video, mime: "video/x-flv", name: "an FLV video")
    public static let webm = Format(kind: .video, mime: "video/webm", name: "a WebM video")
    public static let wmv = Format(kind: .video, mime: "video/wmv", name: "a WMV (ASF) video")

    public static let supported = [png, jpeg, gif, webp, mp4, mov, threeGPP, mpeg, avi, flv, webm, wmv]

    public enum Result: Equatable {
        case supported(Format)
        /// Not a format Kimi accepts; the text says what it looks like.
        case unsupported(String)
    }

    /// The format of media starting with `bytes`.
    public static func detect(_ bytes: [UInt8]) -> Result {
        let b = bytes
        func at(_ offset: Int, _ text: String) -> Bool {
            let pattern = Array(text.utf8)
            return b.count >= offset + pattern.count && Array(b[offset..<offset + pattern.count]) == pattern
        }
        func starts(_ pattern: [UInt8]) -> Bool { b.count >= pattern.count && Array(b[0..<pattern.count]) == pattern }

        if b.isEmpty { return .unsupported("an empty file") }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .supported(png) }
        if starts([0xFF, 0xD8, 0xFF]) { return .supported(jpeg) }
        if at(0, "GIF87a") || at(0, "GIF89a") { return .supported(gif) }
        if at(0, "RIFF") && at(8, "WEBP") { return .supported(webp) }
        if at(0, "RIFF") && at(8, "AVI ") { return .supported(avi) }
        if at(0, "RIFF") && at(8, "WAVE") { return .unsupported("a WAV audio file") }
        if at(4, "ftyp") { return isoBMFF(b) }
        if ["moov", "mdat", "wide", "free", "skip", "pnot"].contains(where: { at(4, $0) }) && b.count >= 8 {
            return .supported(mov) // QuickTime files from before `ftyp`
        }
        if starts([0x00, 0x00, 0x01, 0xBA]) || starts([0x00, 0x00, 0x01, 0xB3]) { return .supported(mpeg) }
        if isTransportStream(b) { return .supported(mpeg) }
        if at(0, "FLV") && b.count > 3 && b[3] == 0x01 { return .supported(flv) }
        if starts([0x1A, 0x45, 0xDF, 0xA3]) { return ebml(b) }
        if starts([0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11, 0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C]) {
            return .supported(wmv)
        }
        return .unsupported(describeUnknown(b))
    }

    /// ISO base media files: the major brand (then the compatible brands)
    /// tells MP4, QuickTime and 3GPP apart from HEIF/AVIF images and audio.
    static func isoBMFF(_ b: [UInt8]) -> Result {
        var brands: [String] = []
        let boxSize = b.count >= 4 ? Int(b[0]) << 24 | Int(b[1]) << 16 | Int(b[2]) << 8 | Int(b[3]) : 0
        let end = min(b.count, max(16, boxSize))
        var offset = 8
        while offset + 4 <= end {
            if offset != 12 { brands.append(String(decoding: b[offset..<offset + 4], as: UTF8.self)) }
            offset += 4
        }
        for brand in brands {
            switch brand {
            case "qt  ": return .supported(mov)
            case let b where b.hasPrefix("3gp") || b.hasPrefix("3g2"): return .supported(threeGPP)
            case "isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "M4V ", "M4VP", "dash", "mmp4",
                 "MSNV", "f4v ", "NDAS", "XAVC":
                return .supported(mp4)
            case "heic", "heix", "mif1", "msf1", "heis", "hevc": return .unsupported("a HEIF/HEIC image (Kimi accepts png, jpeg, webp and gif)")
            case "avif", "avis": return .unsupported("an AVIF image (Kimi accepts png, jpeg, webp and gif)")
            case "M4A ", "M4B ", "M4P ": return .unsupported("an MPEG-4 audio file")
            default: continue
            }
        }
        return .unsupported("an ISO media file with brand \(quoted(brands.first ?? "?"))")
    }

    /// Three 188-byte packets starting with the 0x47 sync byte (fewer for a
    /// short sample, but at least two).
    static func isTransportStream(_ b: [UInt8]) -> Bool {
        guard b.count > 188, b[0] == 0x47, b[188] == 0x47 else { return false }
        return b.count <= 376 || b[376] == 0x47
    }

    /// EBML: the DocType element (0x42 0x82) says webm or matroska.
    static func ebml(_ b: [UInt8]) -> Result {
        let limit = min(b.count, 64)
        var i = 4
        while i + 3 < limit {
            if b[i] == 0x42 && b[i + 1] == 0x82 {
                let size = Int(b[i + 2] & 0x7F)
                let start = i + 3
                let type = String(decoding: b[start..<min(start + size, b.count)], as: UTF8.self)
                if type == "webm" { return .supported(webm) }
                return .unsupported("a Matroska (\(type)) video; Kimi accepts WebM, not other Matroska files")
            }
            i += 1
        }
        return .unsupported("an EBML file without a DocType")
    }

    static func describeUnknown(_ b: [UInt8]) -> String {
        func starts(_ text: String) -> Bool { b.starts(with: Array(text.utf8)) }
        if starts("%PDF") { return "a PDF document" }
        if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a ZIP archive (or an Office document)" }
        if starts("BM") && b.count > 14 { return "a BMP image (Kimi accepts png, jpeg, webp and gif)" }
        if b.starts(with: [0x49, 0x49, 0x2A, 0x00]) || b.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return "a TIFF image (Kimi accepts png, jpeg, webp and gif)"
        }
        if starts("ID3") || (b.count > 1 && b[0] == 0xFF && b[1] & 0xE0 == 0xE0) { return "an MP3 audio file" }
        if starts("OggS") { return "an Ogg file" }
        if starts("fLaC") { return "a FLAC audio file" }
        if starts("<svg") || starts("<?xml") { return "XML or SVG text (Kimi accepts png, jpeg, webp and gif)" }
        let head = b.prefix(512)
        if head.allSatisfy({ $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 < 0x7F) || $0 >= 0x80 }),
           String(validating: head, as: UTF8.self) != nil {
            return "text, not an image or video"
        }
        let hex = b.prefix(8).map { byte -> String in
            let digits = "0123456789abcdef".map { $0 }
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
        }.joined(separator: " ")
        return "bytes \(hex)… that match no supported image or video format"
    }

    /// The format named by a MIME type (as a caller states it), if supported.
    public static func format(forMIME mime: String) -> Format? {
        let lower = mime.lowercased()
        let aliases = ["image/jpg": "image/jpeg", "video/quicktime": "video/mov", "video/x-msvideo": "video/avi",
                       "video/x-ms-wmv": "video/wmv", "video/mpg": "video/mpeg", "video/x-matroska": ""]
        let canonical = aliases[lower] ?? lower
        return supported.first { $0.mime == canonical }
    }
}
