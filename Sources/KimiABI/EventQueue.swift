import CKimiHeader
import KimiCore

/// An event queue handle. Its pointer is also the `kimi_stream_event *`
/// kimi_event_queue_next gives: the accessors read the event taken last.
final class QueueBox: EventSource {
    let queue: EventQueue
    init(_ queue: EventQueue) {
        self.queue = queue
        super.init(reader: queue)
    }
}

@c @implementation
public func kimi_event_queue_new(_ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in handle(QueueBox(try EventQueue())) }
}

@c @implementation
public func kimi_event_queue_free(_ queue: OpaquePointer?) { release(queue, as: QueueBox.self) }

@c @implementation
public func kimi_event_queue_fd(_ queue: OpaquePointer?) -> Int32 {
    object(queue, as: QueueBox.self)?.queue.fileDescriptor ?? -1
}

@c @implementation
public func kimi_event_queue_next(_ queue: OpaquePointer?, _ eventOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    eventOut?.pointee = nil
    return call(#function) { () throws(KimiError) in
        guard let eventOut else { throw .invalidArgument("event_out must not be NULL") }
        let box = try require(queue, "queue", as: QueueBox.self)
        if box.queue.next() != nil { eventOut.pointee = box.eventHandle }
    }
}

@c @implementation
public func kimi_event_queue_read(_ queue: OpaquePointer?, _ eventOut: UnsafeMutablePointer<OpaquePointer?>?,
                                  _ userDataOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                  _ textOut: UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                  _ lengthOut: UnsafeMutablePointer<Int>?, _ choiceOut: UnsafeMutablePointer<Int32>?,
                                  _ toolCallOut: UnsafeMutablePointer<Int32>?,
                                  _ lastOut: UnsafeMutablePointer<Int32>?) -> Int32 {
    eventOut?.pointee = nil
    userDataOut?.pointee = nil
    guard let eventOut, let box = object(queue, as: QueueBox.self), box.queue.next() != nil else {
        _ = kimi_stream_event_read(nil, textOut, lengthOut, choiceOut, toolCallOut, lastOut)
        return 0
    }
    let event = box.eventHandle
    eventOut.pointee = event
    userDataOut?.pointee = kimi_stream_event_user_data(event)
    return kimi_stream_event_read(event, textOut, lengthOut, choiceOut, toolCallOut, lastOut)
}

/// The tags of the taken event's task, when `event` is a queued event.
private func queuedTags(_ event: OpaquePointer?) -> (handle: UInt, user: UInt)? {
    object(event, as: QueueBox.self)?.queue.currentTags
}

@c @implementation
public func kimi_stream_event_task(_ ev: OpaquePointer?) -> OpaquePointer? {
    guard let address = queuedTags(ev)?.handle, address != 0 else { return nil }
    return OpaquePointer(bitPattern: address)
}

@c @implementation
public func kimi_stream_event_user_data(_ ev: OpaquePointer?) -> UnsafeMutableRawPointer? {
    guard let address = queuedTags(ev)?.user, address != 0 else { return nil }
    return UnsafeMutableRawPointer(bitPattern: address)
}
