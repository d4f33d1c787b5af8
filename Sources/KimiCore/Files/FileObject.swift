/// A file in Kimi's Files API. Fields stay empty (or 0) when the server
/// leaves them out; `status` is kept as sent ("ok", "ready", ...).
public final class FileObject {
    public let id = TextBuffer()
    public let filename = TextBuffer()
    public let purpose = TextBuffer()
    public let status = TextBuffer()
    public let statusDetails = TextBuffer()
    public var bytes: Int64 = 0
    public var createdAt: Int64 = 0
    public let json: TextBuffer

    /// Reads a file object; fields it lacks stay empty (or 0).
    public init(_ value: JSONValue) {
        json = TextBuffer(value.jsonText)
        _ = value.member("id")?.appendString(to: id)
        _ = value.member("filename")?.appendString(to: filename)
        _ = value.member("purpose")?.appendString(to: purpose)
        _ = value.member("status")?.appendString(to: status)
        if let details = value.member("status_details") {
            if details.appendString(to: statusDetails) == false { statusDetails.append(details.jsonText) }
        }
        bytes = value.member("bytes")?.count64 ?? 0
        createdAt = value.member("created_at")?.count64 ?? 0
    }
}
