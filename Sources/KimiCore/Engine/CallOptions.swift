/// Settings of one call that override the client's: set on a chat request
/// for its calls, or on a client view (`Client.with`) for every call made
/// through it. Unset values (0, -1, empty) inherit; a request's settings go
/// over its view's, which go over the client's.
public struct CallOptions: Sendable {
    /// The whole call, retries and their waits included; 0: inherit.
    public var timeoutMs: UInt32 = 0
    /// Longest silence of an attempt; 0: inherit.
    public var idleTimeoutMs: UInt32 = 0
    /// Retries of a failed attempt; -1: inherit.
    public var maxRetries: Int32 = -1
    /// Headers sent on top of the client's (validated like the client's).
    public var headers: [(name: String, value: String)] = []
    /// Query parameters added to the URL (URL-encoded by libcurl).
    public var query: [(name: String, value: String)] = []
    /// Cancels the call from any thread; nil: inherit.
    public var cancel: CancelToken?

    public init() {}

    /// `more` over these: its set values win, headers and query add up.
    public func overridden(by more: CallOptions) -> CallOptions {
        var merged = self
        if more.timeoutMs != 0 { merged.timeoutMs = more.timeoutMs }
        if more.idleTimeoutMs != 0 { merged.idleTimeoutMs = more.idleTimeoutMs }
        if more.maxRetries >= 0 { merged.maxRetries = more.maxRetries }
        merged.headers += more.headers
        merged.query += more.query
        if let cancel = more.cancel { merged.cancel = cancel }
        return merged
    }

    public mutating func addHeader(name: String, value: String) throws(KimiError) {
        try ClientOptions.validateHeader(name: name, value: value)
        headers.append((name, value))
    }

    public mutating func addQuery(name: String, value: String) throws(KimiError) {
        guard !name.isEmpty else { throw .invalidArgument("name: a query parameter needs a name") }
        query.append((name, value))
    }

    public mutating func setMaxRetries(_ retries: Int32) throws(KimiError) {
        guard retries >= -1, retries <= Int32(RetryPolicy.mostRetries) else {
            throw .invalidArgument("max_retries: \(retries) is not -1 (the client's) or 0 to \(RetryPolicy.mostRetries)")
        }
        maxRetries = retries
    }
}
