/// Kimi's rules, checked before anything is sent so a request the API would
/// refuse fails at once, with a message naming the field and what is
/// allowed. Applied while the client's Kimi rules are on.
enum Preflight {
    static func check(_ request: ChatRequest, log: Logger) throws(KimiError) {
        let k2 = isFixedValueModel(request.model)
        let thinking = k2 && request.thinkingEnabled
        if k2 { try checkFixedValues(request, thinking: thinking) }
        try checkThinking(request)
        try checkTools(request, thinking: thinking, log: log)
        try checkStops(request)
        try checkMessages(request, thinking: thinking)
        if case .jsonSchema(_, let schema, let strict) = request.responseFormat {
            try checkSchema(schema, strict: strict ?? true, field: "response_format.json_schema.schema", log: log)
        }
    }

    /// The request as it is sent under Kimi's rules: the extra JSON's
    /// request fields read into the fields (`folded`), the members left
    /// that Kimi does not list logged once per client, checked, and its
    /// completion budget settled (`max_tokens` sent as
    /// `max_completion_tokens`, within the model's window). An estimate
    /// sends no budget, so none is looked at.
    static func settled(_ request: ChatRequest, for purpose: RequestEncoder.Purpose, windows: ModelWindows,
                        log: Logger) throws(KimiError) -> ChatRequest {
        let request = try request.folded()
        if log.enabled(.warn) {
            for key in request.unlistedNames where windows.firstNotice(of: key) {
                log.log(.warn, UnlistedFields.notice(key))
            }
        }
        try check(request, log: log)
        guard purpose != .estimate else { return request }
        var settled = request
        if try CompletionBudget.settle(&settled), !windows.maxTokensNoticed.exchange(true, ordering: .relaxed) {
            log.log(.warn, "max_tokens is deprecated and not honoured by Kimi, so it was sent as max_completion_tokens (said once per client)")
        }
        try CompletionBudget.checkWindow(settled, windows: windows)
        return settled
    }

    /// K2.6 and K2.5 take only their fixed sampling values.
    static func isFixedValueModel(_ model: String) -> Bool {
        KimiModel.named(model)?.fixedSampling == true
    }

    /// `thinking.keep` is Preserved Thinking: only `"all"`, only with
    /// thinking on, only on a model that keeps thinking (K2.6).
    private static func checkThinking(_ request: ChatRequest) throws(KimiError) {
        guard let thinking = request.thinking, let keep = thinking.keep else { return }
        guard keep == "all" else {
            throw .invalidArgument("thinking.keep: \(quoted(keep)) is not a value Kimi takes; \"all\" keeps earlier turns' reasoning (Preserved Thinking), and leaving keep out does not")
        }
        guard thinking.type == .enabled else {
            throw .invalidArgument("thinking.keep: \"all\" keeps earlier turns' reasoning, which needs thinking enabled, but thinking.type is disabled; leave keep out, or enable thinking")
        }
        guard KimiModel.named(request.model)?.preservedThinking == true else {
            let keepers = KimiModel.table.filter(\.preservedThinking).map(\.prefix).joined(separator: ", ")
            throw .invalidArgument("thinking.keep: \(request.model) does not keep earlier turns' reasoning (Preserved Thinking is \(keepers)'s); leave keep out")
        }
    }

    private static func checkFixedValues(_ request: ChatRequest, thinking: Bool) throws(KimiError) {
        let model = request.model
        if let t = request.temperature, t != (thinking ? 1.0 : 0.6) {
            throw .invalidArgument("temperature: \(model) accepts only \(thinking ? "1.0 with thinking on" : "0.6 with thinking off") (\(thinking ? "0.6 with it off" : "1.0 with it on")), got \(t); leave it unset to use the fixed value")
        }
        if let p = request.topP, p != 0.95 {
            throw .invalidArgument("top_p: \(model) accepts only 0.95, got \(p); leave it unset")
        }
        if let n = request.n, n != 1 {
            throw .invalidArgument("n: \(model) accepts only 1, got \(n); send several requests for several answers")
        }
        if let p = request.presencePenalty, p != 0 {
            throw .invalidArgument("presence_penalty: \(model) accepts only 0, got \(p); leave it unset")
        }
        if let p = request.frequencyPenalty, p != 0 {
            throw .invalidArgument("frequency_penalty: \(model) accepts only 0, got \(p); leave it unset")
        }
    }

    static let maxTools = 128

    private static func checkTools(_ request: ChatRequest, thinking: Bool, log: Logger) throws(KimiError) {
        if thinking, let choice = request.toolChoice, choice == .required || isFunction(choice) {
            let what = choice == .required ? "\"required\"" : "a named function"
            throw .invalidArgument("tool_choice: \(what) is not allowed while thinking is on (only auto or none); turn thinking off for this request, or use auto", hint: .disableThinking)
        }
        if thinking, request.usesWebSearch {
            throw .invalidArgument("tools: Kimi's $web_search does not work while thinking is on (\(request.model)'s default); turn thinking off for this request, or use a conversation, which does that for web-search turns", hint: .disableThinking)
        }
        if request.tools.count > maxTools {
            throw .invalidArgument("tools: Kimi accepts at most \(maxTools) tools, got \(request.tools.count)")
        }
        var seen: [String: Int] = [:]
        for (i, tool) in request.tools.enumerated() {
            guard case .function(let name, _, let parameters, let strict) = tool else { continue }
            let field = "tools[\(i)].function"
            guard isValidFunctionName(name) else {
                throw .invalidArgument("\(field).name: \(quoted(name)) must match ^[a-zA-Z_][a-zA-Z0-9-_]{2,63}$ (3 to 64 letters, digits, '-' or '_', starting with a letter or '_')")
            }
            if let first = seen[name] {
                throw .invalidArgument("\(field).name: \(quoted(name)) is already declared by tools[\(first)]; function names must be unique")
            }
            seen[name] = i
            if let parameters { try checkSchema(parameters, strict: strict ?? true, field: "\(field).parameters", log: log) }
        }
    }

