/// A file in Kimi's Files API. Fields stay empty (or 0) when the server
/// leaves them out; `status` is kept as sent ("ok", "ready", ...).
public final class FileObject {
    public let id = GatedText()
    public let filename = GatedText()
    public let purpose = GatedText()
    public let status = GatedText()
    public let statusDetails = GatedText()
    public var bytes: Int64 = 0
    public var createdAt: Int64 = 0
    public let json: GatedText

    /// Reads a file object; fields it lacks stay empty (or 0). Its texts
    /// pass `gate`.
    public init(_ value: JSONValue, gate: Gate) {
        json = GatedText(gate.admitJSON(value.jsonText, payload: .none))
        func text(_ key: String) -> OutsideText { gate.admit(value.member(key)?.string ?? "") }
        id.set(text("id"))
        filename.set(text("filename"))
        purpose.set(text("purpose"))
        status.set(text("status"))
        if let details = value.member("status_details") {
            statusDetails.set(gate.admit(details.string ?? details.jsonText, as: .lines))
        }
        bytes = value.member("bytes")?.count64 ?? 0
        createdAt = value.member("created_at")?.count64 ?? 0
    }
}
