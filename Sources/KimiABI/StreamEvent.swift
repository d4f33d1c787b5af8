import CKimiHeader
import KimiCore

/// A handle whose pointer C also holds as a `kimi_stream_event *`: the
/// event accessors read its current event. Streams (kimi_stream, and the
/// callbacks of kimi_chat_stream), tasks and event queues are event sources.
protocol EventSource: AnyObject {
    var reader: EventReading { get }
}

extension EventSource {
    /// The `kimi_stream_event *` for the current event (not retained).
    var eventHandle: OpaquePointer { borrowedHandle(self) }
}

/// The reader behind an event pointer, when it has a current event.
private func event(_ pointer: OpaquePointer?) -> (EventReading, StreamEvent)? {
    guard let pointer,
          let source = Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue() as? EventSource,
          let current = source.reader.currentEvent else { return nil }
    return (source.reader, current)
}

/// A NUL-terminated byte view as a C string, its length stored.
private func cText(_ bytes: UnsafeBufferPointer<UInt8>, _ lengthOut: UnsafeMutablePointer<Int>? = nil) -> UnsafePointer<CChar> {
    lengthOut?.pointee = bytes.count
    guard let base = bytes.baseAddress else { return emptyCString }
    return UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func kimi_stream_event_type(_ ev: OpaquePointer?) -> Int32 { event(ev)?.1.type.rawValue ?? 0 }

@c @implementation
public func kimi_stream_event_text(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let (reader, current) = event(ev) else { return cText(.emptyText, lengthOut) }
    return cText(reader.text(of: current), lengthOut)
}

@c @implementation
public func kimi_stream_event_choice_index(_ ev: OpaquePointer?) -> Int32 { Int32(event(ev)?.1.choiceIndex ?? -1) }

@c @implementation
public func kimi_stream_event_tool_call_index(_ ev: OpaquePointer?) -> Int32 { Int32(event(ev)?.1.toolCallIndex ?? -1) }

@c @implementation
public func kimi_stream_event_tool_call_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (reader, current) = event(ev) else { return emptyCString }
    return cText(reader.toolCallID(of: current))
}

@c @implementation
public func kimi_stream_event_tool_call_name(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (reader, current) = event(ev) else { return emptyCString }
    return cText(reader.toolCallName(of: current))
}

@c @implementation
public func kimi_stream_event_finish_reason(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    guard let (reader, current) = event(ev) else { return emptyCString }
    return cText(reader.finishReasonText(of: current))
}

@c @implementation
public func kimi_stream_event_json(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    guard let (reader, current) = event(ev), current.type != .end else { return cText(.emptyText, lengthOut) }
    return cText(reader.rawChunk, lengthOut)
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
    (event(ev)?.0.currentIsLastInChunk ?? false) ? 1 : 0
}

@c @implementation
public func kimi_stream_event_read(_ ev: OpaquePointer?, _ textOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                   _ lengthOut: UnsafeMutablePointer<Int>?, _ choiceOut: UnsafeMutablePointer<Int32>?,
                                   _ toolCallOut: UnsafeMutablePointer<Int32>?, _ lastOut: UnsafeMutablePointer<Int32>?) -> Int32 {
    guard let (reader, current) = event(ev) else {
        textOut?.pointee = emptyCString
        lengthOut?.pointee = 0
        choiceOut?.pointee = -1
        toolCallOut?.pointee = -1
        lastOut?.pointee = 0
        return 0
    }
    textOut?.pointee = cText(reader.text(of: current), lengthOut)
    choiceOut?.pointee = Int32(current.choiceIndex)
    toolCallOut?.pointee = Int32(current.toolCallIndex)
    lastOut?.pointee = reader.currentIsLastInChunk ? 1 : 0
    return current.type.rawValue
}

@c @implementation
public func kimi_stream_event_completion_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    event(ev).map { cText($0.0.completionID) } ?? emptyCString
}

@c @implementation
public func kimi_stream_event_model(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    event(ev).map { cText($0.0.completionModel) } ?? emptyCString
}

@c @implementation
public func kimi_stream_event_created(_ ev: OpaquePointer?) -> Int64 { event(ev)?.0.completionCreated ?? 0 }

@c @implementation
public func kimi_stream_event_status(_ ev: OpaquePointer?) -> Int32 {
    guard let (_, current) = event(ev), current.type == .end else { return 0 }
    return current.status.rawValue
}
