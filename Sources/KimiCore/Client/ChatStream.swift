/// A streamed chat completion, read event by event on the calling thread.
///
/// `next()` decodes events already received and only pumps curl when none
/// is ready, so a caller that stops reading stops the transfer. The events
/// of one chunk share its buffers; an event (and its text) is valid until
/// the next call of `next()`.
///
/// Completion is honest: only `data: [DONE]` ends a stream successfully. A
/// stream that stops before it fails with `.incomplete`, a bad payload with
/// `.parse` (naming the byte offset), an error frame with `.api`; in every
/// case `response` keeps what arrived.
public final class ChatStream {
    private let client: Client
    private var http: HTTPRequest
    private var exchange: Exchange
    /// The events read so far; the C accessors read the current one.
    public let events: EventCursor
    private let prefill: String?
    /// Fired by `cancel`, from any thread: wakes a reader blocked on the
    /// network at once.
    private let stopper = CancelToken()
    /// Guards `reading` and `over`: the reader and a cancelling thread take
    /// turns, so the stream's state is only ever touched by one of them.
    private let turn = Lock()
    private var reading = false
    private var over = false
    /// `finish` ran; touched only by whoever has the turn, published to
    /// `over` when the turn ends.
    private var finished = false
    /// True once the server started a 2xx event stream; from then on
    /// `response` holds what arrived, whatever happens later.
    public private(set) var started = false

    init(client: Client, request: ChatRequest) throws(KimiError) {
        self.client = client
        prefill = request.prefill
        do throws(KimiError) {
            http = try client.streamRequest(request)
            http.stop = stopper
            exchange = try Exchange(http, config: client.config, pool: client.pool, limit: client.limit)
        } catch {
            throw client.redacted(error)
        }
        events = EventCursor(maxEventBytes: client.config.maxEventBytes, maxResponseBytes: client.config.maxBodyBytes)
    }

    deinit { exchange.close() }

    /// The response accumulated so far (all of it once the stream is over).
    public var response: ChatResponse { events.response }

    /// True once the stream ended, failed or was cancelled. Any thread.
    public var isFinished: Bool { turn.withLock { over } }

    /// The next event, or nil after the `.done` event (or once cancelled).
    /// One reader at a time.
    public func next() throws(KimiError) -> StreamEvent? {
        guard beginReading() else { return nil }
        defer { endReading() }
        if events.advance() { return events.current }
        if events.sawDone {
            finish()
            return nil
        }
        do throws(KimiError) {
            while true {
                try awaitEventStream()
                if try events.decode(exchange.transfer.inbound) { return events.current }
                if exchange.isFinished {
                    throw events.endOfInputError(transportError: exchange.transportError(),
                                                 label: exchange.transfer.request.label)
                }
                events.compact(exchange.transfer.inbound)
                try exchange.step()
            }
        } catch {
            finish()
            var error = client.redacted(error)
            if started && error.httpStatus == 0 { error.httpStatus = exchange.transfer.status }
            throw error
        }
    }

    /// Sends the request and waits for the answer's headers, so a refused
    /// request fails here rather than at the first `next()`.
    public func start() throws(KimiError) {
        guard beginReading() else { throw KimiError(.aborted, "the stream was cancelled") }
        defer { endReading() }
        do throws(KimiError) {
            try awaitEventStream()
        } catch {
            finish()
            throw client.redacted(error)
        }
    }

    /// Stops the transfer, from any thread: a reader blocked in `next()`
    /// wakes at once and fails with `.aborted`, keeping what arrived; with
    /// no reader inside, the stream is finished here. Idempotent.
    public func cancel() {
        stopper.cancel()
        turn.withLock {
            guard !reading else { return }
            finish()
            over = true
        }
    }

    /// Waits until no `next()` or `start()` runs (after `cancel`, so the
    /// stream can be freed from another thread).
    public func waitUntilIdle() {
        turn.withLock { while reading { turn.wait(until: nil) } }
    }

    private func beginReading() -> Bool {
        turn.withLock {
            guard !over else { return false }
            reading = true
            return true
        }
    }

    private func endReading() {
        turn.withLock {
            reading = false
            over = finished
            turn.broadcast()
        }
    }

    /// Ends the stream: the response is complete (or partial), usage is
    /// recorded once, the connection goes back to the pool. Called by the
    /// reader, or by `cancel` when no reader is inside.
    private func finish() {
        guard !finished else { return }
        finished = true
        response.completePartial(prefix: prefill)
        if started { client.usage.record(response) }
        if events.sawDone { exchange.finishIfReady() }
        exchange.close()
    }

    /// Waits for the response headers, retrying what the retry policy
    /// allows until a 2xx event stream starts (never after: its events may
    /// already have been delivered).
    private func awaitEventStream() throws(KimiError) {
        if started { return }
        exchange = try client.retrying(http, firstAttempt: exchange) { exchange throws(KimiError) in
            let transfer = exchange.transfer
            while transfer.mode == .pending && !exchange.isFinished { try exchange.step() }
            if transfer.mode == .stream { return exchange }
            // Not an event stream: read it whole and report it.
            try exchange.runToCompletion()
            throw client.streamRefusal(transfer, transportError: exchange.transportError())
        }
        started = true
    }
}

extension Client {
    /// Starts a streamed chat completion; read it with `next()`.
    public func streamChat(_ request: ChatRequest) throws(KimiError) -> ChatStream {
        try ChatStream(client: self, request: request)
    }

    /// The HTTP request of a streamed chat completion.
    func streamRequest(_ request: ChatRequest) throws(KimiError) -> HTTPRequest {
        HTTPRequest(method: .post, url: chatURL, headers: config.streamHeaders,
                    body: try prepareBody(request, for: .stream), streaming: true, cancel: request.cancelToken)
    }

    /// Why a streamed request got no event stream: a transport failure, an
    /// error answer (reported exactly as the non-streamed call reports it),
    /// or a 2xx answer of another type. Never a reason to send it again.
    func streamRefusal(_ transfer: Transfer, transportError: KimiError?) -> KimiError {
        if let transportError { return transportError }
        guard transfer.isSuccess else { return httpError(transfer) }
        if case .success(let root) = JSONValue.parse(transfer.body),
           let error = ErrorDecoder.apiError(in: root, httpStatus: transfer.status) {
            return error
        }
        let type = transfer.contentType.isEmpty ? "no content type" : transfer.contentType
        return KimiError(.parse, "expected an event stream (text/event-stream), got \(type) from \(transfer.request.label)")
    }
}
