/// Which failures a client retries and how long it waits first.
///
/// Only failures that a later attempt can fix are retried: an overloaded
/// engine, a rate limit, a 500/502/503/504, and a connection that failed or
/// timed out before any response byte. A quota wall, a bad key, a refused
/// permission, an invalid request or a content filter fails at once, and a
/// stream is never retried once it has started (its events were delivered).
public struct RetryPolicy: Sendable {
    public var maxRetries: UInt32 = 2
    /// First backoff; each retry doubles it, up to `maxDelayMs`.
    public var baseDelayMs: UInt32 = 500
    public var maxDelayMs: UInt32 = 8_000
    /// The longest wait a server may ask for (Retry-After, retry-after-ms or
    /// "try again after N seconds"). A longer ask is not retried: the caller
    /// gets the error and its `retryAfterMs` at once.
    public static let longestServerWaitMs: Int64 = 60_000

    public init() {}

    public enum Decision: Equatable {
        case retry(afterMs: Int64)
        case stop
    }

    /// What to do after `error` ended attempt number `retry` (0 = first).
    public func decide(after error: KimiError, retry: Int) -> Decision {
        guard retry < Int(maxRetries), Self.isRetryable(error) else { return .stop }
        if error.retryAfterMs >= 0 {
            guard error.retryAfterMs <= Self.longestServerWaitMs else { return .stop }
            // A little extra, so clients told the same wait do not return together.
            return .retry(afterMs: error.retryAfterMs + Int64.random(in: 0...(error.retryAfterMs / 10)))
        }
        let exponent = min(retry, 20)
        let full = min(Int64(baseDelayMs) << exponent, Int64(maxDelayMs))
        // "Equal jitter": half the delay fixed, half random.
        return .retry(afterMs: full - Int64.random(in: 0...(full / 2)))
    }

    public static func isRetryable(_ error: KimiError) -> Bool {
        switch error.status {
        case .transport, .timeout:
            return error.beforeResponse
        case .http, .api:
            switch error.kind {
            case .overloaded, .rateLimited: return true
            case .server: return [500, 502, 503, 504].contains(error.httpStatus)
            default: return false
            }
        default:
            return false
        }
    }
}

extension Client {
    /// After attempt `retry` (0 = the first) of `label` failed with `error`:
    /// the wait before the next attempt, logged, or nil when the error is
    /// final (its message then says how many retries were made).
    func retryDelay(after error: inout KimiError, retry: Int, label: String) -> Int64? {
        guard case .retry(let delayMs) = config.retry.decide(after: error, retry: retry) else {
            if retry > 0 { error.message += " (after \(retry) \(retry == 1 ? "retry" : "retries"))" }
            return nil
        }
        config.log.log(.warn, "retry \(retry + 1) of \(config.retry.maxRetries) for \(label) in \(delayMs) ms: \(error.message)")
        return delayMs
    }

    /// Runs `attempt` on a fresh exchange for `request` until it succeeds,
    /// fails for good, or the retries run out. `attempt` closes the exchange
    /// when it is done with it; a failed one is closed here. The wait before
    /// a retry ends early when the request's cancel token fires. Errors come
    /// out redacted.
    func retrying<T>(_ request: HTTPRequest, firstAttempt: Exchange? = nil,
                     _ attempt: (Exchange) throws(KimiError) -> T) throws(KimiError) -> T {
        var pending = firstAttempt
        var retry = 0
        while true {
            var exchange: Exchange?
            do throws(KimiError) {
                let current: Exchange
                if let first = pending {
                    current = first
                    pending = nil
                } else {
                    current = try Exchange(request, config: config, pool: pool, limit: limit)
                }
                exchange = current
                return try attempt(current)
            } catch {
                exchange?.close()
                var error = redacted(error)
                guard let delayMs = retryDelay(after: &error, retry: retry, label: request.label) else { throw error }
                retry += 1
                try pool.wait(ms: delayMs, cancel: request.tokens, purpose: "to retry \(request.label)")
            }
        }
    }
}
