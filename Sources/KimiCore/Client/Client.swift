/// A connection to the Kimi API. Immutable after creation and safe to share
/// between threads: calls take a pooled session (with its warm connection)
/// and return it when done.
public final class Client: @unchecked Sendable {
    public let config: ClientConfig
    let pool = SessionPool()
    let chatURL: String

    public init(options: ClientOptions = ClientOptions()) throws(KimiError) {
        config = try ClientConfig(options)
        chatURL = config.baseURL + "/chat/completions"
    }

    /// Sends a chat completion request and decodes the whole answer.
    public func createChat(_ request: ChatRequest) throws(KimiError) -> ChatResponse {
        let body = try prepareBody(request, for: .create)
        let transfer = try perform(HTTPRequest(method: .post, url: chatURL, headers: config.jsonHeaders,
                                               body: body, cancel: request.cancelToken))
        return try ResponseDecoder.decode(transfer.body)
    }

    /// Runs one request to its end and returns the transfer of a 2xx answer;
    /// anything else becomes the matching error.
    func perform(_ request: HTTPRequest) throws(KimiError) -> Transfer {
        do throws(KimiError) {
            let exchange = try Exchange(request, config: config, pool: pool)
            defer { exchange.close() }
            try exchange.runToCompletion()
            if let error = exchange.transportError() { throw error }
            let transfer = exchange.transfer
            guard transfer.isSuccess else { throw httpError(transfer) }
            return transfer
        } catch {
            throw redacted(error)
        }
    }

    func httpError(_ transfer: Transfer) -> KimiError {
        ErrorDecoder.httpError(status: transfer.status, body: transfer.body, requestID: transfer.requestID,
                               retryAfterMs: transfer.retryAfterMs, label: transfer.request.label)
    }

    /// Removes the API key from every text an error carries.
    func redacted(_ error: KimiError) -> KimiError {
        var error = error
        error.message = config.redact(error.message)
        error.body = config.redact(error.body)
        return error
    }
}
