import KimiCore

/// The one shape of every status-returning entry point: run `body`; on
/// success clear the thread's last error and return KIMI_OK; on failure
/// record the error, prefixed with the C function's name, and return its
/// status. Nothing here can trap: bodies validate instead of unwrapping.
@inline(__always)
func call(_ function: StaticString, _ body: () throws(KimiError) -> Void) -> Int32 {
    do {
        try body()
        LastError.existing?.clear()
        return Status.ok.rawValue
    } catch {
        return fail(function, error)
    }
}

/// `call` for functions whose result is one new handle stored in `out`:
/// `*out` is NULL unless the call succeeds, and a NULL `out` is an error.
@inline(__always)
func callStoring(_ function: StaticString, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                 _ body: () throws(KimiError) -> OpaquePointer) -> Int32 {
    out?.pointee = nil
    return call(function) { () throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        out.pointee = try body()
    }
}

/// `call` for functions that act on one handle: `pointer` must be a `T`
/// (named `name` in the error when it is NULL or another kind of handle).
@inline(__always)
func callOn<T: AnyObject>(_ function: StaticString, _ pointer: OpaquePointer?, _ name: String,
                          _ body: (T) throws(KimiError) -> Void) -> Int32 {
    call(function) { () throws(KimiError) in try body(try require(pointer, name, as: T.self)) }
}

/// Records `error` as the thread's last error and returns its status. The
/// message C callers read names the function first and ends with the hint
/// in C names; bindings read the bare detail and render the hint their way.
@discardableResult
func fail(_ function: StaticString, _ error: KimiError) -> Int32 {
    var message = "\(cName(function)): \(error.message)"
    if let hint = error.hint { message += " (\(cHint(hint)))" }
    LastError.current.record(error, message: message)
    return error.status.rawValue
}

/// A hint in the C API's names.
func cHint(_ hint: Hint) -> String {
    switch hint {
    case .apiKey: return "kimi_client_options_set_api_key"
    case .maxEventBytes: return "kimi_client_options_set_max_event_bytes"
    case .maxResponseBytes: return "kimi_client_options_set_max_response_bytes"
    case .uploadImage: return "kimi_file_upload with purpose \"image\", or kimi_client_options_set_auto_upload"
    case .uploadVideo: return "kimi_file_upload with purpose \"video\", or kimi_client_options_set_auto_upload"
    case .imageFromFile:
        return "kimi_message_add_image_file or _data, or kimi_file_upload with purpose \"image\"; kimi_client_options_set_kimi_rules(opts, 0) for other servers"
    case .videoFromFile:
        return "kimi_message_add_video_file or _data, or kimi_file_upload with purpose \"video\"; kimi_client_options_set_kimi_rules(opts, 0) for other servers"
    case .addAsImage: return "kimi_message_add_image_file, _data or _url"
    case .addAsVideo: return "kimi_message_add_video_file, _data or _url"
    case .reasoningContent: return "kimi_message_set_reasoning_content, kimi_chat_request_append_response, or a kimi_conversation"
    case .jsonSchema: return "kimi_chat_request_set_response_format_json_schema"
    case .streamArgument: return "kimi_chat_create or kimi_chat_stream"
    case .toolChoiceFunction: return "kimi_chat_request_set_tool_choice_function"
    case .toolMessage: return "kimi_chat_request_add_tool_result, or kimi_message_new(\"tool\") with kimi_message_set_tool_call_id"
    case .batchWait: return "kimi_batch_wait"
    case .disableThinking: return "kimi_chat_request_set_thinking(req, KIMI_THINKING_DISABLED)"
    case .maxCompletionTokens, .useMaxCompletionTokens: return "kimi_chat_request_set_max_completion_tokens"
    case .fitMaxCompletionTokens: return "kimi_chat_fit_max_completion_tokens"
    }
}

/// "kimi_client_new(_:_:)" -> "kimi_client_new".
private func cName(_ function: StaticString) -> Substring {
    let text = function.description
    return text.prefix { $0 != "(" }
}
