/// Validating setters shared by the C API and the JSON loader, so each rule
/// and its message exist once. Messages name the argument or field; the
/// loader prefixes them with the JSON path.
extension ChatRequest {
    /// How a request asks for thinking.
    public enum ThinkingMode: Sendable {
        /// `thinking` left out: the server's default (on for K2.6).
        case serverDefault
        case enabled
        case disabled
        /// Enabled, with earlier turns' reasoning kept (Preserved Thinking).
        case keepAll
    }

    public mutating func setModel(_ model: String) throws(KimiError) {
        guard !model.isEmpty else { throw .invalidArgument("model: must not be empty") }
        self.model = model
    }

    public mutating func setThinking(_ mode: ThinkingMode) {
        switch mode {
        case .serverDefault: self.thinking = nil
        case .enabled: self.thinking = Thinking(type: .enabled)
        case .disabled: self.thinking = Thinking(type: .disabled)
        case .keepAll: self.thinking = Thinking(type: .enabled, keep: "all")
        }
    }

    public mutating func setMaxCompletionTokens(_ tokens: Int64) throws(KimiError) {
        self.maxCompletionTokens = try positive(tokens, "max_completion_tokens")
    }

    public mutating func setMaxTokens(_ tokens: Int64) throws(KimiError) {
        self.maxTokens = try positive(tokens, "max_tokens")
    }

    public mutating func setTemperature(_ value: Double) throws(KimiError) { self.temperature = try finite(value, "temperature") }
    public mutating func setTopP(_ value: Double) throws(KimiError) { self.topP = try finite(value, "top_p") }
    public mutating func setPresencePenalty(_ value: Double) throws(KimiError) { self.presencePenalty = try finite(value, "presence_penalty") }
    public mutating func setFrequencyPenalty(_ value: Double) throws(KimiError) { self.frequencyPenalty = try finite(value, "frequency_penalty") }

    public mutating func setN(_ value: Int64) throws(KimiError) { self.n = try positive(value, "n") }

    public mutating func setResponseFormat(type: String) throws(KimiError) {
        switch type {
        case "text": self.responseFormat = .text
        case "json_object": self.responseFormat = .jsonObject
        case "json_schema":
            throw .invalidArgument("type: json_schema needs a name and a schema, given together", hint: .jsonSchema)
        default:
            throw .invalidArgument("type: \(quoted(type)) is not a response format (text, json_object, json_schema)")
        }
    }

    public mutating func setJSONSchema(name: String, schema: JSONValue, strict: Bool?) throws(KimiError) {
        guard !name.isEmpty else { throw .invalidArgument("name: the json_schema name must not be empty") }
        guard schema.isObject else { throw .invalidArgument("schema: must be a JSON object, got \(schema.kindName)") }
        self.responseFormat = .jsonSchema(name: name, schema: schema, strict: strict)
    }

    public mutating func addStop(_ stop: String) throws(KimiError) {
        guard !stop.isEmpty else { throw .invalidArgument("stop: must not be empty") }
        self.stop.append(stop)
    }

    public mutating func setExtra(_ value: JSONValue?) throws(KimiError) {
        guard let value else {
            self.extra = nil
            return
        }
        guard value.isObject else { throw .invalidArgument("json_object: must be a JSON object, got \(value.kindName)") }
        if value["stream"] != nil {
            throw .invalidArgument("json_object: \"stream\" is chosen by the call made (streamed or not), not set in the body", hint: .streamArgument)
        }
        self.extra = value
    }

    /// Adds a function tool. The name rules are checked before sending (they
    /// are Kimi's, and other servers may differ).
    public mutating func addFunctionTool(name: String, description: String?, parameters: JSONValue?,
                                         strict: Bool?) throws(KimiError) {
        guard !name.isEmpty else { throw .invalidArgument("name: a tool name must not be empty") }
        if let parameters, !parameters.isObject {
            throw .invalidArgument("parameters_json: must be a JSON Schema object, got \(parameters.kindName)")
        }
        self.tools.append(.function(name: name, description: description, parameters: parameters, strict: strict))
    }

    /// Declares Kimi's built-in `$web_search` (once).
    public mutating func addWebSearch() {
        if !self.tools.contains(where: { $0.name == "$web_search" }) { self.tools.append(.webSearch) }
    }

