import CKimiHeader
import KimiCore

/// A stream handle. The event pointer C sees is this same object: the
/// accessors read the stream's current event.
final class StreamBox: EventSource {
    let stream: ChatStream
    init(_ stream: ChatStream) {
        self.stream = stream
        super.init(reader: stream.events)
    }

    /// How the stream is read: event by event or as records, never both
    /// (a record takes a whole message, which `kimi_stream_next` hands out
    /// one event at a time). Only the reading thread touches it.
    enum Reading { case unread, events, records(StreamRecords) }
    private var mode = Reading.unread

    /// The stream's records reader; an error once it is read event by event.
    func records() throws(KimiError) -> StreamRecords {
        switch mode {
        case .records(let records): return records
        case .unread:
            let records = StreamRecords(stream)
            mode = .records(records)
            return records
        case .events:
            throw .invalidArgument("stream: it is read with kimi_stream_next; read a stream one way, events or records")
        }
    }

    /// Notes a read event by event; an error once it is read as records.
    func readingEvents() throws(KimiError) {
        switch mode {
        case .records: throw .invalidArgument("stream: it is read with kimi_stream_read_records; read a stream one way, events or records")
        case .unread, .events: mode = .events
        }
    }
}

@c @implementation
public func kimi_chat_stream(_ client: OpaquePointer?, _ req: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                             _ userData: UnsafeMutableRawPointer?, _ finalOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    finalOut?.pointee = nil
    var stream: ChatStream?
    let status = call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        let opened = try client.chat.stream(request)
        stream = opened
        let box = StreamBox(opened)
        let event = box.eventHandle
        let completed = try opened.forEach { onEvent.map { $0(event, userData) == 0 } ?? true }
        if !completed {
            opened.cancel()
            throw KimiError(.aborted, "the stream callback returned non-zero")
        }
    }
    if let stream, stream.started, let finalOut { finalOut.pointee = handle(ResponseBox(stream.response)) }
    return status
}

@c @implementation
public func kimi_chat_stream_open(_ client: OpaquePointer?, _ req: OpaquePointer?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let request = try require(req, "req", as: RequestBox.self).request
        let stream = try client.chat.stream(request)
        try stream.start()
        return handle(StreamBox(stream))
    }
}

@c @implementation
public func kimi_stream_next(_ stream: OpaquePointer?, _ eventOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    eventOut?.pointee = nil
    return call(#function) { () throws(KimiError) in
        guard let eventOut else { throw .invalidArgument("event_out must not be NULL") }
        let box = try require(stream, "stream", as: StreamBox.self)
        try box.readingEvents()
        if try box.stream.next() != nil { eventOut.pointee = box.eventHandle }
    }
}

@c @implementation
public func kimi_stream_cancel(_ stream: OpaquePointer?) { object(stream, as: StreamBox.self)?.stream.cancel() }

@c @implementation
public func kimi_stream_response(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let box = try require(stream, "stream", as: StreamBox.self)
        guard box.stream.isFinished else {
            throw .invalidArgument("the stream is still running: read it until kimi_stream_next gives NULL or fails, or call kimi_stream_cancel")
        }
        return handle(ResponseBox(box.stream.response))
    }
}

@c @implementation
public func kimi_stream_head(_ stream: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let box = try require(stream, "stream", as: StreamBox.self)
        guard let head = box.stream.head else { throw KimiError(.pending, "the stream's answer has not started") }
        return handle(ResponseBox(ChatResponse(metadataOnly: head)))
    }
}

@c @implementation
public func kimi_stream_free(_ stream: OpaquePointer?) {
    guard let box = object(stream, as: StreamBox.self) else { return }
    // A reader blocked in kimi_stream_next on another thread returns first.
    box.stream.cancel()
    box.stream.waitUntilIdle()
    release(stream, as: StreamBox.self)
}
