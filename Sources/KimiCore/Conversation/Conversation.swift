/// A chat that keeps its history the way Kimi needs it back.
///
/// `request` holds the settings and the history. After each successful call
/// the assistant's reply is appended: its content, its `reasoning_content`
/// (always on tool-call turns, on every turn with `thinking.keep = "all"`),
/// and its tool calls with their ids verbatim. Tool results go in with their
/// `tool_call_id` and `name`.
public final class Conversation {
    /// What a tool handler says: success with the text for the model, a
    /// failure whose text goes to the model, or stop the loop.
    public enum ToolOutcome {
        case success(String)
        case failure(String)
        case stop
    }

    public typealias ToolHandler = (_ name: String, _ arguments: String) -> ToolOutcome

    /// What a call produced: the response (partial after some failures) and
    /// the error, if it failed.
    public struct Outcome {
        public var response: ChatResponse?
        public var error: KimiError?
    }

    public let client: Client
    /// The history's length when the last reply was cut while reasoning
    /// (and so not appended); nil otherwise.
    private var cutAt: Int?
    /// Settings and history, shared with the C handle of the request.
    public let cell: RequestCell
    public var request: ChatRequest {
        get { cell.request }
        _modify { yield &cell.request }
    }
    private var handlers: [String: ToolHandler] = [:]

    public init(client: Client, model: String?) throws(KimiError) {
        self.client = client
        var request = ChatRequest()
        if let model { try request.setModel(model) }
        cell = RequestCell(request)
    }

    public var messages: [Message] { request.messages }

    /// Declares a function tool and the handler the tool loop runs for it;
    /// declaring a name again replaces that tool where it stands.
    public func addTool(name: String, description: String?, parameters: JSONValue?, strict: Bool? = nil,
                        handler: @escaping ToolHandler) throws(KimiError) {
        let existing = request.tools.firstIndex { $0.name == name }
        try request.addFunctionTool(name: name, description: description, parameters: parameters, strict: strict)
        if let existing, let added = request.tools.popLast() { request.tools[existing] = added }
        handlers[name] = handler
    }

    /// Appends a tool result for the call with `toolCallID`.
    public func addToolResult(toolCallID: String, name: String, content: String) throws(KimiError) {
        var message = Message(role: .tool, text: content)
        try message.setToolCallID(toolCallID)
        try message.setName(name)
        request.messages.append(message)
    }

    /// Sends the history; on success appends the reply to it.
    public func create() throws(KimiError) -> ChatResponse {
        let response = try client.chat.create(request)
        append(response, sentWith: request)
        return response
    }

    /// Streams the reply, calling `onEvent` for each event (return false to
    /// stop). On success the reply is appended to the history; on failure
    /// the history is unchanged and the outcome keeps the partial response.
    public func stream(_ onEvent: (ChatStream) -> Bool) -> Outcome {
        stream(request, onEvent)
    }

    private func stream(_ sent: ChatRequest, _ onEvent: (ChatStream) -> Bool) -> Outcome {
        let stream: ChatStream
        do {
            stream = try client.chat.stream(sent)
        } catch {
            return Outcome(response: nil, error: error)
        }
        do throws(KimiError) {
            while try stream.next() != nil {
                if !onEvent(stream) {
                    stream.cancel()
                    return Outcome(response: stream.response, error: KimiError(.aborted, "the stream callback returned non-zero"))
                }
            }
        } catch {
            return Outcome(response: stream.started ? stream.response : nil, error: error)
        }
        append(stream.response, sentWith: sent)
        return Outcome(response: stream.response, error: nil)
    }

    /// The automatic tool loop: call the model (streamed when `onEvent` is
    /// given), run every tool it asks for, append the results, and call it
    /// again, until it answers without tool calls or `maxSteps` calls were
    /// made (then the error is `.stepLimit` and the history ends with the
    /// last tool results, ready for another run).
    public func run(maxSteps: Int, onEvent: ((ChatStream) -> Bool)?) -> Outcome {
        guard maxSteps > 0 else {
            return Outcome(response: nil, error: .invalidArgument("max_steps: must be at least 1, got \(maxSteps)"))
        }
        var last: ChatResponse?
        for _ in 0..<maxSteps {
            let sent = requestForLoop()
            let outcome: Outcome
            if let onEvent {
                outcome = stream(sent, onEvent)
            } else {
                do {
                    let response = try client.chat.create(sent)
                    append(response, sentWith: sent)
                    outcome = Outcome(response: response, error: nil)
                } catch {
                    outcome = Outcome(response: nil, error: error)
                }
            }
            guard let response = outcome.response, outcome.error == nil else { return outcome }
            last = response
            let calls = response.choices.first?.toolCalls ?? []
            if calls.isEmpty { return outcome }
            for call in calls {
                let name = call.name.string
                guard let content = execute(name: name, arguments: call.arguments.string) else {
                    return Outcome(response: response, error: KimiError(.aborted, "the tool handler for \(name) stopped the loop"))
                }
                var message = Message(role: .tool, text: content)
                message.toolCallID = call.id.string
                message.name = name
                request.messages.append(message)
            }
        }
        return Outcome(response: last, error: KimiError(.stepLimit, "the tool loop made \(maxSteps) model calls and tool calls are still pending; run it again to go on"))
    }

