import Testing
@testable import KimiCore

@Suite struct RetryPolicyTests {
    func apiError(_ status: Int, _ type: String, message: String = "m", retryAfterMs: Int64 = -1) -> KimiError {
        var body = #"{"error":{"type":"\#(type)","message":"\#(message)"}}"#
        if type.isEmpty { body = "<html>\(message)</html>" }
        return ErrorDecoder.httpError(status: status, body: TextBuffer(body), requestID: "", retryAfterMs: retryAfterMs,
                                      label: "POST http://x/v1/chat/completions")
    }

    func transport(beforeResponse: Bool, _ status: Status = .transport) -> KimiError {
        var error = KimiError(status, "Couldn't connect to server")
        error.beforeResponse = beforeResponse
        return error
    }

    @Test func retriesOnlyWhatCanSucceed() {
        let retried = [apiError(429, "engine_overloaded_error"), apiError(429, "rate_limit_reached_error"),
                       apiError(500, "server_error"), apiError(502, ""), apiError(503, ""), apiError(504, "server_error"),
                       transport(beforeResponse: true), transport(beforeResponse: true, .timeout)]
        for error in retried { #expect(RetryPolicy.isRetryable(error), "\(error.message)") }
        let refused = [apiError(429, "exceeded_current_quota_error"), apiError(403, "exceeded_current_quota_error"),
                       apiError(429, "rate_limit_reached_error", message: "You exceeded your current quota"),
                       apiError(401, "invalid_authentication_error"), apiError(403, "permission_denied_error"),
                       apiError(400, "invalid_request_error"), apiError(400, "content_filter"), apiError(501, ""),
                       apiError(404, "resource_not_found_error"), transport(beforeResponse: false),
                       transport(beforeResponse: false, .timeout), KimiError(.parse, "x"), KimiError(.aborted, "x"),
                       KimiError(.incomplete, "x"), KimiError(.tooLarge, "x"), KimiError(.invalidArgument, "x")]
        for error in refused { #expect(!RetryPolicy.isRetryable(error), "\(error.message)") }
    }

    @Test func exponentialBackoffWithEqualJitter() {
        var policy = RetryPolicy()
        policy.maxRetries = 10
        policy.baseDelayMs = 100
        policy.maxDelayMs = 1000
        let error = apiError(503, "server_error")
        for (retry, full) in [(0, 100), (1, 200), (2, 400), (3, 800), (4, 1000), (9, 1000)] {
            for _ in 0..<50 {
                guard case .retry(let ms) = policy.decide(after: error, retry: retry) else {
                    Issue.record("retry \(retry) was not allowed")
                    return
                }
                #expect(ms >= Int64(full) / 2 && ms <= Int64(full), "retry \(retry): \(ms) ms")
            }
        }
        #expect(policy.decide(after: error, retry: 10) == .stop)
    }

    @Test func serverNamedWaitsWinUpToTheCap() {
        let policy = RetryPolicy()
        let fromMessage = apiError(429, "rate_limit_reached_error", message: "please try again after 3 seconds")
        #expect(fromMessage.retryAfterMs == 3000)
        guard case .retry(let ms) = policy.decide(after: fromMessage, retry: 0) else {
            Issue.record("not retried")
            return
        }
        #expect(ms >= 3000 && ms <= 3300)
        let header = apiError(503, "", retryAfterMs: 250)
        guard case .retry(let headerMs) = policy.decide(after: header, retry: 1) else {
            Issue.record("not retried")
            return
        }
        #expect(headerMs >= 250 && headerMs <= 275)
        #expect(policy.decide(after: apiError(429, "rate_limit_reached_error", retryAfterMs: 61_000), retry: 0) == .stop)
    }

    @Test func zeroRetriesNeverRetries() {
        var policy = RetryPolicy()
        policy.maxRetries = 0
        #expect(policy.decide(after: apiError(503, "server_error"), retry: 0) == .stop)
    }
}
