/// Kimi's limits on a batch, checked before any request is sent.
public enum BatchRules {
    /// A request as a line of a batch input, after Kimi's chat rules: one
    /// model per file (`firstModel`, the model of the lines before), a model
    /// the Batch API serves (`KimiModel.servesBatches`), no field Kimi does
    /// not list (`UnlistedFields`: nobody would hear of it), and no sampling
    /// fields: the batch models' values are fixed and Kimi's batch guide
    /// says to leave them out, so a value other than the fixed one is
    /// refused (by the chat rules) and the fixed one is left out of the line.
    /// Source: platform.kimi.ai/docs/guide/use-batch-api and
    /// platform.kimi.ai/docs/api/batch-create ("Model consistency").
    static func line(_ request: ChatRequest, firstModel: String?) throws(KimiError) -> ChatRequest {
        if let firstModel, request.model != firstModel {
            throw .invalidArgument("model: \(quoted(request.model)), but the lines before are for \(quoted(firstModel)); a batch runs one model, so write another batch input for \(quoted(request.model))")
        }
        guard KimiModel.named(request.model)?.servesBatches == true else {
            throw .invalidArgument("model: Kimi's Batch API does not serve \(quoted(request.model)); it runs \(KimiModel.batchModels)")
        }
        // A chat call logs these once (UnlistedFields); a batch line has
        // nobody to tell and runs later, so it is refused instead.
        if let unlisted = request.unlistedNames.first {
            throw .invalidArgument("\(excerpt(unlisted)): not a request field of Kimi's API reference; a batch line carries only the fields Kimi lists, so leave it out")
        }
        var line = request
        line.temperature = nil
        line.topP = nil
        line.n = nil
        line.presencePenalty = nil
        line.frequencyPenalty = nil
        return line
    }

    /// The name a batch input is uploaded under: Kimi takes only `.jsonl`
    /// files (platform.kimi.ai/docs/api/batch-create, "File format"), so any
    /// other extension is replaced ("jobs.txt" goes up as "jobs.jsonl").
    public static func uploadName(_ name: String) -> String {
        if name.hasSuffix(".jsonl") { return name }
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name + ".jsonl" }
        return name[..<dot] + ".jsonl"
    }

    public static let defaultWindow = "24h"
    public static let maxMetadataPairs = 16
    public static let maxMetadataKey = 64
    public static let maxMetadataValue = 512

    /// A completion window: whole hours ("12h" ... "168h") or days ("1d" ... "7d"),
    /// between 12 hours and 7 days.
    public static func window(_ text: String?) throws(KimiError) -> String {
        let window = text ?? defaultWindow
        let digits = window.utf8.dropLast()
        guard let unit = window.utf8.last, unit == UInt8(ascii: "h") || unit == UInt8(ascii: "d"),
              !digits.isEmpty, digits.count <= 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let number = Int(String(decoding: digits, as: UTF8.self)) else {
            throw .invalidArgument("completion_window: \(quoted(window)) is not a window like \"24h\" or \"3d\" (whole hours or days, 12h to 7d)")
        }
        let hours = unit == UInt8(ascii: "d") ? number * 24 : number
        guard hours >= 12 && hours <= 168 else {
            throw .invalidArgument("completion_window: \(quoted(window)) is \(hours) hours; Kimi accepts 12h to 7d (168h)")
        }
        return window
    }

    /// Metadata: nil, or a JSON object of at most 16 string values, keys up
    /// to 64 and values up to 512 characters.
    public static func metadata(_ json: String?) throws(KimiError) -> JSONValue? {
        guard let json else { return nil }
        let value: JSONValue
        switch JSONValue.parse(json) {
        case .success(let parsed): value = parsed
        case .failure(let error):
            throw .invalidArgument("metadata_json: not valid JSON: \(error.message) at byte \(error.position)")
        }
        guard value.isObject else { throw .invalidArgument("metadata_json: must be a JSON object, got \(value.kindName)") }
        let members = value.members
        guard members.count <= maxMetadataPairs else {
            throw .invalidArgument("metadata_json: \(members.count) pairs; Kimi accepts at most \(maxMetadataPairs)")
        }
        for (key, item) in members {
            guard key.unicodeScalars.count <= maxMetadataKey else {
                throw .invalidArgument("metadata_json: key \(quoted(key)) has \(key.unicodeScalars.count) characters; Kimi accepts at most \(maxMetadataKey)")
            }
            guard let text = item.string else {
                throw .invalidArgument("metadata_json: the value of \(quoted(key)) is \(item.kindName); metadata values must be strings")
            }
            guard text.unicodeScalars.count <= maxMetadataValue else {
                throw .invalidArgument("metadata_json: the value of \(quoted(key)) has \(text.unicodeScalars.count) characters; Kimi accepts at most \(maxMetadataValue)")
            }
        }
        return value
    }
}
