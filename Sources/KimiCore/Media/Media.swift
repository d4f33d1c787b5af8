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
                throw .invalidArgument("url: a data URI for a \(kind.rawValue) must have a \(kind.rawValue)/ type, not \(url[url.index(url.startIndex, offsetBy: 5)..<comma])")
            }
            guard url.index(after: comma) < url.endIndex else { throw .invalidArgument("url: the data URI has no data") }
            return .url(url)
        }
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return .url(url) }
        throw .invalidArgument("url: must be a data: URI or ms://<file id> (or, for other servers, http(s)://), not \"\(url.prefix(40))\"")
    }
}
