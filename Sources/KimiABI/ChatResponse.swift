import CKimiHeader
import KimiCore

final class ResponseBox {
    let response: ChatResponse
    init(_ response: ChatResponse) { self.response = response }

    /// The metadata's texts as C strings, each made on first use (responses
    /// are read from several threads at once, hence the lock; the request
    /// id alone is asked for by every Python result, the headers rarely).
    private let lock = Lock()
    private var cRequestID: GatedText?
    private var cHeaders: HeaderTexts?

    var requestIDText: GatedText {
        lock.withLock {
            if let cRequestID { return cRequestID }
            let made = GatedText(response.metadata.requestID)
            cRequestID = made
            return made
        }
    }

    var headerTexts: HeaderTexts {
        lock.withLock {
            if let cHeaders { return cHeaders }
            let made = HeaderTexts(response.metadata.headers)
            cHeaders = made
            return made
        }
    }
}

@c @implementation
public func kimi_chat_create(_ client: OpaquePointer?, _ req: OpaquePointer?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        return handle(ResponseBox(try client.chat.create(request)))
    }
}

@c @implementation
public func kimi_chat_response_free(_ resp: OpaquePointer?) { release(resp, as: ResponseBox.self) }

/// Choice `index` of a response handle, or nil (accessors then return "").
private func choice(_ resp: OpaquePointer?, _ index: Int) -> ResponseChoice? {
    guard let choices = object(resp, as: ResponseBox.self)?.response.choices, index >= 0, index < choices.count else {
        return nil
    }
    return choices[index]
}

private func toolCall(_ resp: OpaquePointer?, _ index: Int, _ i: Int) -> ResponseToolCall? {
    guard let calls = choice(resp, index)?.toolCalls, i >= 0, i < calls.count else { return nil }
    return calls[i]
}

private func usage(_ resp: OpaquePointer?) -> Usage { object(resp, as: ResponseBox.self)?.response.usage ?? Usage() }

@c @implementation
public func kimi_chat_response_content(_ resp: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(payload: choice(resp, 0)?.content, lengthOut)
}

@c @implementation
public func kimi_chat_response_reasoning(_ resp: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(payload: choice(resp, 0)?.reasoning, lengthOut)
}

@c @implementation
public func kimi_chat_response_full_content(_ resp: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let response = object(resp, as: ResponseBox.self)?.response, !response.choices.isEmpty else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    return borrowed(payload: response.fullContent, lengthOut)
}

@c @implementation
public func kimi_chat_continue(_ client: OpaquePointer?, _ req: OpaquePointer?, _ previous: OpaquePointer?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        let previous = try require(previous, "previous", as: ResponseBox.self).response
        return handle(ResponseBox(try client.chat.continueAfter(previous, request)))
    }
}

@c @implementation
public func kimi_chat_fit_max_completion_tokens(_ client: OpaquePointer?, _ req: OpaquePointer?,
                                               _ max_out: UnsafeMutablePointer<Int64>?) -> Int32 {
    max_out?.pointee = 0
    return call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let box = try require(req, "req", as: RequestBox.self)
        var request = box.request
        let fitted = try client.chat.fitMaxCompletionTokens(&request)
        box.request = request  // only once the estimate succeeded: on failure the request is unchanged
        max_out?.pointee = fitted
    }
}

@c @implementation
public func kimi_chat_response_finish_reason(_ resp: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(choice(resp, 0)?.finishReason)
}

@c @implementation
public func kimi_chat_response_tool_call_count(_ resp: OpaquePointer?) -> Int { choice(resp, 0)?.toolCalls.count ?? 0 }

@c @implementation
public func kimi_chat_response_tool_call_id(_ resp: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(toolCall(resp, 0, i)?.id)
}

@c @implementation
public func kimi_chat_response_tool_call_name(_ resp: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(toolCall(resp, 0, i)?.name)
}

@c @implementation
public func kimi_chat_response_tool_call_arguments(_ resp: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(payload: toolCall(resp, 0, i)?.arguments)
}

@c @implementation
public func kimi_chat_response_prompt_tokens(_ resp: OpaquePointer?) -> Int64 { usage(resp).promptTokens }

@c @implementation
public func kimi_chat_response_completion_tokens(_ resp: OpaquePointer?) -> Int64 { usage(resp).completionTokens }

