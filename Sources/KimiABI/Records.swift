import CKimiHeader
import KimiCore

/// Runs `body` with the caller's buffer as a record writer; `*len_out` gets
/// the bytes written, or, when the first record did not fit, the size it
/// needs (KIMI_E_TOO_LARGE; the record waits for the next call).
private func readRecords(_ function: StaticString, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                         _ lenOut: UnsafeMutablePointer<Int>?, _ body: (inout RecordWriter) throws(KimiError) -> Void) -> Int32 {
    lenOut?.pointee = 0
    return call(function) { () throws(KimiError) in
        guard let lenOut else { throw .invalidArgument("len_out must not be NULL") }
        guard let buffer else { throw .invalidArgument("buffer must not be NULL") }
        guard capacity >= 0 else { throw .invalidArgument("capacity: \(UInt(bitPattern: capacity)) is more than a buffer can hold") }
        var writer = RecordWriter(UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
        try body(&writer)
        lenOut.pointee = writer.written
        guard writer.needed == 0 else {
            lenOut.pointee = writer.needed
            throw KimiError(.tooLarge, "capacity: what comes next needs \(writer.needed) bytes, the buffer holds \(capacity); call again with a buffer at least that large (nothing was taken)")
        }
    }
}

@c @implementation
public func kimi_stream_read_records(_ stream: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                                     _ lenOut: UnsafeMutablePointer<Int>?) -> Int32 {
    readRecords(#function, buffer, capacity, lenOut) { writer throws(KimiError) in
        let box = try require(stream, "stream", as: StreamBox.self)
        try box.records().read(into: &writer)
    }
}

@c @implementation
public func kimi_event_queue_read_records(_ queue: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                                          _ lenOut: UnsafeMutablePointer<Int>?) -> Int32 {
    readRecords(#function, buffer, capacity, lenOut) { writer throws(KimiError) in
        try require(queue, "queue", as: QueueBox.self).queue.takeRecords(into: &writer)
    }
}

@c @implementation
public func kimi_chat_response_read_records(_ resp: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                                            _ lenOut: UnsafeMutablePointer<Int>?) -> Int32 {
    readRecords(#function, buffer, capacity, lenOut) { writer throws(KimiError) in
        let box = try require(resp, "resp", as: ResponseBox.self)
        try box.response.writeRecords(requestID: box.requestIDText.view, into: &writer)
    }
}
