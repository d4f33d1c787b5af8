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
    private let exchange: Exchange
    private var decoder: SSEDecoder
    private let accumulator = StreamAccumulator()
    private var chunk = Chunk()
    private var cursor = 0
    private var sawDone = false
    public private(set) var isFinished = false
    /// True once the server started a 2xx event stream; from then on
    /// `response` holds what arrived, whatever happens later.
    public private(set) var started = false
    /// The data of the event-stream message the current events came from.
    public private(set) var rawChunk = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    init(client: Client, request: ChatRequest) throws(KimiError) {
        self.client = client
        let body = RequestEncoder.encode(request, for: .stream)
        let http = HTTPRequest(method: .post, url: client.chatURL, headers: client.config.streamHeaders,
                               body: body, streaming: true, cancel: request.cancelToken)
        do {
            exchange = try Exchange(http, config: client.config, pool: client.pool)
        } catch {
            throw client.redacted(error)
        }
        decoder = SSEDecoder(maxEventBytes: client.config.maxEventBytes)
    }

    deinit { exchange.close() }

    /// The response accumulated so far (all of it once the stream is done).
    public var response: ChatResponse { accumulator.response }

    /// The event `next()` returned last; check `hasCurrent` first.
    public var current: StreamEvent { accumulator.events[cursor] }
    public var hasCurrent: Bool { cursor < accumulator.eventCount }

    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { accumulator.text(of: event) }
    public func toolCall(of event: StreamEvent) -> ResponseToolCall? { accumulator.toolCall(of: event) }
    public func finishReason(of event: StreamEvent) -> TextBuffer? { accumulator.finishReason(of: event) }

    /// The next event, or nil after the `.done` event.
    public func next() throws(KimiError) -> StreamEvent? {
        if cursor + 1 < accumulator.eventCount {
            cursor += 1
            return accumulator.events[cursor]
        }
        guard !isFinished else { return nil }
        if sawDone {
            finish()
            return nil
        }
        do throws(KimiError) {
            while true {
                try awaitEventStream()
                if try decodeNextMessage() {
                    // A message without events (a keep-alive chunk) just moves on.
                    if accumulator.eventCount == 0 { continue }
                    cursor = 0
                    return accumulator.events[0]
                }
                if exchange.isFinished { throw endOfInput() }
                decoder.compact(exchange.transfer.inbound)
                try exchange.step()
            }
        } catch {
            finish()
            var error = client.redacted(error)
            if error.httpStatus == 0 { error.httpStatus = exchange.transfer.status }
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
        if sawDone { exchange.finishIfReady() }
        exchange.close()
    }

    /// Waits for the response headers. A non-2xx answer, or a 2xx answer
    /// that is not an event stream, is read whole and reported like the
    /// non-streamed call would: never by sending the request again.
    private func awaitEventStream() throws(KimiError) {
        if started { return }
        let transfer = exchange.transfer
        while transfer.mode == .pending && !exchange.isFinished { try exchange.step() }
        if transfer.mode == .stream {
            started = true
            return
        }
        try exchange.runToCompletion()
        if let error = exchange.transportError() { throw error }
        guard transfer.isSuccess else { throw client.httpError(transfer) }
        if case .success(let root) = JSONValue.parse(transfer.body),
           let error = ErrorDecoder.apiError(in: root, httpStatus: transfer.status) {
            throw error
        }
        throw KimiError(.parse, "expected an event stream (text/event-stream), got \(transfer.contentType.isEmpty ? "no content type" : transfer.contentType) from \(transfer.request.label)")
    }

    /// Decodes one event-stream message, if a whole one has arrived.
    /// Returns false when more input is needed.
    private func decodeNextMessage() throws(KimiError) -> Bool {
        let message: SSEEvent?
        do {
            message = try decoder.next(in: exchange.transfer.inbound)
        } catch {
            throw KimiError(.tooLarge, "an event-stream line is over the \(decoder.maxEventBytes)-byte limit (kimi_client_options_set_max_event_bytes)")
        }
        guard let message else { return false }
        accumulator.beginChunk()
        switch message.kind {
        case .error: throw streamError(message)
        case .other: return true // events of other types are not chat chunks
        case .message: break
        }
        rawChunk = message.data
        if message.isDone {
            sawDone = true
            accumulator.finishStream()
            return true
        }
        guard let base = message.data.baseAddress, message.data.count > 0 else {
            throw KimiError(.parse, "empty data: payload at stream byte \(message.streamOffset)")
        }
        var scanner = JSONScanner(base, count: message.data.count)
        do {
            try ChunkDecoder.scan(&scanner, into: &chunk)
        } catch {
            throw KimiError(.parse, "data: payload at stream byte \(message.streamOffset + error.offset) is not a valid chunk: \(error.reason)")
        }
        if chunk.hasError { throw streamError(message) }
        accumulator.apply(chunk, scanner)
        return true
    }

    /// The `.api` error an `event: error` or a `{"error": ...}` payload carries.
    private func streamError(_ message: SSEEvent) -> KimiError {
        let text = String(decoding: message.data, as: UTF8.self)
        if case .success(let root) = JSONValue.parse(text) {
            if let error = ErrorDecoder.apiError(in: root, httpStatus: 0) { return error }
            if root.isObject, let wrapped = JSONValue.object([("error", root)]),
               let error = ErrorDecoder.apiError(in: wrapped, httpStatus: 0) {
                return error
            }
        }
        var error = KimiError(.api, "error event in stream: \(ErrorDecoder.oneLine(text))")
        error.body = text
        return error
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
