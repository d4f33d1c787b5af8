import CKimiHeader
import KimiCore

/// A handle whose pointer C also holds as a `kimi_stream_event *`: the
/// event accessors read its reader's current event. Streams (kimi_stream,
/// and the callbacks of kimi_chat_stream), tasks and event queues are event
/// sources.
class EventSource {
    /// The stream's or task's cursor, or the queue (which the subclass also
    /// owns). A constant of the handle: the accessors, which run per event
    /// and per field, borrow it from the handle without reference counting
    /// (an unowned reference would be retained for each call through it).
    let reader: EventReading

    init(reader: EventReading) { self.reader = reader }

    /// The `kimi_stream_event *` for the current event (not retained).
    final var eventHandle: OpaquePointer { borrowedHandle(self) }
}

/// Runs `body` with the reader behind an event pointer and its current
/// event; `none` when the pointer is NULL, not an event source or has no
/// current event. Inlined into every accessor and free of reference
/// counting, protocol casts and optional tuples of existentials: the
/// accessors run per event and per field, and those would cost more than
/// the read itself.
@inline(__always)
private func withEvent<R>(_ pointer: OpaquePointer?, or none: R, _ body: (EventReading, StreamEvent) -> R) -> R {
    withReader(pointer, or: none) { reader in
        guard let current = reader.currentEvent else { return none }
        return body(reader, current)
    }
}

/// `withEvent` for the accessors that ask the reader one thing about its
/// current event (whether there is one included).
@inline(__always)
private func withReader<R>(_ pointer: OpaquePointer?, or none: R, _ body: (EventReading) -> R) -> R {
    guard let pointer else { return none }
    // The handle is alive for the call (the caller holds it): no retain.
    return Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer))._withUnsafeGuaranteedRef { object in
        // Checked, then viewed as an event source without taking a reference
        // (a conditional cast would retain the object for its result); the
        // handle classes are compared first, which needs no runtime call.
        let kind = ObjectIdentifier(type(of: object))
        guard kind == ObjectIdentifier(StreamBox.self) || kind == ObjectIdentifier(TaskBox.self)
                || kind == ObjectIdentifier(QueueBox.self) || object is EventSource else {
            return none
        }
        return body(unsafeDowncast(object, to: EventSource.self).reader)
    }
}

/// A NUL-terminated byte view as a C string, its length stored.
private func cText(_ bytes: UnsafeBufferPointer<UInt8>, _ lengthOut: UnsafeMutablePointer<Int>? = nil) -> UnsafePointer<CChar> {
    lengthOut?.pointee = bytes.count
    guard let base = bytes.baseAddress else { return emptyCString }
    return UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
}

@c @implementation
public func kimi_stream_event_type(_ ev: OpaquePointer?) -> Int32 { withReader(ev, or: 0) { $0.currentType } }

@c @implementation
public func kimi_stream_event_text(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    cText(withReader(ev, or: .emptyText) { $0.currentText ?? .emptyText }, lengthOut)
}

@c @implementation
public func kimi_stream_event_choice_index(_ ev: OpaquePointer?) -> Int32 { withEvent(ev, or: -1) { Int32($1.choiceIndex) } }

@c @implementation
public func kimi_stream_event_tool_call_index(_ ev: OpaquePointer?) -> Int32 { withEvent(ev, or: -1) { Int32($1.toolCallIndex) } }

@c @implementation
public func kimi_stream_event_tool_call_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { $0.toolCallID(of: $1) })
}

@c @implementation
public func kimi_stream_event_tool_call_name(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { $0.toolCallName(of: $1) })
}

@c @implementation
public func kimi_stream_event_finish_reason(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { $0.finishReasonText(of: $1) })
}

@c @implementation
public func kimi_stream_event_json(_ ev: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { $1.type == .end ? .emptyText : $0.rawChunk }, lengthOut)
}

private func eventUsage(_ ev: OpaquePointer?) -> Usage? {
    withEvent(ev, or: nil) { $1.type == .usage ? $1.usage : nil }
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
    withEvent(ev, or: 0) { reader, _ in reader.currentIsLastInChunk ? 1 : 0 }
}

@c @implementation
public func kimi_stream_event_read(_ ev: OpaquePointer?, _ textOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                   _ lengthOut: UnsafeMutablePointer<Int>?, _ choiceOut: UnsafeMutablePointer<Int32>?,
                                   _ toolCallOut: UnsafeMutablePointer<Int32>?, _ lastOut: UnsafeMutablePointer<Int32>?) -> Int32 {
    let type = withEvent(ev, or: Int32(0)) { reader, current in
        textOut?.pointee = cText(reader.text(of: current), lengthOut)
        choiceOut?.pointee = Int32(current.choiceIndex)
        toolCallOut?.pointee = Int32(current.toolCallIndex)
        lastOut?.pointee = reader.currentIsLastInChunk ? 1 : 0
        return current.type.rawValue
    }
    if type == 0 {
        textOut?.pointee = cText(.emptyText, lengthOut)
        choiceOut?.pointee = -1
        toolCallOut?.pointee = -1
        lastOut?.pointee = 0
    }
    return type
}

@c @implementation
public func kimi_stream_event_completion_id(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { reader, _ in reader.completionID })
}

@c @implementation
public func kimi_stream_event_model(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { reader, _ in reader.completionModel })
}

@c @implementation
public func kimi_stream_event_created(_ ev: OpaquePointer?) -> Int64 { withEvent(ev, or: 0) { reader, _ in reader.completionCreated } }

@c @implementation
public func kimi_stream_event_status(_ ev: OpaquePointer?) -> Int32 {
    withEvent(ev, or: 0) { $1.type == .end ? $1.status.rawValue : 0 }
}

@c @implementation
public func kimi_stream_event_progress(_ ev: OpaquePointer?, _ doneOut: UnsafeMutablePointer<Int64>?,
                                       _ totalOut: UnsafeMutablePointer<Int64>?) -> Int32 {
    let counts = withEvent(ev, or: (Int64(0), Int64(0), Int32(0))) { _, event in
        event.type == .progress || event.type == .data ? (event.done, event.total, 1) : (0, 0, 0)
    }
    doneOut?.pointee = counts.0
    totalOut?.pointee = counts.1
    return counts.2
}

@c @implementation
public func kimi_stream_event_http_status(_ ev: OpaquePointer?) -> Int32 {
    withEvent(ev, or: 0) { $1.type == .result ? Int32(clamping: $1.httpStatus) : 0 }
}

@c @implementation
public func kimi_stream_event_error(_ ev: OpaquePointer?) -> UnsafePointer<CChar>? {
    cText(withEvent(ev, or: .emptyText) { $1.type == .result ? $0.detail(of: $1) : .emptyText })
}

@c @implementation
public func kimi_stream_event_response(_ ev: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        _ = try require(ev, "event", as: EventSource.self)
        let response = withEvent(ev, or: nil) { reader, event in event.type == .result ? reader.currentAttachment as? ChatResponse : nil }
        guard let response else { throw .invalidArgument("event: not a result line with a response") }
        return handle(ResponseBox(response))
    }
}

@c @implementation
public func kimi_stream_event_batch(_ ev: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        _ = try require(ev, "event", as: EventSource.self)
        let batch = withEvent(ev, or: nil) { reader, event in event.type == .progress ? reader.currentAttachment as? Batch : nil }
        guard let batch else { throw .invalidArgument("event: not a batch's progress") }
        return handle(BatchBox(batch))
    }
}
