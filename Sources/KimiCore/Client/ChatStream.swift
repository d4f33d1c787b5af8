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
    private let http: HTTPRequest
    private var exchange: Exchange
    private let decoder: StreamDecoder
    private var cursor = 0
    private let prefill: String?
    public private(set) var isFinished = false
    /// True once the server started a 2xx event stream; from then on
    /// `response` holds what arrived, whatever happens later.
    public private(set) var started = false

    init(client: Client, request: ChatRequest) throws(KimiError) {
        self.client = client
        prefill = request.prefill
        do throws(KimiError) {
            let body = try client.prepareBody(request, for: .stream)
            http = HTTPRequest(method: .post, url: client.chatURL, headers: client.config.streamHeaders,
                               body: body, streaming: true, cancel: request.cancelToken)
            exchange = try Exchange(http, config: client.config, pool: client.pool)
        } catch {
            throw client.redacted(error)
        }
        decoder = StreamDecoder(maxEventBytes: client.config.maxEventBytes)
    }

    deinit { exchange.close() }

    /// The response accumulated so far (all of it once the stream is done).
    public var response: ChatResponse { decoder.response }

    /// The event `next()` returned last; check `hasCurrent` first.
    public var current: StreamEvent { decoder.event(cursor) }
    public var hasCurrent: Bool { cursor < decoder.eventCount }
    /// True when the current event is the last its chunk made.
    public var currentIsLastInChunk: Bool { cursor == decoder.eventCount - 1 }
    /// The data of the event-stream message the current events came from.
    public var rawChunk: UnsafeBufferPointer<UInt8> { decoder.rawChunk }

    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { decoder.text(of: event) }
    public func toolCall(of event: StreamEvent) -> ResponseToolCall? { decoder.toolCall(of: event) }
    public func finishReason(of event: StreamEvent) -> TextBuffer? { decoder.finishReason(of: event) }

    /// The next event, or nil after the `.done` event.
    public func next() throws(KimiError) -> StreamEvent? {
        if cursor + 1 < decoder.eventCount {
            cursor += 1
            return decoder.event(cursor)
        }
        guard !isFinished else { return nil }
        if decoder.sawDone {
            finish()
            return nil
        }
        do throws(KimiError) {
            while true {
                try awaitEventStream()
                if try decoder.decodeNext(exchange.transfer.inbound) {
                    // A message without events (a keep-alive chunk) just moves on.
                    if decoder.eventCount == 0 { continue }
                    cursor = 0
                    return decoder.event(0)
                }
                if exchange.isFinished { throw endOfInput() }
                decoder.compact(exchange.transfer.inbound)
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
        do throws(KimiError) {
            try awaitEventStream()
        } catch {
            finish()
            throw client.redacted(error)
        }
    }

    /// Stops the transfer now (the caller is done reading).
    public func cancel() { finish() }

    private func finish() {
        guard !isFinished else { return }
        isFinished = true
        response.completePartial(prefix: prefill)
        if decoder.sawDone { exchange.finishIfReady() }
        exchange.close()
    }

    /// Waits for the response headers, retrying what the retry policy
    /// allows until a 2xx event stream starts (never after: its events may
    /// already have been delivered).
    private func awaitEventStream() throws(KimiError) {
        if started { return }
        exchange = try client.retrying(http, firstAttempt: exchange) { exchange throws(KimiError) in
            try openEventStream(exchange)
            return exchange
        }
        started = true
    }

    /// Sends the request and reads the response headers. A non-2xx answer,
    /// or a 2xx answer that is not an event stream, is read whole and
    /// reported like the non-streamed call would.
    private func openEventStream(_ exchange: Exchange) throws(KimiError) {
        let transfer = exchange.transfer
        while transfer.mode == .pending && !exchange.isFinished { try exchange.step() }
        if transfer.mode == .stream { return }
        try exchange.runToCompletion()
        if let error = exchange.transportError() { throw error }
        guard transfer.isSuccess else { throw client.httpError(transfer) }
        if case .success(let root) = JSONValue.parse(transfer.body),
           let error = ErrorDecoder.apiError(in: root, httpStatus: transfer.status) {
            throw error
        }
        throw KimiError(.parse, "expected an event stream (text/event-stream), got \(transfer.contentType.isEmpty ? "no content type" : transfer.contentType) from \(transfer.request.label)")
    }

    /// The error for a transfer that ended without `[DONE]`.
    private func endOfInput() -> KimiError {
        let finishNote = response.choices.contains { !$0.finishReason.isEmpty }
            ? " (a finish_reason was seen, but only [DONE] completes a stream)" : ""
        if let error = exchange.transportError() {
            if error.status == .tooLarge { return error }
            return KimiError(.incomplete, "the stream broke before data: [DONE]\(finishNote): \(error.message)")
        }
        return KimiError(.incomplete, "the stream ended before data: [DONE]\(finishNote) (\(exchange.transfer.request.label))")
    }
}

extension Client {
    /// Starts a streamed chat completion; read it with `next()`.
    public func streamChat(_ request: ChatRequest) throws(KimiError) -> ChatStream {
        try ChatStream(client: self, request: request)
    }
}