    public mutating func setToolChoice(_ text: String) throws(KimiError) {
        switch text {
        case "auto": self.toolChoice = .auto
        case "none": self.toolChoice = ToolChoice.none
        case "required": self.toolChoice = .required
        default:
            throw .invalidArgument("choice: \(quoted(text)) is not auto, none or required (a function is named on its own)", hint: .toolChoiceFunction)
        }
    }

    public mutating func setToolChoiceFunction(_ name: String) throws(KimiError) {
        guard !name.isEmpty else { throw .invalidArgument("name: must not be empty") }
        self.toolChoice = .function(name)
    }

    /// Partial Mode: ends the messages with an assistant `prefix` the model
    /// continues (`name` sets a persona), replacing an earlier prefill.
    public mutating func setPrefill(_ prefix: String, name: String?) throws(KimiError) {
        if let last = self.messages.last, last.role == .assistant, last.partial { self.messages.removeLast() }
        var message = Message(role: .assistant, text: prefix)
        message.partial = true
        if let name { try message.setName(name) }
        self.messages.append(message)
    }

    /// The prefix of a Partial Mode request (its last message), if any.
    public var prefill: String? {
        guard let last = self.messages.last, last.role == .assistant, last.partial else { return nil }
        return last.joinedText
    }

    /// True when `$web_search` is declared.
    public var usesWebSearch: Bool { self.tools.contains { $0.name == "$web_search" } }

    public mutating func addMessage(role: String, text: String) throws(KimiError) {
        let role = try Message.parseRole(role)
        guard role != .tool else {
            throw .invalidArgument("role: a tool message needs the tool_call_id of the call it answers", hint: .toolMessage)
        }
        self.messages.append(Message(role: role, text: text))
    }

    private func positive(_ value: Int64, _ name: String) throws(KimiError) -> Int64 {
        guard value > 0 else { throw .invalidArgument("\(name): must be greater than 0, got \(value)") }
        return value
    }

    private func finite(_ value: Double, _ name: String) throws(KimiError) -> Double {
        guard value.isFinite else { throw .invalidArgument("\(name): must be a finite number") }
        return value
    }
}

extension Message {
    public static func parseRole(_ text: String) throws(KimiError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw .invalidArgument("role: \(quoted(text)) is not one of system, user, assistant, tool")
        }
        return role
    }

    public mutating func addText(_ text: String) {
        if parts.isEmpty, let existing = self.text {
            parts = [.text(existing)]
            self.text = nil
        }
        if parts.isEmpty && self.text == nil {
            self.text = text
        } else {
            parts.append(.text(text))
        }
    }

    /// Adds a non-text part, turning plain text content into a text part.
    public mutating func addPart(_ part: ContentPart) {
        if let existing = text {
            parts = [.text(existing)]
            text = nil
        }
        parts.append(part)
    }

    public mutating func setName(_ name: String) throws(KimiError) {
        guard !name.isEmpty else { throw .invalidArgument("name: must not be empty") }
        self.name = name
    }

    public mutating func setPartial(_ partial: Bool) throws(KimiError) {
        guard !partial || role == .assistant else {
            throw .invalidArgument("partial: only an assistant message can be partial, this one is \(role.rawValue)")
        }
        self.partial = partial
    }

    public mutating func setReasoningContent(_ reasoning: String) throws(KimiError) {
        guard role == .assistant else {
            throw .invalidArgument("reasoning_content: only assistant messages carry it, this one is \(role.rawValue)")
        }
        reasoningContent = reasoning
    }

    public mutating func addToolCall(_ call: ToolCall) throws(KimiError) {
        guard role == .assistant else {
            throw .invalidArgument("tool_calls: only assistant messages make tool calls, this one is \(role.rawValue)")
        }
        guard !call.id.isEmpty else { throw .invalidArgument("id: a tool call id must not be empty") }
        guard !call.name.isEmpty else { throw .invalidArgument("name: a tool call name must not be empty") }
        toolCalls.append(call)
    }

    public mutating func setToolCallID(_ id: String) throws(KimiError) {
        guard role == .tool else {
            throw .invalidArgument("tool_call_id: only tool messages answer a tool call, this one is \(role.rawValue)")
        }
        guard !id.isEmpty else { throw .invalidArgument("tool_call_id: must not be empty") }
        toolCallID = id
    }
}
