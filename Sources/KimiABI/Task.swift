import CKimiHeader
import KimiCore

/// A task handle. Its pointer is also the `kimi_stream_event *` the task's
/// callbacks receive.
final class TaskBox: EventSource {
    let task: KimiCore.Task
    init(_ task: KimiCore.Task) {
        self.task = task
        super.init(reader: task.events)
    }
}

/// Where a starting task's events go, as C gave it.
enum Sink {
    case callback(kimi_stream_cb?)
    case queue(OpaquePointer?)

    /// A queue when one is given, else the callback (which may be NULL:
    /// no events); both is a mistake.
    init(queue: OpaquePointer?, callback: kimi_stream_cb?) throws(KimiError) {
        if queue != nil { _ = try require(queue, "queue", as: QueueBox.self) }
        if queue != nil && callback != nil {
            throw .invalidArgument("queue and on_event: give one of them (or neither), not both")
        }
        self = queue != nil ? .queue(queue) : .callback(callback)
    }
}

/// Makes the task and its handle, then starts it. A callback gets the
/// task's own handle as its event pointer, which outlives every callback
/// (kimi_task_free waits for a running one); a queue gets copies.
func startTask(_ function: StaticString, _ client: OpaquePointer?, _ sink: () throws(KimiError) -> Sink,
               _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
               _ make: (Client) throws(KimiError) -> KimiCore.Task) -> Int32 {
    callStoring(function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let delivery: (UInt) -> KimiCore.Task.Delivery
        switch try sink() {
        case .callback(let callback):
            delivery = { address in
                guard let callback else { return .none }
                let data = userData.map { UInt(bitPattern: $0) }
                return .callback { _ in
                    callback(OpaquePointer(bitPattern: address), data.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }) == 0
                }
            }
        case .queue(let queue):
            let box = try require(queue, "queue", as: QueueBox.self)
            delivery = { _ in .queue(box.queue) }
        }
        let task = try make(client)
        let pointer = handle(TaskBox(task))
        let address = UInt(bitPattern: pointer)
        do throws(KimiError) {
            try task.start(delivery(address), tags: (address, userData.map { UInt(bitPattern: $0) } ?? 0))
        } catch {
            release(pointer, as: TaskBox.self)
            throw error
        }
        return pointer
    }
}

/// `startTask` for a chat request.
private func startChatTask(_ function: StaticString, _ client: OpaquePointer?, _ req: OpaquePointer?, _ sink: Sink,
                           _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                           _ make: (Client, ChatRequest) throws(KimiError) -> KimiCore.Task) -> Int32 {
    startTask(function, client, { () throws(KimiError) in sink }, userData, out) { client throws(KimiError) in
        try make(client, try require(req, "req", as: RequestBox.self).request)
    }
}

@c @implementation
public func kimi_chat_stream_start(_ client: OpaquePointer?, _ req: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                                   _ userData: UnsafeMutableRawPointer?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    startChatTask(#function, client, req, .callback(onEvent), userData, out) { client, request throws(KimiError) in
        try client.chat.streamTask(request)
    }
}

@c @implementation
public func kimi_chat_create_start(_ client: OpaquePointer?, _ req: OpaquePointer?, _ onEnd: kimi_stream_cb?,
                                   _ userData: UnsafeMutableRawPointer?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    startChatTask(#function, client, req, .callback(onEnd), userData, out) { client, request throws(KimiError) in
        try client.chat.createTask(request)
    }
}

@c @implementation
public func kimi_chat_stream_start_queued(_ client: OpaquePointer?, _ req: OpaquePointer?, _ queue: OpaquePointer?,
                                          _ userData: UnsafeMutableRawPointer?,
                                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    startChatTask(#function, client, req, .queue(queue), userData, out) { client, request throws(KimiError) in
        try client.chat.streamTask(request)
    }
}

@c @implementation
public func kimi_chat_create_start_queued(_ client: OpaquePointer?, _ req: OpaquePointer?, _ queue: OpaquePointer?,
                                          _ userData: UnsafeMutableRawPointer?,
                                          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    startChatTask(#function, client, req, .queue(queue), userData, out) { client, request throws(KimiError) in
        try client.chat.createTask(request)
    }
}

/// The task's failure as the calling thread's last error, or OK.
private func outcome(_ function: StaticString, _ task: KimiCore.Task, _ status: Status) -> Int32 {
    guard status != .ok else { return call(function) {} }
    return fail(function, task.error ?? KimiError(status, "the task failed"))
}

@c @implementation
public func kimi_task_wait(_ task: OpaquePointer?, _ timeoutMs: Int64) -> Int32 {
    var found: KimiCore.Task?
    let checked = call(#function) { () throws(KimiError) in
        let task = try require(task, "task", as: TaskBox.self).task
        if timeoutMs != 0, task.status == nil, task.isOnLoopThread {
            throw .invalidArgument("a task callback cannot wait for a task of the same client (it runs on the loop that would finish it); use timeout_ms 0")
        }
        found = task
    }
    guard let task = found else { return checked }
    guard let status = task.wait(timeoutMs: timeoutMs) else {
        return fail(#function, KimiError(.pending, "the task is still running after \(timeoutMs) ms"))
    }
    return outcome(#function, task, status)
}

@c @implementation
public func kimi_task_cancel(_ task: OpaquePointer?) { object(task, as: TaskBox.self)?.task.cancel() }

@c @implementation
public func kimi_task_status(_ task: OpaquePointer?) -> Int32 {
    // Not through call(): a task's status must not clear the last error.
    do throws(KimiError) {
        return (try require(task, "task", as: TaskBox.self).task.status ?? .pending).rawValue
    } catch {
        return fail(#function, error)
    }
}

@c @implementation
public func kimi_task_response(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    out?.pointee = nil
    var found: KimiCore.Task?
    let checked = call(#function) { () throws(KimiError) in
        guard out != nil else { throw .invalidArgument("out must not be NULL") }
        found = try require(task, "task", as: TaskBox.self).task
    }
    guard let task = found, let out else { return checked }
    guard let status = task.status else {
        return fail(#function, KimiError(.pending, "the task is still running"))
    }
    if let response = task.response {
        out.pointee = handle(ResponseBox(response))
        return call(#function) {}
    }
    return outcome(#function, task, status)
}

@c @implementation
public func kimi_task_head(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let task = try require(task, "task", as: TaskBox.self).task
        guard let head = task.responseHead else { throw KimiError(.pending, "the task's answer has not started") }
        return handle(ResponseBox(ChatResponse(metadataOnly: head)))
    }
}

@c @implementation
public func kimi_task_free(_ task: OpaquePointer?) {
    guard let box = object(task, as: TaskBox.self) else { return }
    box.task.detach()
    release(task, as: TaskBox.self)
}