    /// Kimi's `$web_search` does not work with thinking on, so while it is
    /// declared the loop sends `thinking: disabled`.
    private func requestForLoop() -> ChatRequest {
        guard request.usesWebSearch, request.thinking?.type != .disabled else { return request }
        client.config.log.log(.info, "$web_search is declared: sending thinking disabled (Kimi's $web_search does not work with thinking on)")
        var sent = request
        sent.thinking = ChatRequest.Thinking(type: .disabled)
        return sent
    }

    /// The text a tool call gets back (nil: the handler stopped the loop).
    /// Failures become messages to the model rather than errors of the loop.
    func execute(name: String, arguments: String) -> String? {
        // Kimi runs $web_search itself: the result is the arguments, unchanged.
        if name == "$web_search" { return arguments }
        guard let handler = handlers[name] else {
            let known = handlers.keys.sorted().joined(separator: ", ")
            return "Error: there is no tool named \(quoted(name)). Available tools: \(known.isEmpty ? "none" : known)."
        }
        switch JSONValue.parse(arguments.isEmpty ? "{}" : arguments) {
        case .failure(let error):
            return "Error: the arguments for \(name) are not valid JSON (\(error.message)); call \(name) again with a JSON object."
        case .success(let value) where !value.isObject:
            return "Error: the arguments for \(name) must be a JSON object, not \(value.kindName)."
        case .success:
            break
        }
        switch handler(name, arguments.isEmpty ? "{}" : arguments) {
        case .success(let text): return text
        case .failure(let text): return text.isEmpty ? "Error: the tool \(name) failed." : text
        case .stop: return nil
        }
    }

    /// Appends the reply to a request that was sent, the way Kimi needs it
    /// back. A reply cut while still reasoning has nothing to send back:
    /// the history stays as it was (ending with the question, ready to be
    /// asked again with a larger budget), and `continueLast` says why.
    func append(_ response: ChatResponse, sentWith sent: ChatRequest) {
        do throws(KimiError) {
            try request.appendAnswer(response, sentWith: sent)
            cutAt = nil
        } catch {
            cutAt = response.isReasoningOnlyCut ? request.messages.count : nil
        }
    }

    /// Partial Mode on the conversation: the next reply continues `prefix`.
    public func prefill(_ prefix: String, name: String?) throws(KimiError) {
        try request.setPrefill(prefix, name: name)
    }

    /// Continues the last assistant answer (one that stopped with
    /// finish_reason "length"): it becomes a Partial Mode prefix, and on
    /// success the history ends with the whole answer; on failure the
    /// history is as it was.
    public func continueLast(onEvent: ((ChatStream) -> Bool)?) -> Outcome {
        if cutAt == request.messages.count {
            return Outcome(response: nil, error: .cutWhileReasoning("the conversation's last answer", finishReason: "length"))
        }
        guard let last = request.messages.last, last.role == .assistant, last.toolCalls.isEmpty else {
            return Outcome(response: nil, error: .invalidArgument("the conversation does not end with an assistant answer to continue"))
        }
        let saved = request.messages
        request.messages.removeLast()
        var outcome: Outcome
        do throws(KimiError) {
            try request.setPrefill(last.joinedText, name: last.name)
            if let onEvent {
                outcome = stream(onEvent)
            } else {
                outcome = Outcome(response: try create(), error: nil)
            }
        } catch {
            outcome = Outcome(response: nil, error: error)
        }
        if outcome.error != nil { request.messages = saved }
        return outcome
    }

    /// The history as a JSON array of messages (OpenAI/Kimi shape). The
    /// history holds what the server sent; a key it echoed stays out.
    public func exportJSON() throws(KimiError) -> TextBuffer {
        let text = try RequestEncoder.encode(messages: request.messages).materialize()
        return TextBuffer(client.config.redact(text.string))
    }

    /// Replaces the history with a JSON array of messages.
    public func loadJSON(_ text: String) throws(KimiError) {
        let value: JSONValue
        switch JSONValue.parse(text) {
        case .success(let v): value = v
        case .failure(let e): throw .invalidArgument("json: invalid JSON: \(e.message) at byte \(e.position)")
        }
        guard value.kind == .array else { throw .invalidArgument("json: expected an array of messages, got \(value.kindName)") }
        var loaded: [Message] = []
        for (i, element) in value.elements.enumerated() {
            loaded.append(try RequestDecoder.within("messages[\(i)]") { () throws(KimiError) in try RequestDecoder.decodeMessage(element) })
        }
        request.messages = loaded
    }
}
