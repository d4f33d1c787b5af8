/// A connection to the Kimi API. Immutable after creation and safe to share
/// between threads: calls take a pooled session (with its warm connection)
/// and return it when done.
public final class Client: @unchecked Sendable {
    public let config: ClientConfig
    let pool = SessionPool()
    /// The cap on requests in flight (kimi_client_options_set_max_connections).
    let limit: ConcurrencyLimit
    let chatURL: String
    /// Usage and cost of every response this client produced.
    public let usage: UsageMeter
    private let loopLock = Lock()
    private var loop: EventLoop?

    public init(options: ClientOptions = ClientOptions()) throws(KimiError) {
        config = try ClientConfig(options)
        limit = ConcurrencyLimit(maximum: Int(config.maxConnections))
        chatURL = config.base.endpoint("/chat/completions")
        usage = UsageMeter(pricing: config.pricing)
    }

    /// Sends a chat completion request and decodes the whole answer.
    public func createChat(_ request: ChatRequest) throws(KimiError) -> ChatResponse {
        let transfer = try perform(try createRequest(request))
        let response = try ResponseDecoder.decode(transfer.body)
        response.completePartial(prefix: request.prefill)
        usage.record(response)
        return response
    }

    /// The HTTP request of a non-streamed chat completion.
    func createRequest(_ request: ChatRequest) throws(KimiError) -> HTTPRequest {
        HTTPRequest(method: .post, url: chatURL, headers: config.jsonHeaders,
                    body: try prepareBody(request, for: .create), cancel: request.cancelToken)
    }

    /// The event loop of this client's tasks, if one was started.
    var eventLoop: EventLoop? { loopLock.withLock { loop } }

    /// The event loop, started on first use.
    func loopForTasks() throws(KimiError) -> EventLoop {
        try loopLock.withLock { () throws(KimiError) -> EventLoop in
            if let loop { return loop }
            let started = try EventLoop(client: self)
            loop = started
            return started
        }
    }

    /// Ends the client's tasks (each with `.aborted`) and its event loop.
    /// Blocking calls still work afterwards; a new task starts a new loop.
    public func close() {
        let stopped = loopLock.withLock { () -> EventLoop? in
            defer { loop = nil }
            return loop
        }
        stopped?.stop()
    }

    /// Continues an answer that stopped early (finish_reason "length"): the
    /// answer so far becomes a Partial Mode prefix, and the new response's
    /// `fullContent` is the whole answer.
    public func continueChat(_ request: ChatRequest, after previous: ChatResponse) throws(KimiError) -> ChatResponse {
        var next = request
        try next.setPrefill(previous.fullContent.string, name: nil)
        return try createChat(next)
    }

    /// Runs one request to its end (retrying what the retry policy allows)
    /// and returns the transfer of a 2xx answer; anything else becomes the
    /// matching error.
    func perform(_ request: HTTPRequest) throws(KimiError) -> Transfer {
        try retrying(request) { exchange throws(KimiError) in
            defer { exchange.close() }
            try exchange.runToCompletion()
            if let error = exchange.transportError() { throw error }
            let transfer = exchange.transfer
            guard transfer.isSuccess else { throw httpError(transfer) }
            return transfer
        }
    }

    func httpError(_ transfer: Transfer) -> KimiError {
        var error = ErrorDecoder.httpError(status: transfer.status, body: transfer.body, requestID: transfer.requestID,
                                           retryAfterMs: transfer.retryAfterMs, label: transfer.request.label,
                                           redactor: config.redactor)
        if transfer.abort == .bodyTooLarge {
            error.message += " (the body was cut at the \(transfer.maxBodyBytes)-byte limit)"
        }
        if error.kind == .auth { error.message += regionHint }
        if (300..<400).contains(transfer.status) {
            error.message = "HTTP \(transfer.status) redirect to \(transfer.location.isEmpty ? "(no Location)" : transfer.location) not followed: libkimi never sends the API key to another address; if the API moved, set the base URL to it (\(transfer.request.label))"
        }
        return error
    }

    /// Keys of Kimi's two platforms do not work on each other's endpoints.
    private var regionHint: String {
        let base = config.baseURL.lowercased()
        if base.contains("moonshot.ai") {
            return "; a key from the China platform (platform.kimi.com) only works with https://api.moonshot.cn/v1"
        }
        if base.contains("moonshot.cn") {
            return "; a key from the international platform (platform.kimi.ai) only works with https://api.moonshot.ai/v1"
        }
        return "; check the key, and that it comes from the platform of \(config.baseURL)"
    }

    /// Removes the API key from every text an error carries.
    func redacted(_ error: KimiError) -> KimiError {
        var error = error
        error.message = config.redact(error.message)
        error.body = config.redact(error.body)
        return error
    }
}
