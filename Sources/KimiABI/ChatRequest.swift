import CKimiHeader
import KimiCore

final class RequestBox {
    let cell: RequestCell
    var request: ChatRequest {
        get { cell.request }
        _modify { yield &cell.request }
    }
    init(_ request: ChatRequest) { cell = RequestCell(request) }
    /// The request of a conversation: edits reach the conversation.
    init(sharing cell: RequestCell) { self.cell = cell }
}

private func withRequest(_ function: StaticString, _ req: OpaquePointer?,
                         _ body: (RequestBox) throws(KimiError) -> Void) -> Int32 {
    callOn(function, req, "req", body)
}

@c @implementation
public func kimi_chat_request_new(_ model: UnsafePointer<CChar>?) -> OpaquePointer? {
    do {
        var request = ChatRequest()
        if let model = try optionalString(model, "model") { try request.setModel(model) }
        return handle(RequestBox(request))
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_chat_request_free(_ req: OpaquePointer?) { release(req, as: RequestBox.self) }

@c @implementation
public func kimi_chat_request_set_model(_ req: OpaquePointer?, _ model: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setModel(try string(model, "model")) }
}

@c @implementation
public func kimi_chat_request_add_message(_ req: OpaquePointer?, _ role: UnsafePointer<CChar>?,
                                          _ text: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        let role = try string(role, "role")
        try box.request.addMessage(role: role, text: try string(text, "text"))
    }
}

@c @implementation
public func kimi_chat_request_append_message(_ req: OpaquePointer?, _ msg: OpaquePointer?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        box.request.messages.append(try require(msg, "msg", as: MessageBox.self).message)
    }
}

@c @implementation
public func kimi_chat_request_append_response(_ req: OpaquePointer?, _ resp: OpaquePointer?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        let response = try require(resp, "resp", as: ResponseBox.self).response
        try box.request.appendAnswer(response, sentWith: box.request)
    }
}

@c @implementation
public func kimi_chat_request_message_count(_ req: OpaquePointer?) -> Int {
    object(req, as: RequestBox.self)?.request.messages.count ?? 0
}

@c @implementation
public func kimi_chat_request_set_thinking(_ req: OpaquePointer?, _ mode: Int32) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in box.request.setThinking(try thinkingMode(mode)) }
}

/// A KIMI_THINKING_* value as the core's mode.
private func thinkingMode(_ mode: Int32) throws(KimiError) -> ChatRequest.ThinkingMode {
    switch mode {
    case 0: return .serverDefault
    case 1: return .enabled
    case 2: return .disabled
    case 3: return .keepAll
    default: throw .invalidArgument("mode: \(mode) is not a KIMI_THINKING_* value (0-3)")
    }
}

@c @implementation
public func kimi_chat_request_set_timeout_ms(_ req: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withRequest(#function, req) { box in box.request.callOptions.timeoutMs = ms }
}

@c @implementation
public func kimi_chat_request_set_idle_timeout_ms(_ req: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withRequest(#function, req) { box in box.request.callOptions.idleTimeoutMs = ms }
}

@c @implementation
public func kimi_chat_request_set_max_retries(_ req: OpaquePointer?, _ n: Int32) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.callOptions.setMaxRetries(n) }
}

@c @implementation
public func kimi_chat_request_add_header(_ req: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ value: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.callOptions.addHeader(name: try string(name, "name"), value: try string(value, "value"))
    }
}

@c @implementation
public func kimi_chat_request_add_query(_ req: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                        _ value: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.callOptions.addQuery(name: try string(name, "name"), value: try string(value, "value"))
    }
}

@c @implementation
public func kimi_chat_request_set_max_completion_tokens(_ req: OpaquePointer?, _ tokens: Int64) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setMaxCompletionTokens(tokens) }
}

@c @implementation
public func kimi_chat_request_set_max_tokens(_ req: OpaquePointer?, _ tokens: Int64) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setMaxTokens(tokens) }
}

@c @implementation
public func kimi_chat_request_set_temperature(_ req: OpaquePointer?, _ value: Double) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setTemperature(value) }
}