@c @implementation
public func kimi_chat_response_total_tokens(_ resp: OpaquePointer?) -> Int64 { usage(resp).totalTokens }

@c @implementation
public func kimi_chat_response_cached_tokens(_ resp: OpaquePointer?) -> Int64 { usage(resp).cachedTokens }

@c @implementation
public func kimi_chat_response_id(_ resp: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(resp, as: ResponseBox.self)?.response.id)
}

@c @implementation
public func kimi_chat_response_model(_ resp: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(resp, as: ResponseBox.self)?.response.model)
}

@c @implementation
public func kimi_chat_response_created(_ resp: OpaquePointer?) -> Int64 {
    object(resp, as: ResponseBox.self)?.response.created ?? 0
}

@c @implementation
public func kimi_chat_response_json(_ resp: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(object(resp, as: ResponseBox.self)?.response.json, lengthOut)
}

@c @implementation
public func kimi_chat_response_choice_count(_ resp: OpaquePointer?) -> Int {
    object(resp, as: ResponseBox.self)?.response.choices.count ?? 0
}

@c @implementation
public func kimi_chat_response_choice_content(_ resp: OpaquePointer?, _ index: Int,
                                              _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(payload: choice(resp, index)?.content, lengthOut)
}

@c @implementation
public func kimi_chat_response_choice_reasoning(_ resp: OpaquePointer?, _ index: Int,
                                                _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(payload: choice(resp, index)?.reasoning, lengthOut)
}

@c @implementation
public func kimi_chat_response_choice_finish_reason(_ resp: OpaquePointer?, _ index: Int) -> UnsafePointer<CChar>? {
    borrowed(choice(resp, index)?.finishReason)
}

@c @implementation
public func kimi_chat_response_choice_tool_call_count(_ resp: OpaquePointer?, _ index: Int) -> Int {
    choice(resp, index)?.toolCalls.count ?? 0
}

@c @implementation
public func kimi_chat_response_choice_tool_call_id(_ resp: OpaquePointer?, _ index: Int, _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(toolCall(resp, index, i)?.id)
}

@c @implementation
public func kimi_chat_response_choice_tool_call_name(_ resp: OpaquePointer?, _ index: Int, _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(toolCall(resp, index, i)?.name)
}

@c @implementation
public func kimi_chat_response_choice_tool_call_arguments(_ resp: OpaquePointer?, _ index: Int,
                                                          _ i: Int) -> UnsafePointer<CChar>? {
    borrowed(payload: toolCall(resp, index, i)?.arguments)
}

// MARK: - Metadata

private func metadata(_ resp: OpaquePointer?) -> ResponseMetadata? { object(resp, as: ResponseBox.self)?.response.metadata }

@c @implementation
public func kimi_chat_response_request_id(_ resp: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(resp, as: ResponseBox.self)?.requestIDText)
}

@c @implementation
public func kimi_chat_response_header(_ resp: OpaquePointer?, _ name: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    object(resp, as: ResponseBox.self)?.headerTexts.value(named: name) ?? emptyCString
}

@c @implementation
public func kimi_chat_response_header_count(_ resp: OpaquePointer?) -> Int { metadata(resp)?.headers.count ?? 0 }

@c @implementation
public func kimi_chat_response_header_name(_ resp: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? {
    object(resp, as: ResponseBox.self)?.headerTexts.name(at: i) ?? emptyCString
}

@c @implementation
public func kimi_chat_response_header_value(_ resp: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? {
    object(resp, as: ResponseBox.self)?.headerTexts.value(at: i) ?? emptyCString
}

@c @implementation
public func kimi_chat_response_http_status(_ resp: OpaquePointer?) -> Int32 {
    Int32(clamping: metadata(resp)?.httpStatus ?? 0)
}

@c @implementation
public func kimi_chat_response_attempts(_ resp: OpaquePointer?) -> Int32 { Int32(clamping: metadata(resp)?.attempts ?? 0) }

@c @implementation
public func kimi_chat_response_elapsed_ms(_ resp: OpaquePointer?) -> Double { metadata(resp)?.elapsedMs ?? -1 }

@c @implementation
public func kimi_chat_response_first_byte_ms(_ resp: OpaquePointer?) -> Double { metadata(resp)?.firstByteMs ?? -1 }

@c @implementation
public func kimi_chat_response_first_token_ms(_ resp: OpaquePointer?) -> Double { metadata(resp)?.firstTokenMs ?? -1 }
