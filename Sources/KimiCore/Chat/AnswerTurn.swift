/// An answer sent back as the assistant turn of the next request, exactly
/// as Kimi needs it: content, `reasoning_content` where Kimi wants it
/// (tool-call turns with thinking on, every turn with `keep: "all"`) and
/// tool calls with their ids verbatim. Conversations and
/// `kimi_chat_request_append_response` both go through here.
extension ChatRequest {
    /// Appends choice 0 of `response`, an answer to this request as it was
    /// sent (`sent`, which decides whether reasoning goes back). A Partial
    /// Mode prefix at the end and its continuation become one message.
    public mutating func appendAnswer(_ response: ChatResponse, sentWith sent: ChatRequest) throws(KimiError) {
        guard let choice = response.choices.first else {
            throw .invalidArgument("resp: the response has no choice to append")
        }
        if response.isReasoningOnlyCut { throw KimiError.cutWhileReasoning("resp", response) }
        let sent = (try? sent.folded()) ?? sent
        var name: String?
        if let last = self.messages.last, last.role == .assistant, last.partial {
            name = last.name
            self.messages.removeLast()
        }
        var message = Message(role: .assistant)
        let content = response.fullContent
        if !content.isEmpty || choice.toolCalls.isEmpty { message.text = content.string }
        message.name = name
        let keepAll = sent.thinking?.keep == "all"
        let thinking = Preflight.isFixedValueModel(sent.model) && sent.thinkingEnabled
        if (!choice.toolCalls.isEmpty && (thinking || !choice.reasoning.isEmpty)) || keepAll {
            message.reasoningContent = choice.reasoning.string
        }
        message.toolCalls = choice.toolCalls.map {
            ToolCall(id: $0.id.string, name: $0.name.string, arguments: $0.arguments.string,
                     type: $0.type.isEmpty ? "function" : $0.type.string)
        }
        self.messages.append(message)
    }
}

extension ChatResponse {
    /// Choice 0 was cut (finish_reason "length") before any content or tool
    /// call: the budget ran out while the model was still reasoning. There
    /// is nothing to send back or to continue. An empty answer that ended
    /// on its own ("stop") is an answer, and goes back as one.
    public var isReasoningOnlyCut: Bool {
        guard let choice = choices.first else { return false }
        return choice.finishReason.string == "length" && fullContent.isEmpty && choice.toolCalls.isEmpty
    }
}

extension KimiError {
    /// Continuing (or sending back) an answer that has only reasoning.
    static func cutWhileReasoning(_ what: String, _ response: ChatResponse) -> KimiError {
        let reason = response.choices.first?.finishReason.string ?? ""
        return cutWhileReasoning(what, finishReason: reason)
    }

    static func cutWhileReasoning(_ what: String, finishReason reason: String) -> KimiError {
        .invalidArgument("\(what): the answer stopped while the model was still reasoning (no content yet, finish_reason \(quoted(reason))): its max_completion_tokens budget, which reasoning and answer share, ran out; there is nothing to continue, so ask again with a larger max_completion_tokens", hint: .maxCompletionTokens)
    }
}
