/// A model from `GET /v1/models` or `GET /v1/models/{id}`, with Kimi's capability fields.
public final class ModelInfo {
    public let id = GatedText()
    public let ownedBy = GatedText()
    public var created: Int64 = 0
    /// -1 when not sent.
    public var contextLength: Int64 = -1
    public var supportsImageIn = false
    public var supportsVideoIn = false
    public var supportsReasoning = false

    /// Reads a model object (one entry of a list, or the whole answer for
    /// one model); its texts pass `gate`.
    public init(_ value: JSONValue, gate: Gate) {
        id.set(gate.admit(value.member("id")?.string ?? ""))
        ownedBy.set(gate.admit(value.member("owned_by")?.string ?? ""))
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
