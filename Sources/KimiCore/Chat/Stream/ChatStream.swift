import Synchronization

/// A streamed chat completion, read event by event on the calling thread.
///
/// `next()` hands the call's sink (the event cursor) what already arrived
/// and only runs the call's scheduler when none of it is ready, so a caller
/// that stops reading stops the transfer. The events of one chunk share its
/// buffers; an event (and its text) is valid until the next call of `next()`.
/// How the stream ended (complete only after `data: [DONE]`, cut, an error
/// frame, a bad payload naming its byte offset) is the call's verdict; in
/// every case `response` keeps what arrived.
public final class ChatStream {
    // The reader and a cancelling thread take turns, so the stream's state is
    // only ever touched by one of them. On the reader's path this costs two
    // sequentially consistent stores and two loads (a Dekker handshake:
    // whichever of the two announces itself first, the other sees it); the
    // lock is only for the rare waits.
    private let chat: Chat
    private let call: Call
    private let run: BlockingRun
    /// The events read so far; the C accessors read the current one.
    public let events: EventCursor
    private let prefill: String?
    /// A reader is inside `next()` or `start()`.
    private let reading = Atomic<Bool>(false)
    /// A cancelling thread is deciding whether to finish the stream itself.
    private let claiming = Atomic<Bool>(false)
    /// The stream is over; no reader starts again.
    private let over = Atomic<Bool>(false)
    /// Threads waiting in `waitUntilIdle` (they take `turn`).
    private let idleWaiters = Atomic<Int>(0)
    private let turn = Lock()
    /// `finish` ran; touched only by whoever has the turn.
    private var finished = false

    init(chat: Chat, request: ChatRequest) throws(KimiError) {
        self.chat = chat
        prefill = request.prefill
        let config = chat.client.config
        events = EventCursor(maxEventBytes: config.maxEventBytes, maxResponseBytes: config.maxBodyBytes, gate: config.gate)
        call = try chat.call(request, sink: events)
        run = try BlockingRun(call, engine: chat.client.engine)
    }

    /// The response accumulated so far (all of it once the stream is over).
    public var response: ChatResponse { events.response }

    /// The answer's metadata (status, headers, request id, first byte) once
    /// its headers came; nil before. Not while another thread reads.
    public var head: ResponseMetadata? { call.isStreaming || call.transfer?.status ?? 0 > 0 ? call.metadata() : nil }

    /// True once a 2xx event stream started: from then on `response` holds
    /// what arrived, whatever happens later.
    public var started: Bool { call.isStreaming }

    /// True once the stream ended, failed or was cancelled. Any thread.
    public var isFinished: Bool { over.load(ordering: .sequentiallyConsistent) }

    /// The next event, or nil after the `.done` event (or once cancelled).
    /// One reader at a time.
    public func next() throws(KimiError) -> StreamEvent? {
        guard beginReading() else { return nil }
        defer { endReading() }
        return try nextEvent() ? events.current : nil
    }

    /// Makes every event current in turn and calls `body` (which reads it
    /// from `events`) until the stream is over, or until `body` returns
    /// false: then it returns false, leaving the stream as it is (cancel it
    /// or read on). Throws as `next()` does. One reader's turn for the whole
    /// loop, where `next()` takes one per event; and no event is copied out.
    public func forEach(_ body: () -> Bool) throws(KimiError) -> Bool {
        guard beginReading() else { return true }
        defer { endReading() }
        while try nextEvent() {
            if !body() { return false }
        }
        return true
    }

    /// Makes the next event current within the reader's turn; false once
    /// the stream is over.
    private func nextEvent() throws(KimiError) -> Bool {
        if events.advance() { return true }
        while true {
            switch call.pull() {
            case .produced:
                return true
            case .waiting:
                run.round()
            case .over:
                finish()
                if let error = call.error { throw error }
                return false
            }
        }
    }

    /// What `nextMessage` found.
    public enum MessageState { case message, notReady, over }

    /// Makes the next message's events current (from its first), reading
    /// the network only when none is ready and `wait` is true: the reader's
    /// alternative to `next()` that takes a message at a time
    /// (`StreamRecords`). `.over` after the `[DONE]` message was taken (or
    /// once cancelled); a failure is thrown once, as `next()` throws it.
    /// One reader at a time.
    public func nextMessage(wait: Bool) throws(KimiError) -> MessageState {
        guard beginReading() else { return .over }
        defer { endReading() }
        while true {
            switch call.pull() {
            case .produced:
                return .message
            case .waiting:
                guard wait else { return .notReady }
                run.round()
            case .over:
                finish()
                if let error = call.error { throw error }
                return .over
            }
        }
    }

    /// Sends the request and waits for the answer's headers, so a refused
    /// request fails here rather than at the first `next()`.
    public func start() throws(KimiError) {
        guard beginReading() else { throw KimiError(.aborted, "the stream was cancelled") }
        defer { endReading() }
        while !call.isFinished && !call.isStreaming { run.round() }
        if call.isFinished && !call.isStreaming {
            finish()
            throw call.error ?? KimiError(.internal, "the stream ended without an answer")
        }
    }

    /// Stops the transfer, from any thread: a reader blocked in `next()`
    /// wakes at once and fails with `.aborted`, keeping what arrived; with
    /// no reader inside, the stream is finished here. Idempotent.
    public func cancel() {
        call.cancel(.stream)
        // Only one canceller decides at a time (cancels are rare: a lock).
        turn.withLock {
            claiming.store(true, ordering: .sequentiallyConsistent)
            if !reading.load(ordering: .sequentiallyConsistent) && !finished {
                run.end(call.cancellation ?? KimiError(.aborted, "the stream was cancelled"))
                finish()
                over.store(true, ordering: .sequentiallyConsistent)
            }
            claiming.store(false, ordering: .sequentiallyConsistent)
            turn.broadcast()
        }
    }

    /// Waits until no `next()` or `start()` runs (after `cancel`, so the
    /// stream can be freed from another thread).
    public func waitUntilIdle() {
        idleWaiters.add(1, ordering: .sequentiallyConsistent)
        turn.withLock { while reading.load(ordering: .sequentiallyConsistent) { turn.wait(until: nil) } }
        idleWaiters.subtract(1, ordering: .sequentiallyConsistent)
    }

    private func beginReading() -> Bool {
        while true {
            reading.store(true, ordering: .sequentiallyConsistent)
            guard claiming.load(ordering: .sequentiallyConsistent) else { break }
            // A canceller is deciding: step back until it is done.
            reading.store(false, ordering: .sequentiallyConsistent)
            turn.withLock { while claiming.load(ordering: .sequentiallyConsistent) { turn.wait(until: nil) } }
        }
        if over.load(ordering: .sequentiallyConsistent) {
            endReading()
            return false
        }
        return true
    }

    private func endReading() {
        if finished { over.store(true, ordering: .sequentiallyConsistent) }
        reading.store(false, ordering: .sequentiallyConsistent)
        if idleWaiters.load(ordering: .sequentiallyConsistent) > 0 { turn.withLock { turn.broadcast() } }
    }

    /// The call is over: its attempt leaves the transport (draining after
    /// `[DONE]`, so the connection is reused), and a stream that started is
    /// finished as every chat response is. Called by the reader, or by
    /// `cancel` when no reader is inside.
    private func finish() {
        guard !finished else { return }
        finished = true
        run.reap()
        if call.isStreaming {
            Chat.finish(response, call: call, prefill: prefill, firstTokenAt: events.firstTokenAt,
                        usage: chat.client.usage)
        }
    }
}
