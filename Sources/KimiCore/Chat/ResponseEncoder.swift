/// Writes a response as a non-streaming chat completion document (used for
/// responses accumulated from a stream).
enum ResponseEncoder {
    static func encode(_ response: ChatResponse) -> TextBuffer {
        let out = TextBuffer(capacity: 256 + response.choices.reduce(0) { $0 + $1.content.count + $1.reasoning.count })
        var w = JSONWriter(into: out)
        w.beginObject()
        w.key("id"); w.string(response.id)
        w.key("object"); w.string("chat.completion")
        w.key("created"); w.int(response.created)
        w.key("model"); w.string(response.model)
        w.key("choices"); w.beginArray()
        for choice in response.choices {
            w.beginObject()
            w.key("index"); w.int(Int64(choice.index))
            w.key("message"); w.beginObject()
            w.key("role"); if choice.role.isEmpty { w.string("assistant") } else { w.string(choice.role) }
            w.key("content"); w.string(choice.content)
            if !choice.reasoning.isEmpty { w.key("reasoning_content"); w.string(choice.reasoning) }
            if !choice.toolCalls.isEmpty {
                w.key("tool_calls"); w.beginArray()
                for call in choice.toolCalls {
                    w.toolCall(id: call.id, type: call.type.isEmpty ? "function" : call.type.string,
                               name: call.name, arguments: call.arguments)
                }
                w.endArray()
            }
            w.endObject()
            w.key("finish_reason")
            if choice.finishReason.isEmpty { w.null() } else { w.string(choice.finishReason) }
            if choice.usage.isPresent { w.key("usage"); encodeUsage(choice.usage, &w) }
            w.endObject()
        }
        w.endArray()
        if response.usage.isPresent { w.key("usage"); encodeUsage(response.usage, &w) }
        w.endObject()
        return out
    }

    static func encodeUsage(_ usage: Usage, _ w: inout JSONWriter) {
        w.beginObject()
        if usage.promptTokens >= 0 { w.key("prompt_tokens"); w.int(usage.promptTokens) }
        if usage.completionTokens >= 0 { w.key("completion_tokens"); w.int(usage.completionTokens) }
        if usage.totalTokens >= 0 { w.key("total_tokens"); w.int(usage.totalTokens) }
        if usage.cachedTokens >= 0 { w.key("cached_tokens"); w.int(usage.cachedTokens) }
        w.endObject()
    }
}

extension JSONWriter {
    /// One tool call as Kimi sends it and takes it back, in requests and
    /// responses alike: {"id", "type", "function": {"name", "arguments"}}.
    mutating func toolCall(id: some JSONStringValue, type: some JSONStringValue, name: some JSONStringValue,
                           arguments: some JSONStringValue) {
        beginObject()
        key("id"); id.write(to: &self)
        key("type"); type.write(to: &self)
        key("function"); beginObject()
        key("name"); name.write(to: &self)
        key("arguments"); arguments.write(to: &self)
        endObject()
        endObject()
    }
}