    private static func isFunction(_ choice: ToolChoice) -> Bool {
        if case .function = choice { return true }
        return false
    }

    /// `^[a-zA-Z_][a-zA-Z0-9-_]{2,63}$`
    static func isValidFunctionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (3...64).contains(bytes.count) else { return false }
        func letter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        guard letter(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { letter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static let maxStops = 5
    static let maxStopBytes = 32

    private static func checkStops(_ request: ChatRequest) throws(KimiError) {
        if request.stop.count > maxStops {
            throw .invalidArgument("stop: Kimi accepts at most \(maxStops) stop strings, got \(request.stop.count)")
        }
        for (i, stop) in request.stop.enumerated() where stop.utf8.count > maxStopBytes {
            throw .invalidArgument("stop[\(i)]: Kimi accepts stop strings of at most \(maxStopBytes) bytes, this one has \(stop.utf8.count)")
        }
    }

    private static func checkMessages(_ request: ChatRequest, thinking: Bool) throws(KimiError) {
        guard !request.messages.isEmpty else {
            throw .invalidArgument("messages: empty; Kimi needs at least one message (add a user message)")
        }
        var callIDs: [String: String] = [:]
        let last = request.messages.count - 1
        for (i, message) in request.messages.enumerated() {
            let field = "messages[\(i)]"
            // An assistant turn may be empty: a model's empty answer goes back as it came.
            if message.hasNoContent && !(message.role == .assistant && (!message.toolCalls.isEmpty || !message.partial)) {
                let what = message.partial ? "a Partial Mode prefix" : "a \(message.role.rawValue) message"
                throw .invalidArgument("\(field).content: empty; Kimi refuses \(what) without content (only an assistant turn may have none)")
            }
            for (j, part) in message.parts.enumerated() {
                switch part {
                case .image(.url(let url)): try checkMediaURL(url, .image, "\(field).content[\(j)].image_url")
                case .video(.url(let url)): try checkMediaURL(url, .video, "\(field).content[\(j)].video_url")
                default: break
                }
            }
            if !message.toolCalls.isEmpty {
                if thinking && message.reasoningContent == nil {
                    throw .invalidArgument("\(field).reasoning_content: missing on an assistant tool-call message while thinking is on; Kimi needs it sent back (set it on the message, or let a conversation keep the history)", hint: .reasoningContent)
                }
                for (j, call) in message.toolCalls.enumerated() {
                    let place = "\(field).tool_calls[\(j)]"
                    if let first = callIDs[call.id] {
                        throw .invalidArgument("\(place).id: \(quoted(call.id)) is also used by \(first); Kimi refuses duplicate tool-call ids")
                    }
                    callIDs[call.id] = place
                }
            }
            if message.role == .tool {
                guard let id = message.toolCallID else {
                    throw .invalidArgument("\(field).tool_call_id: missing on a tool message")
                }
                if callIDs[id] == nil {
                    throw .invalidArgument("\(field).tool_call_id: \(quoted(id)) matches no earlier assistant tool call")
                }
            }
            if message.partial {
                guard i == last, message.role == .assistant else {
                    throw .invalidArgument("\(field).partial: only the last message may be partial, and it must be an assistant message (Partial Mode)")
                }
                if case .jsonObject = request.responseFormat {
                    throw .invalidArgument("\(field).partial: Partial Mode cannot be combined with response_format json_object")
                }
            }
        }
    }

    /// Kimi takes `data:` URIs of its image and video types and `ms://`
    /// file ids, never web URLs (`Media.checkForKimi`).
    static func checkMediaURL(_ url: String, _ kind: MediaKind, _ field: String) throws(KimiError) {
        do throws(KimiError) {
            try Media.checkForKimi(url, kind: kind)
        } catch {
            throw error.prefixed(field)
        }
    }

    /// MFJS problems are errors in strict mode (Kimi's default) and logged
    /// warnings otherwise, when the server only promises valid JSON.
    private static func checkSchema(_ schema: JSONValue, strict: Bool, field: String, log: Logger) throws(KimiError) {
        let problems = SchemaCheck.problems(in: schema)
        guard !problems.isEmpty else { return }
        // The first few, so that a schema of thousands of keywords does not
        // make a message as long.
        let shown = 5
        var list = problems.prefix(shown).joined(separator: ", ")
        if problems.count > shown { list += " and \(problems.count - shown) more" }
        if strict {
            throw .invalidArgument("\(field): Moonshot's JSON Schema subset (MFJS) does not accept \(list); remove them, or set strict to false")
        }
        log.log(.warn, "\(field): MFJS does not accept \(list); sent anyway because strict is false")
    }
}
