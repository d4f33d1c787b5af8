import CKimiHeader
import KimiCore

/// A handle whose pointer C also holds as a `kimi_stream_event *`: the
/// event accessors read its cursor's current event. Streams (kimi_stream,
/// and the callbacks of kimi_chat_stream) and tasks are event sources.
protocol EventSource: AnyObject {
    var events: EventCursor { get }
}

extension EventSource {
    /// The `kimi_stream_event *` for the current event (not retained).
    var eventHandle: OpaquePointer { borrowedHandle(self) }
}

/// The cursor behind an event pointer, when it has a current event.
private func cursor(_ pointer: OpaquePointer?) -> EventCursor? {
    guard let pointer,
          let source = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue() as? EventSource,
          source.events.hasCurrent else { return nil }
    return source.events
}

private func event(_ pointer: OpaquePointer?) -> (EventCursor, StreamEvent)? {
    guard let events = cursor(pointer) else { return nil }
    return (events, events.current)
}

@c @implementation
public func kimi_stream_event_type(_ ev: OpaquePointer?) -> Int32 { event(ev)?.1.type.rawValue ?? 0 }

@c @implementation
public func kimi_stream_event_text(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let (events, current) = event(ev) else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    let text = events.text(of: current)
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
    guard let (events, current) = event(ev) else { return emptyCString }
    return borrowed(events.toolCall(of: current)?.id)
}

@c @implementation
public func kimi_stream_event_tool_call_name(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (events, current) = event(ev) else { return emptyCString }
    return borrowed(events.toolCall(of: current)?.name)
}

@c @implementation
public func kimi_stream_event_finish_reason(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (events, current) = event(ev) else { return emptyCString }
    return borrowed(events.finishReason(of: current))
}

@c @implementation
public func kimi_stream_event_json(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let events = cursor(ev), let base = events.rawChunk.baseAddress else {
        lengthOut?.pointee = 0
        return emptyCString
    }
    lengthOut?.pointee = events.rawChunk.count
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
    (cursor(ev)?.currentIsLastInChunk ?? false) ? 1 : 0
}

@c @implementation
public func kimi_stream_event_read(_ ev: OpaquePointer?, _ textOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                   _ lengthOut: UnsafeMutablePointer<Int>?, _ choiceOut: UnsafeMutablePointer<Int32>?,
                                   _ toolCallOut: UnsafeMutablePointer<Int32>?, _ lastOut: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let events = cursor(ev) else {
        textOut?.pointee = emptyCString
        lengthOut?.pointee = 0
        choiceOut?.pointee = -1
        toolCallOut?.pointee = -1
        lastOut?.pointee = 0
        return 0
    }
    let current = events.current
    let text = events.text(of: current)
    textOut?.pointee = text.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? emptyCString
    lengthOut?.pointee = text.count
    choiceOut?.pointee = Int32(current.choiceIndex)
    toolCallOut?.pointee = Int32(current.toolCallIndex)
    lastOut?.pointee = events.currentIsLastInChunk ? 1 : 0
    return current.type.rawValue
}

@c @implementation
public func kimi_stream_event_completion_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(cursor(ev)?.response.id)
}

@c @implementation
public func kimi_stream_event_model(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(cursor(ev)?.response.model)
}

@c @implementation
public func kimi_stream_event_created(_ ev: OpaquePointer?) -> Int64 { cursor(ev)?.response.created ?? 0 }

@c @implementation
public func kimi_stream_event_status(_ ev: OpaquePointer?) -> Int32 {
    guard let (_, current) = event(ev), current.type == .end else { return 0 }
    return current.status.rawValue
}
