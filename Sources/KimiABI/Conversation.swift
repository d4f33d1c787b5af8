import CKimiHeader
import KimiCore

final class ConversationBox {
    let conversation: Conversation
    /// The handle kimi_conversation_request returns: the same request.
    let requestBox: RequestBox

    init(_ conversation: Conversation) {
        self.conversation = conversation
        requestBox = RequestBox(sharing: conversation.cell)
    }
}

/// Where a tool handler writes its answer.
final class ToolResultBox {
    let text = TextBuffer()
}

private func withConversation(_ function: StaticString, _ conv: OpaquePointer?,
                              _ body: (Conversation) throws(KimiError) -> Void) -> Int32 {
    callOn(function, conv, "conv") { (box: ConversationBox) throws(KimiError) in try body(box.conversation) }
}

/// Passes a conversation's stream events to a C callback (one event handle
/// per stream, reused for all its events).
private func forward(_ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?) -> (ChatStream) -> Bool {
    var box: StreamBox?
    return { stream in
        guard let onEvent else { return true }
        if box?.stream !== stream { box = StreamBox(stream) }
        guard let box else { return true }
        return onEvent(box.eventHandle, userData) == 0
    }
}

/// Runs a conversation call and reports its outcome: its response
/// (partial after some failures) to `out`, and its error as the status.
private func run(_ function: StaticString, _ conv: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                 _ body: (Conversation) -> Conversation.Outcome) -> Int32 {
    out?.pointee = nil
    let outcome: Conversation.Outcome
    do throws(KimiError) {
        outcome = body(try require(conv, "conv", as: ConversationBox.self).conversation)
    } catch {
        return fail(function, error)
    }
    if let response = outcome.response, let out { out.pointee = handle(ResponseBox(response)) }
    guard let error = outcome.error else {
        LastError.existing?.clear()
        return Status.ok.rawValue
    }
    return fail(function, error)
}

@c @implementation
public func kimi_conversation_new(_ client: OpaquePointer?, _ model: UnsafePointer<CChar>?) -> OpaquePointer? {
    do {
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(ConversationBox(try Conversation(client: client, model: try optionalString(model, "model"))))
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_conversation_free(_ conv: OpaquePointer?) { release(conv, as: ConversationBox.self) }

@c @implementation
public func kimi_conversation_request(_ conv: OpaquePointer?) -> OpaquePointer? {
    guard let box = object(conv, as: ConversationBox.self) else { return nil }
    return borrowedHandle(box.requestBox)
}

@c @implementation
public func kimi_conversation_add_message(_ conv: OpaquePointer?, _ role: UnsafePointer<CChar>?,
                                          _ text: UnsafePointer<CChar>?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in
        let role = try string(role, "role")
        try c.request.addMessage(role: role, text: try string(text, "text"))
    }
}

@c @implementation
public func kimi_conversation_append_message(_ conv: OpaquePointer?, _ msg: OpaquePointer?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in
        c.request.messages.append(try require(msg, "msg", as: MessageBox.self).message)
    }
}

@c @implementation
public func kimi_conversation_add_tool_result(_ conv: OpaquePointer?, _ toolCallID: UnsafePointer<CChar>?,
                                              _ name: UnsafePointer<CChar>?, _ content: UnsafePointer<CChar>?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in
        try c.addToolResult(toolCallID: try string(toolCallID, "tool_call_id"), name: try string(name, "name"),
                            content: try string(content, "content"))
    }
}

@c @implementation
public func kimi_conversation_message_count(_ conv: OpaquePointer?) -> Int {
    object(conv, as: ConversationBox.self)?.conversation.messages.count ?? 0
}

@c @implementation
public func kimi_conversation_create(_ conv: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return withConversation(#function, conv) { c throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        out.pointee = handle(ResponseBox(try c.create()))
    }
}

@c @implementation
public func kimi_conversation_stream(_ conv: OpaquePointer?, _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                     _ finalOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run(#function, conv, finalOut) { c in c.stream(forward(onEvent, userData)) }
}

@c @implementation
public func kimi_tool_result_set_text(_ result: OpaquePointer?, _ text: UnsafePointer<CChar>?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let box = try require(result, "result", as: ToolResultBox.self)
        box.text.removeAll()
        box.text.append(try string(text, "text"))
    }
}

@c @implementation
public func kimi_conversation_add_tool(_ conv: OpaquePointer?, _ name: UnsafePointer<CChar>?, _ description: UnsafePointer<CChar>?,
                                       _ parameters: UnsafePointer<CChar>?, _ fn: kimi_tool_fn?,
                                       _ userData: UnsafeMutableRawPointer?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in
        guard let fn else { throw .invalidArgument("fn must not be NULL") }
        let address = userData.map { UInt(bitPattern: $0) }
        try c.addTool(name: try string(name, "name"), description: try optionalString(description, "description"),
                      parameters: parameters == nil ? nil : try json(parameters, "parameters_json")) { name, arguments in
            let result = ToolResultBox()
            let pointer = borrowedHandle(result)
            let status = name.withCString { n in
                arguments.withCString { a in
                    withExtendedLifetime(result) { fn(n, a, pointer, address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }) }
                }
            }
            if status < 0 { return .stop }
            return status == 0 ? .success(result.text.string) : .failure(result.text.string)
        }
    }
}

@c @implementation
public func kimi_conversation_add_web_search(_ conv: OpaquePointer?) -> Int32 {
    withConversation(#function, conv) { c in c.request.addWebSearch() }
}

@c @implementation
public func kimi_conversation_run(_ conv: OpaquePointer?, _ maxSteps: Int32, _ onEvent: kimi_stream_cb?,
                                  _ userData: UnsafeMutableRawPointer?, _ finalOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run(#function, conv, finalOut) { c in
        c.run(maxSteps: Int(maxSteps), onEvent: onEvent == nil ? nil : forward(onEvent, userData))
    }
}

@c @implementation
public func kimi_conversation_prefill(_ conv: OpaquePointer?, _ prefix: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in
        try c.prefill(try string(prefix, "prefix"), name: try optionalString(name, "name"))
    }
}

@c @implementation
public func kimi_conversation_continue(_ conv: OpaquePointer?, _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                       _ finalOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    run(#function, conv, finalOut) { c in c.continueLast(onEvent: onEvent == nil ? nil : forward(onEvent, userData)) }
}

@c @implementation
public func kimi_conversation_to_json(_ conv: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    do {
        let c = try require(conv, "conv", as: ConversationBox.self).conversation
        let copy = try ownedCopy(try c.exportJSON())
        LastError.existing?.clear()
        return copy
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_conversation_load_json(_ conv: OpaquePointer?, _ text: UnsafePointer<CChar>?) -> Int32 {
    withConversation(#function, conv) { c throws(KimiError) in try c.loadJSON(try string(text, "json")) }
}
