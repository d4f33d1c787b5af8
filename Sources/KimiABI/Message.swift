import CKimiHeader
import KimiCore

final class MessageBox {
    var message: Message
    init(_ message: Message) { self.message = message }
}

private func withMessage(_ function: StaticString, _ msg: OpaquePointer?,
                         _ body: (MessageBox) throws(KimiError) -> Void) -> Int32 {
    callOn(function, msg, "msg", body)
}

@c @implementation
public func kimi_message_new(_ role: UnsafePointer<CChar>?) -> OpaquePointer? {
    do {
        return handle(MessageBox(Message(role: try Message.parseRole(try string(role, "role")))))
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_message_free(_ msg: OpaquePointer?) { release(msg, as: MessageBox.self) }

@c @implementation
public func kimi_message_add_text(_ msg: OpaquePointer?, _ text: UnsafePointer<CChar>?) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in box.message.addText(try string(text, "text")) }
}

@c @implementation
public func kimi_message_set_name(_ msg: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in try box.message.setName(try string(name, "name")) }
}

@c @implementation
public func kimi_message_set_partial(_ msg: OpaquePointer?, _ partial: Int32) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in try box.message.setPartial(partial != 0) }
}

@c @implementation
public func kimi_message_set_reasoning_content(_ msg: OpaquePointer?, _ reasoning: UnsafePointer<CChar>?) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in
        try box.message.setReasoningContent(try string(reasoning, "reasoning"))
    }
}

@c @implementation
public func kimi_message_add_tool_call(_ msg: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ name: UnsafePointer<CChar>?,
                                       _ arguments: UnsafePointer<CChar>?) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in
        let id = try string(id, "id"), name = try string(name, "name")
        _ = try json(arguments, "arguments_json")
        try box.message.addToolCall(ToolCall(id: id, name: name, arguments: try string(arguments, "arguments_json")))
    }
}

@c @implementation
public func kimi_message_set_tool_call_id(_ msg: OpaquePointer?, _ toolCallID: UnsafePointer<CChar>?) -> Int32 {
    withMessage(#function, msg) { box throws(KimiError) in
        try box.message.setToolCallID(try string(toolCallID, "tool_call_id"))
    }
}

@c @implementation
public func kimi_message_from_json(_ text: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let value = try json(text, "json")
        return handle(MessageBox(try RequestDecoder.decodeMessage(value)))
    }
}
