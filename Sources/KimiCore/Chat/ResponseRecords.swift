import CJansson
import Glibc


/// A whole response as records (kimi_chat_response_read_records), so a
/// binding builds its result objects from one call instead of parsing the
/// JSON a second time: a RESPONSE record (cost, `$web_search` calls, request
/// id, Partial Mode prefix, whether the records hold everything), the
/// COMPLETION record, then one EVENTS record per choice and one for the
/// top-level usage, in the parts a stream's chunks use.
///
/// The records are exact only for a body of Kimi's documented shape, which
/// is what `ResponseShape` checks while the body is decoded: then the
/// binding needs no JSON at all. Any other body (an extra member, a null, a
/// reordered choice, a text the gate changed) is still written, as the
/// accessors give it, without the WHOLE flag: the binding reads the JSON.
public struct ResponseShape {
    /// What the records say beyond the response's fields: which members the
    /// JSON had.
    struct Choice {
        var content = false
        var reasoning = false
        /// The choice's own usage, with where its cached tokens were.
        var usage: CachedSpelling?
    }

    /// Where a usage object had its cached tokens (a USAGE part's `index`
    /// in a response's records): bit 0 top level, bit 1
    /// `prompt_tokens_details`.
    typealias CachedSpelling = Int

    var choices: [Choice] = []
    var usage: CachedSpelling?

    /// A part names its choice in 16 bits; a record counts its parts in 16.
    static let maxChoices = Int(Int16.max) + 1
    static let maxParts = Int(UInt16.max)

    /// The shape of `root` (decoded into `response`) when records hold it
    /// whole, else nil. Only members Kimi documents, none null, strings,
    /// counts and objects where they belong, choices in index order, and
    /// every gated text as sent (so the records and the JSON agree).
    static func of(_ root: JSONValue, _ response: ChatResponse) -> ResponseShape? {
        guard let choices = root["choices"], choices.kind == .array, root["id"]?.isText(response.id.view) == true,
              root["model"]?.isText(response.model.view) == true, root["object"]?.isText("chat.completion") == true,
              root["created"]?.count64 != nil, response.choices.count == choices.count,
              choices.count <= maxChoices else { return nil }
        var shape = ResponseShape()
        var members = 5
        if let usage = root["usage"] {
            guard let spelling = cachedSpelling(usage) else { return nil }
            shape.usage = spelling
            members += 1
        }
        guard root.count == members else { return nil }
        shape.choices.reserveCapacity(choices.count)
        for (position, element) in choices.elements.enumerated() {
            guard let choice = Self.choice(element, response.choices[position], position) else { return nil }
            shape.choices.append(choice)
        }
        return shape
    }

    private static func choice(_ value: JSONValue, _ decoded: ResponseChoice, _ position: Int) -> Choice? {
        guard value.isObject, value["index"]?.count64 == Int64(position), let message = value["message"], message.isObject,
              value["finish_reason"]?.isText(decoded.finishReason.view) == true,
              message["role"]?.isText(decoded.role.view) == true else { return nil }
        var choice = Choice()
        var members = 3
        if let usage = value["usage"] {
            guard let spelling = cachedSpelling(usage) else { return nil }
            choice.usage = spelling
            members += 1
        }
        guard value.count == members else { return nil }
        var messageMembers = 1
        if let content = message["content"] {
            guard content.kind == .string else { return nil }
            choice.content = true
            messageMembers += 1
        }
        if let reasoning = message["reasoning_content"] {
            guard reasoning.kind == .string else { return nil }
            choice.reasoning = true
            messageMembers += 1
        }
        if let calls = message["tool_calls"] {
            guard calls.kind == .array, calls.count > 0, calls.count == decoded.toolCalls.count else { return nil }
            for (call, made) in zip(calls.elements, decoded.toolCalls) where !isToolCall(call, made) { return nil }
            messageMembers += 1
        }
        // A record's part count is 16-bit: a choice of more parts cannot be one record.
        let parts = 2 + (choice.content ? 1 : 0) + (choice.reasoning ? 1 : 0) + 2 * decoded.toolCalls.count
            + (choice.usage == nil ? 0 : 1)
        return message.count == messageMembers && parts <= maxParts ? choice : nil
    }

    private static func isToolCall(_ value: JSONValue, _ made: ResponseToolCall) -> Bool {
        guard value.isObject, value.count == 3, value["id"]?.isText(made.id.view) == true,
              value["type"]?.isText("function") == true, made.type.string == "function",
              let function = value["function"], function.isObject, function.count == 2,
              function["name"]?.isText(made.name.view) == true, function["arguments"]?.kind == .string else { return false }
        return true
    }

