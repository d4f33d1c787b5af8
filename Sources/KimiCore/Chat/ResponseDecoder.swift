/// Decodes a non-streaming chat completion body. Missing fields stay empty
/// (or -1 for usage) rather than failing: servers differ in what they send.
/// Every text but the model's own (content, reasoning, arguments) passes `gate`.
public enum ResponseDecoder {
    public static func decode(_ body: TextBuffer, gate: Gate = .none) throws(KimiError) -> ChatResponse {
        let root: JSONValue
        switch JSONValue.parse(body) {
        case .success(let value): root = value
        case .failure(let error):
            throw KimiError(.parse, "response is not valid JSON: \(error.message) at byte \(error.position)")
        }
        return try decode(root, raw: body, gate: gate)
    }

    /// Decodes a parsed chat completion; `raw` is its JSON text.
    static func decode(_ root: JSONValue, raw body: TextBuffer, gate: Gate) throws(KimiError) -> ChatResponse {
        guard root.isObject else {
            throw KimiError(.parse, "response is \(root.kindName), expected a chat completion object")
        }
        // A gateway that answers 200 with an error object instead of a completion.
        if root.member("choices") == nil, let error = ErrorDecoder.apiError(in: root, httpStatus: 0, gate: gate) {
            throw error
        }
        let response = ChatResponse(rawBody: body, gate: gate)
        func text(_ value: JSONValue?) -> OutsideText { gate.admit(value?.string ?? "") }
        response.id.set(text(root.member("id")))
        response.object.set(text(root.member("object")))
        response.model.set(text(root.member("model")))
        response.created = root.member("created")?.count64 ?? 0
        if let usage = root.member("usage") { response.usage = decodeUsage(usage) }

        for (position, element) in (root.member("choices")?.elements ?? []).enumerated() {
            guard element.isObject else {
                throw KimiError(.parse, "choices[\(position)] is \(element.kindName), expected an object")
            }
            let choice = ResponseChoice(index: Int(element.member("index")?.int64 ?? Int64(position)))
            if let message = element.member("message") {
                choice.role.set(text(message.member("role")))
                _ = message.member("content")?.appendString(to: choice.content)
                _ = message.member("reasoning_content")?.appendString(to: choice.reasoning)
                for call in message.member("tool_calls")?.elements ?? [] {
                    choice.toolCalls.append(decodeToolCall(call, gate: gate))
                }
            }
            choice.finishReason.set(text(element.member("finish_reason")))
            if let usage = element.member("usage") { choice.usage = decodeUsage(usage) }
            response.choices.append(choice)
        }
        // Keep the documented order (by index) whatever order the body used.
        if !response.choices.isEmpty, zip(response.choices, response.choices.dropFirst()).contains(where: { $0.index > $1.index }) {
            response.choices = response.choices.enumerated()
                .sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }
                .map(\.element)
        }
        // Kimi may put usage only inside the choice; the response reports it too.
        if !response.usage.isPresent, let first = response.choices.first, first.usage.isPresent {
            response.usage = first.usage
        }
        response.shape = ResponseShape.of(root, response)
        return response
    }

    static func decodeToolCall(_ value: JSONValue, gate: Gate) -> ResponseToolCall {
        let call = ResponseToolCall()
        call.id.set(gate.admit(value.member("id")?.string ?? ""))
        call.type.set(gate.admit(value.member("type")?.string ?? "function"))
        if let function = value.member("function") {
            call.name.set(gate.admit(function.member("name")?.string ?? ""))
            if let arguments = function.member("arguments") {
                // Some servers send arguments as an object instead of a string.
                if arguments.appendString(to: call.arguments) == false {
                    call.arguments.append(arguments.jsonText)
                }
            }
        }
        return call
    }

    /// Reads a usage object; cached tokens come from the top-level
    /// `cached_tokens` or from `prompt_tokens_details.cached_tokens`. A count
    /// outside 0 ... 2^53 is treated as absent (-1), as in streams.
    public static func decodeUsage(_ value: JSONValue) -> Usage {
        var usage = Usage()
        usage.promptTokens = value.member("prompt_tokens")?.count64 ?? -1
        usage.completionTokens = value.member("completion_tokens")?.count64 ?? -1
        usage.totalTokens = value.member("total_tokens")?.count64 ?? -1
        usage.cachedTokens = Usage.cachedTokens(top: value.member("cached_tokens")?.count64,
                                                details: value.member("prompt_tokens_details")?.member("cached_tokens")?.count64)
        return usage
    }
}
