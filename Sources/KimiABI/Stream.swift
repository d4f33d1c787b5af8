import CKimiHeader
import KimiCore

/// A stream handle. The event pointer C sees is this same object: the
/// accessors read the stream's current event.
final class StreamBox {
    let stream: ChatStream
    init(_ stream: ChatStream) { self.stream = stream }

    /// The `kimi_stream_event *` for the current event (not retained).
    var eventHandle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }
}

@c @implementation
public func kimi_chat_stream(_ client: OpaquePointer?, _ req: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                             _ userData: UnsafeMutableRawPointer?, _ finalOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    finalOut?.pointee = nil
    var stream: ChatStream?
    let status = call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        let opened = try client.streamChat(request)
        stream = opened
        let box = StreamBox(opened)
        let event = box.eventHandle
        while try opened.next() != nil {
            if let onEvent, onEvent(event, userData) != 0 {
                opened.cancel()
                throw KimiError(.aborted, "the stream callback returned non-zero")
            }
        }
    }
    if let stream, stream.started, let finalOut { finalOut.pointee = handle(ResponseBox(stream.response)) }
    return status
}

@c @implementation
public func kimi_chat_stream_open(_ client: OpaquePointer?, _ req: OpaquePointer?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return call(#function) { () throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        let stream = try client.streamChat(request)
        try stream.start()
        out.pointee = handle(StreamBox(stream))
    }
}

@c @implementation
public func kimi_stream_next(_ stream: OpaquePointer?, _ eventOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    eventOut?.pointee = nil
    return call(#function) { () throws(KimiError) in
        guard let eventOut else { throw .invalidArgument("event_out must not be NULL") }
        let box = try require(stream, "stream", as: StreamBox.self)
        if try box.stream.next() != nil { eventOut.pointee = box.eventHandle }
    }
}

@c @implementation
public func kimi_stream_cancel(_ stream: OpaquePointer?) { object(stream, as: StreamBox.self)?.stream.cancel() }

@c @implementation
public func kimi_stream_response(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    return call(#function) { () throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        let box = try require(stream, "stream", as: StreamBox.self)
        guard box.stream.isFinished else {
            throw .invalidArgument("the stream is still running: read it until kimi_stream_next gives NULL or fails, or call kimi_stream_cancel")
        }
        out.pointee = handle(ResponseBox(box.stream.response))
    }
}

@c @implementation
public func kimi_stream_free(_ stream: OpaquePointer?) {
    object(stream, as: StreamBox.self)?.stream.cancel()
    release(stream, as: StreamBox.self)
}

// MARK: - Event accessors

private func event(_ pointer: OpaquePointer?) -> (ChatStream, StreamEvent)? {
    guard let stream = object(pointer, as: StreamBox.self)?.stream, stream.hasCurrent else { return nil }
    return (stream, stream.current)
}

@c @implementation
public func kimi_stream_event_type(_ ev: OpaquePointer?) -> Int32 { event(ev)?.1.type.rawValue ?? 0 }

@c @implementation
public func kimi_stream_event_text(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let (stream, current) = event(ev) else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    let text = stream.text(of: current)
    lengthOut?.pointee = text.count
    guard let base = text.baseAddress else { return emptyCString }
    return UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func kimi_stream_event_choice_index(_ ev: OpaquePointer?) -> Int32 { Int32(event(ev)?.1.choiceIndex ?? -1) }

@c @implementation
public func kimi_stream_event_tool_call_index(_ ev: OpaquePointer?) -> Int32 { Int32(event(ev)?.1.toolCallIndex ?? -1) }

@c @implementation
public func kimi_stream_event_tool_call_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (stream, current) = event(ev) else { return emptyCString }
    return borrowed(stream.toolCall(of: current)?.id)
}

@c @implementation
public func kimi_stream_event_tool_call_name(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (stream, current) = event(ev) else { return emptyCString }
    return borrowed(stream.toolCall(of: current)?.name)
}

@c @implementation
public func kimi_stream_event_finish_reason(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (stream, current) = event(ev) else { return emptyCString }
    return borrowed(stream.finishReason(of: current))
}

@c @implementation
public func kimi_stream_event_json(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let (stream, _) = event(ev), let base = stream.rawChunk.baseAddress else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    lengthOut?.pointee = stream.rawChunk.count
    return UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
}

private func eventUsage(_ ev: OpaquePointer?) -> Usage? {
    guard let (_, current) = event(ev), current.type == .usage else { return nil }
    return current.usage
}

@c @implementation
public func kimi_stream_event_prompt_tokens(_ ev: OpaquePointer?) -> Int64 { eventUsage(ev)?.promptTokens ?? -1 }

@c @implementation
public func kimi_stream_event_completion_tokens(_ ev: OpaquePointer?) -> Int64 { eventUsage(ev)?.completionTokens ?? -1 }

@c @implementation
public func kimi_stream_event_total_tokens(_ ev: OpaquePointer?) -> Int64 { eventUsage(ev)?.totalTokens ?? -1 }

@c @implementation
public func kimi_stream_event_cached_tokens(_ ev: OpaquePointer?) -> Int64 { eventUsage(ev)?.cachedTokens ?? -1 }

@c @implementation
public func kimi_stream_event_last_in_chunk(_ ev: OpaquePointer?) -> Int32 {
    guard let stream = object(ev, as: StreamBox.self)?.stream, stream.hasCurrent else { return 0 }
    return stream.currentIsLastInChunk ? 1 : 0
}

@c @implementation
public func kimi_stream_event_completion_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(ev, as: StreamBox.self)?.stream.response.id)
}

@c @implementation
public func kimi_stream_event_model(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(ev, as: StreamBox.self)?.stream.response.model)
}

@c @implementation
public func kimi_stream_event_created(_ ev: OpaquePointer?) -> Int64 {
    object(ev, as: StreamBox.self)?.stream.response.created ?? 0
}
