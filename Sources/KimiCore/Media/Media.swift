/// The media of an `image_url` or `video_url` part.
public enum Media {
    /// A URL sent as given: a `data:` URI or `ms://<file_id>`.
    case url(String)
    /// Bytes sent as a `data:` URI built while the body is sent.
    case inline(InlineMedia)

}

extension Media {
    /// A media URL as given by a caller: a `data:<type>;base64,` URI of the
    /// right kind, `ms://<file id>`, or http(s) (refused at send time while
    /// Kimi's rules are on).
    public static func checkedURL(_ url: String, kind: MediaKind) throws(KimiError) -> Media {
        let lower = url.lowercased()
        if lower.hasPrefix("ms://") {
            guard url.utf8.count > 5 else { throw .invalidArgument("url: \"ms://\" needs a file id after it") }
            return .url(url)
        }
        if lower.hasPrefix("data:") {
            guard let comma = url.firstIndex(of: ","), url[..<comma].lowercased().hasSuffix(";base64") else {
                throw .invalidArgument("url: a data URI must look like data:\(kind.rawValue)/<format>;base64,<data>")
            }
            guard lower.hasPrefix("data:\(kind.rawValue)/") else {
                throw .invalidArgument("url: a data URI for \(kind == .image ? "an image" : "a video") must have a \(kind.rawValue)/ type, not \(url[url.index(url.startIndex, offsetBy: 5)..<comma])")
            }
            guard url.index(after: comma) < url.endIndex else { throw .invalidArgument("url: the data URI has no data") }
            return .url(url)
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return .url(url) }
        throw .invalidArgument("url: must be a data: URI or ms://<file id> (or, for other servers, http(s)://), not \(quoted(url))")
    }

    /// Kimi's rule for a media URL given as text, checked before sending: a
    /// `data:` URI must be base64 of an image or video type Kimi takes
    /// (png, jpeg, webp, gif; mp4, mpeg, mov, avi, x-flv, webm, wmv, 3gpp),
    /// its stated type must be the part's kind, and its first bytes must be
    /// that format (what they are is named otherwise); `ms://<file id>`
    /// passes; http(s) and anything else are refused (Kimi fetches nothing).
    /// Errors start with the problem; the caller puts the field in front.
    public static func checkForKimi(_ url: String, kind: MediaKind) throws(KimiError) {
        let lower = url.lowercased()
        if lower.hasPrefix("ms://") {
            guard url.utf8.count > 5 else { throw .invalidArgument("\"ms://\" needs a file id after it") }
            return
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            throw .invalidArgument("Kimi does not accept http(s) \(kind.rawValue) URLs; download the \(kind.rawValue) and send its bytes or file, or upload it through the Files API (purpose \"\(kind.rawValue)\") and use \"ms://<file id>\"; with Kimi's rules off, other servers get the URL", hint: .fromFile(kind))
        }
        guard lower.hasPrefix("data:") else {
            throw .invalidArgument("Kimi takes a data: URI (data:\(kind.rawValue)/<format>;base64,<data>) or \"ms://<file id>\", not \(quoted(url))")
        }
        let utf8 = url.utf8
        guard let comma = utf8.firstIndex(of: UInt8(ascii: ",")),
              String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: 5)..<comma], as: UTF8.self).lowercased().hasSuffix(";base64") else {
            throw .invalidArgument("a data URI must be base64, like data:\(kind.rawValue)/<format>;base64,<data>; Kimi takes no other encoding")
        }
        let header = String(decoding: utf8[utf8.index(utf8.startIndex, offsetBy: 5)..<comma], as: UTF8.self)
        let mime = String(header.prefix { $0 != ";" })
        let payload = utf8[utf8.index(after: comma)...]
        guard !payload.isEmpty else { throw .invalidArgument("the data URI has no data") }
        guard let head = Base64.decodePrefix(payload, limit: MediaDetector.headerLength) else {
            throw .invalidArgument("the data URI's data is not base64 (a character outside A-Z, a-z, 0-9, + and /)")
        }
        _ = try InlineMedia.resolve(MediaDetector.detect(head), stated: mime, kind: kind, what: "the data URI's bytes")
    }
}
