/// Which failures a client retries and how long it waits first.
///
/// Only failures that a later attempt can fix are retried: an overloaded
/// engine, a rate limit, a 500/502/503/504, and a connection that failed or
/// timed out before any response byte. A quota wall, a bad key, a refused
/// permission, an invalid request or a content filter fails at once, and a
/// stream is never retried once it has started (its events were delivered).
public struct RetryPolicy: Sendable {
    public var maxRetries: UInt32 = 2
    /// The most retries a client or a call may ask for.
    public static let mostRetries: UInt32 = 100
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

    /// What to do after `error` ended attempt number `retry` (0 = first),
    /// allowing `limit` retries (the policy's own by default).
    public func decide(after error: KimiError, retry: Int, limit: UInt32? = nil) -> Decision {
        guard retry < Int(limit ?? maxRetries), Self.isRetryable(error) else { return .stop }
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
