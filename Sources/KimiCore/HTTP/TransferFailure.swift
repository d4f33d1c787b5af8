import CCurl

extension Transfer {
    /// The error for a transfer curl ended with `result`; nil for success,
    /// and for an error answer cut at the body limit: that is reported as
    /// the error answer it is (its HTTP status kept), not as a size problem.
    func failure(_ result: CURLcode) -> KimiError? {
        guard result != CURLE_OK else { return nil }
        let label = request.label
        switch abort {
        case .bodyTooLarge where status >= 300:
            return nil
        case .bodyTooLarge:
            return KimiError(.tooLarge, "response body over the \(maxBodyBytes)-byte limit on \(label)", hint: .maxResponseBytes)
        case .eventTooLarge:
            return KimiError(.tooLarge, "\(request.expects == .lines ? "a line" : "event-stream line") over the \(maxEventBytes)-byte limit on \(label)", hint: .maxEventBytes)
        case .headersTooLarge:
            return KimiError(.tooLarge, "response headers over \(ResponseHead.maxBytes) bytes on \(label)")
        case .unrequestedEncoding:
            var error = KimiError(.parse, "the answer's body is encoded (Content-Encoding: \(excerpt(head.contentEncoding))), which was not asked for (\(label))")
            error.httpStatus = status
            return error
        case .progressStopped:
            return KimiError(.aborted, "the progress callback returned non-zero (\(label))")
        case .bodyUnreadable:
            if let error = bodyError { return error }
        case .none:
            break
        }
        let detail = curlErrorText.isEmpty ? curlMessage(result) : curlErrorText
        // libcurl refuses a header line over its own 100 KiB limit with
        // "Out of memory" (CURLE_TOO_LARGE, 100, since 8.6): a size limit.
        if mode == .pending && (result == CURLE_OUT_OF_MEMORY || result.rawValue == 100) {
            return KimiError(.tooLarge, "a response header line over libcurl's 100 KiB limit on \(label)")
        }
        // A NUL in a header, a status line that is no status line: the
        // server answered, but not in HTTP.
        if result == CURLE_WEIRD_SERVER_REPLY {
            return KimiError(.parse, "the answer is not valid HTTP (\(detail)) on \(label)")
        }
        var error = result == CURLE_OPERATION_TIMEDOUT
            ? KimiError(.timeout, "timed out: \(detail) (\(label))")
            : KimiError(.transport, "\(detail) (\(label))")
        error.beforeResponse = status == 0 && Transfer.transientResults.contains(result.rawValue)
        return error
    }

    /// The error for a transfer silent for longer than the idle timeout.
    func idleTimeoutError(_ idleTimeoutMs: UInt32) -> KimiError {
        var error = KimiError(.timeout, "no data for \(idleTimeoutMs) ms (idle timeout) on \(request.label)")
        error.beforeResponse = status == 0
        return error
    }

    /// True when the idle timeout has passed without a byte sent or received.
    /// `now` may be older than the last activity (a clock read before the
    /// attempt started): that is no silence at all.
    func isIdle(longerThan idleTimeoutMs: UInt32, now: UInt64 = monotonicNanos()) -> Bool {
        idleTimeoutMs > 0 && !isPaused && now > lastActivity && now - lastActivity >= UInt64(idleTimeoutMs) * 1_000_000
    }

    /// Failures another attempt may not meet: name resolution, connecting,
    /// a connection dropped or timed out before the answer. TLS certificate
    /// and handshake failures, bad URLs and the like are not among them.
    private static let transientResults: Set<UInt32> = [
        CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT,
        CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}
