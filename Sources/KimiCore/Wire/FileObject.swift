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

/// A model from `GET /v1/models`, with Kimi's capability fields.
public final class ModelInfo {
    public let id = TextBuffer()
    public let ownedBy = TextBuffer()
    public var created: Int64 = 0
    /// -1 when not sent.
    public var contextLength: Int64 = -1
    public var supportsImageIn = false
    public var supportsVideoIn = false
    public var supportsReasoning = false

    /// Reads one entry of a model list.
    public init(_ value: JSONValue) {
        _ = value.member("id")?.appendString(to: id)
        _ = value.member("owned_by")?.appendString(to: ownedBy)
        created = value.member("created")?.count64 ?? 0
        contextLength = value.member("context_length")?.count64 ?? -1
        supportsImageIn = value.member("supports_image_in")?.bool ?? false
        supportsVideoIn = value.member("supports_video_in")?.bool ?? false
        supportsReasoning = value.member("supports_reasoning")?.bool ?? false
    }
}

/// The account balance (USD on api.moonshot.ai, CNY on api.moonshot.cn).
public struct Balance: Sendable {
    public var available: Double
    public var voucher: Double
    public var cash: Double

    /// Reads `/users/me/balance`'s answer; a missing amount is 0.
    public init(_ root: JSONValue) throws(KimiError) {
        guard let data = root.member("data") else { throw KimiError(.parse, "the balance answer has no data") }
        available = data.member("available_balance")?.double ?? 0
        voucher = data.member("voucher_balance")?.double ?? 0
        cash = data.member("cash_balance")?.double ?? 0
    }
}