@c @implementation
public func kimi_chat_request_set_top_p(_ req: OpaquePointer?, _ value: Double) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setTopP(value) }
}

@c @implementation
public func kimi_chat_request_set_n(_ req: OpaquePointer?, _ n: Int64) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setN(n) }
}

@c @implementation
public func kimi_chat_request_set_presence_penalty(_ req: OpaquePointer?, _ value: Double) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setPresencePenalty(value) }
}

@c @implementation
public func kimi_chat_request_set_frequency_penalty(_ req: OpaquePointer?, _ value: Double) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setFrequencyPenalty(value) }
}

@c @implementation
public func kimi_chat_request_set_response_format(_ req: OpaquePointer?, _ type: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setResponseFormat(type: try string(type, "type")) }
}

@c @implementation
public func kimi_chat_request_set_response_format_json_schema(_ req: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                                              _ schema: UnsafePointer<CChar>?, _ strict: Int32) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.setJSONSchema(name: try string(name, "name"), schema: try json(schema, "schema_json"),
                                      strict: strict != 0)
    }
}

@c @implementation
public func kimi_chat_request_add_stop(_ req: OpaquePointer?, _ stop: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.addStop(try string(stop, "stop")) }
}

@c @implementation
public func kimi_chat_request_set_prompt_cache_key(_ req: OpaquePointer?, _ key: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in box.request.promptCacheKey = try string(key, "key") }
}

@c @implementation
public func kimi_chat_request_set_safety_identifier(_ req: OpaquePointer?, _ id: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in box.request.safetyIdentifier = try string(id, "id") }
}

@c @implementation
public func kimi_chat_request_set_include_usage(_ req: OpaquePointer?, _ include: Int32) -> Int32 {
    withRequest(#function, req) { box in box.request.includeUsage = include != 0 }
}

@c @implementation
public func kimi_chat_request_set_extra_json(_ req: OpaquePointer?, _ jsonObject: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.setExtra(jsonObject == nil ? nil : try json(jsonObject, "json_object"))
    }
}

@c @implementation
public func kimi_chat_request_from_json(_ body: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        return handle(RequestBox(try RequestDecoder.decode(try string(body, "body"))))
    }
}

@c @implementation
public func kimi_chat_request_to_json(_ req: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    do {
        let box = try require(req, "req", as: RequestBox.self)
        let copy = try ownedCopy(try box.request.body(for: .create).materialize())
        LastError.existing?.clear()
        return copy
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_chat_request_add_tool(_ req: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ description: UnsafePointer<CChar>?,
                                       _ parameters: UnsafePointer<CChar>?, _ strict: Int32) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.addFunctionTool(name: try string(name, "name"), description: try optionalString(description, "description"),
                                        parameters: parameters == nil ? nil : try json(parameters, "parameters_json"),
                                        strict: strict < 0 ? nil : strict != 0)
    }
}

@c @implementation
public func kimi_chat_request_add_web_search(_ req: OpaquePointer?) -> Int32 {
    withRequest(#function, req) { box in box.request.addWebSearch() }
}

@c @implementation
public func kimi_chat_request_set_tool_choice(_ req: OpaquePointer?, _ choice: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setToolChoice(try string(choice, "choice")) }
}

@c @implementation
public func kimi_chat_request_set_tool_choice_function(_ req: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in try box.request.setToolChoiceFunction(try string(name, "name")) }
}

@c @implementation
public func kimi_chat_request_add_tool_result(_ req: OpaquePointer?, _ toolCallID: UnsafePointer<CChar>?,
                                              _ name: UnsafePointer<CChar>?, _ content: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        var message = Message(role: .tool, text: try string(content, "content"))
        try message.setToolCallID(try string(toolCallID, "tool_call_id"))
        try message.setName(try string(name, "name"))
        box.request.messages.append(message)
    }
}

@c @implementation
public func kimi_chat_request_set_prefill(_ req: OpaquePointer?, _ prefix: UnsafePointer<CChar>?,
                                          _ name: UnsafePointer<CChar>?) -> Int32 {
    withRequest(#function, req) { box throws(KimiError) in
        try box.request.setPrefill(try string(prefix, "prefix"), name: try optionalString(name, "name"))
    }
}