    /// Where `value` (a usage object of counts only) had its cached
    /// tokens; nil when it is not such an object, or names them twice with
    /// different counts (a record holds one).
    private static func cachedSpelling(_ value: JSONValue) -> CachedSpelling? {
        guard value.isObject, value["prompt_tokens"]?.count64 != nil, value["completion_tokens"]?.count64 != nil,
              value["total_tokens"]?.count64 != nil else { return nil }
        var members = 3
        var spelling = 0
        let top = value["cached_tokens"]
        if let top {
            guard top.count64 != nil else { return nil }
            spelling |= 1
            members += 1
        }
        if let details = value["prompt_tokens_details"] {
            guard details.isObject, details.count == 1, let cached = details["cached_tokens"]?.count64,
                  top == nil || top?.count64 == cached else { return nil }
            spelling |= 2
            members += 1
        }
        return value.count == members ? spelling : nil
    }
}

extension ChatResponse {
    /// Flag of the RESPONSE record: the records hold the whole JSON.
    public static let recordsWhole: UInt32 = 1

    /// Writes this response as records, all or none: when they do not fit,
    /// nothing is written and the writer's `needed` is their whole size.
    /// `requestID` is the gated request id the accessor gives.
    public func writeRecords(requestID: UnsafeBufferPointer<UInt8>, into writer: inout RecordWriter) throws(KimiError) {
        // The shape was taken when the body was decoded: a Partial Mode
        // prefix on a body without choices adds choice 0 since (its full
        // content), which the body never had.
        let shape = exportsBodyAsIs ? self.shape.flatMap { $0.choices.count == choices.count ? $0 : nil } : nil
        guard choices.count <= ResponseShape.maxChoices else {
            throw KimiError(.tooLarge, "a response of \(choices.count) choices: records name \(ResponseShape.maxChoices) at most (a part's choice is 16-bit); read its JSON")
        }
        var records: [[RecordPart]] = []
        records.reserveCapacity(choices.count + 1)
        for (position, choice) in choices.enumerated() {
            // A record holds at most 65,535 parts: a choice of more (tool calls
            // by the ten thousand) goes on in the records after it.
            let parts = parts(of: choice, at: position, shape?.choices[position])
            for start in stride(from: 0, to: parts.count, by: ResponseShape.maxParts) {
                records.append(Array(parts[start..<min(start + ResponseShape.maxParts, parts.count)]))
            }
        }
        if shape.map({ $0.usage != nil }) ?? usage.isPresent {
            records.append([RecordPart(usage, choice: -1, index: shape?.usage ?? -1)])
        }
        var size = RecordWriter.fixedSize(RecordWriter.responseFixed, requestID.count, prefix.count)
            .saturatingAdd(RecordWriter.fixedSize(RecordWriter.completionFixed, id.count, model.count))
        for parts in records { size = size.saturatingAdd(RecordWriter.size(of: parts)) }
        guard try writer.reserve(size) else { return }
        _ = try writer.appendResponse(costUSD: costUSD, webSearchCalls: webSearchCalls,
                                      flags: shape == nil ? 0 : ChatResponse.recordsWhole,
                                      requestID: UnsafeRawBufferPointer(requestID), prefix: UnsafeRawBufferPointer(prefix.view))
        _ = try writer.appendCompletion(id: UnsafeRawBufferPointer(id.view), model: UnsafeRawBufferPointer(model.view),
                                        created: created, userData: 0)
        for parts in records { _ = try writer.append(parts, userData: 0) }
    }

    /// A choice's parts, named by its position (the accessors' index; the
    /// body's own `index` may be anything). With its shape, a part for each
    /// member the JSON had; without, what the accessors give (empty texts
    /// left out).
    private func parts(of choice: ResponseChoice, at index: Int, _ shape: ResponseShape.Choice?) -> [RecordPart] {
        var parts: [RecordPart] = []
        parts.reserveCapacity(4 + 2 * choice.toolCalls.count)
        if shape != nil || !choice.role.isEmpty { parts.append(RecordPart(.role, choice: index, choice.role.view)) }
        if shape?.reasoning ?? !choice.reasoning.isEmpty {
            parts.append(RecordPart(.reasoningDelta, choice: index, choice.reasoning.view))
        }
        if shape?.content ?? true { parts.append(RecordPart(.contentDelta, choice: index, choice.content.view)) }
        for (i, call) in choice.toolCalls.enumerated() {
            parts.append(RecordPart(.toolCallStart, choice: index, index: i, call.id.view, call.name.view))
            parts.append(RecordPart(.toolCallDelta, choice: index, index: i, call.arguments.view))
        }
        if shape != nil || !choice.finishReason.isEmpty {
            parts.append(RecordPart(.finish, choice: index, choice.finishReason.view))
        }
        if let spelling = shape?.usage {
            parts.append(RecordPart(choice.usage, choice: index, index: spelling))
        } else if shape == nil && choice.usage.isPresent {
            parts.append(RecordPart(choice.usage, choice: index))
        }
        return parts
    }
}

extension JSONValue {
    /// True for a string whose bytes are exactly `bytes`.
    func isText(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard kind == .string, let text = json_string_value(raw) else { return false }
        let length = json_string_length(raw)
        guard length == bytes.count else { return false }
        guard length > 0, let base = bytes.baseAddress else { return true }
        return memcmp(text, base, length) == 0
    }

    func isText(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { isText($0) }
    }
}
