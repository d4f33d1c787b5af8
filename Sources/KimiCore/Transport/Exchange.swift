import CCurl

/// Drives one transfer on a pooled session, on the calling thread.
///
/// `step()` runs curl until something happens: bytes arrive, the transfer
/// ends, the cancel token fires (it wakes the multi), or the idle timeout
/// passes. No sleeping and no polling interval: the wait is curl_multi_poll
/// with the exact time left before the idle deadline.
final class Exchange {
    let transfer: Transfer
    private let config: ClientConfig
    private let pool: SessionPool
    private var session: Session?
    /// curl's result once the transfer has ended, nil while it runs.
    private(set) var result: CURLcode?

    init(_ request: HTTPRequest, config: ClientConfig, pool: SessionPool) throws(KimiError) {
        self.config = config
        self.pool = pool
        transfer = Transfer(request: request, maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes)
        let session = try pool.acquire()
        do {
            try transfer.configure(session.easy, client: config)
        } catch {
            pool.release(session)
            throw error
        }
        guard session.multi.add(session.easy) == CURLM_OK else {
            pool.release(session)
            throw KimiError(.internal, "curl_multi_add_handle failed")
        }
        self.session = session
        request.cancel?.register(session.multi)
    }

    deinit { close() }

    var isFinished: Bool { result != nil }

    /// Detaches from the session and returns it to the pool. An unfinished
    /// transfer is abandoned (curl closes its connection). Idempotent.
    func close() {
        guard let session else { return }
        self.session = nil
        transfer.request.cancel?.unregister(session.multi)
        session.multi.remove(session.easy)
        pool.release(session)
    }

    /// Lets curl read what has already arrived (the end of a finished
    /// stream's body) without waiting, so the connection can be reused.
    func finishIfReady() {
        guard let session, result == nil else { return }
        drive(session.multi)
    }

    /// Runs until the transfer has made progress or ended.
    func step() throws(KimiError) {
        guard let session, result == nil else { return }
        try checkCancelAndIdle()
        let before = transfer.bytesReceived
        drive(session.multi)
        if result != nil || transfer.bytesReceived != before { return }
        _ = session.multi.poll(timeoutMs: pollTimeoutMs())
        drive(session.multi)
        if result == nil { try checkCancelAndIdle() }
    }

    /// Runs the transfer to its end.
    func runToCompletion() throws(KimiError) {
        while result == nil { try step() }
    }

    private func drive(_ multi: MultiHandle) {
        _ = multi.perform()
        if let done = multi.nextCompletion() { result = done.result }
    }

    private func checkCancelAndIdle() throws(KimiError) {
        if let cancel = transfer.request.cancel, cancel.isCancelled {
            close()
            throw KimiError(.aborted, "cancelled through the cancel token (\(transfer.request.label))")
        }
        let idle = UInt64(config.idleTimeoutMs) * 1_000_000
        if idle > 0, monotonicNanos() &- transfer.lastActivity >= idle {
            close()
            var error = KimiError(.timeout, "no data for \(config.idleTimeoutMs) ms (idle timeout) on \(transfer.request.label)")
            error.beforeResponse = transfer.status == 0
            throw error
        }
    }

    private func pollTimeoutMs() -> Int32 {
        let idle = UInt64(config.idleTimeoutMs) * 1_000_000
        guard idle > 0 else { return 60_000 }
        let elapsed = monotonicNanos() &- transfer.lastActivity
        let remaining = elapsed >= idle ? 0 : (idle - elapsed + 999_999) / 1_000_000
        return Int32(min(remaining, 60_000))
    }

    /// The error for a transfer curl ended with a failure code.
    func transportError() -> KimiError? {
        guard let result, result != CURLE_OK else { return nil }
        let label = transfer.request.label
        switch transfer.abort {
        case .bodyTooLarge:
            return KimiError(.tooLarge, "response body over the \(config.maxBodyBytes)-byte limit (kimi_client_options_set_max_response_bytes) on \(label)")
        case .eventTooLarge:
            return KimiError(.tooLarge, "event-stream line over the \(config.maxEventBytes)-byte limit (kimi_client_options_set_max_event_bytes) on \(label)")
        case .progressStopped:
            return KimiError(.aborted, "the progress callback returned non-zero (\(label))")
        case .bodyUnreadable:
            if let error = transfer.bodyError { return error }
        case .none:
            break
        }
        let detail = transfer.curlErrorText.isEmpty ? curlMessage(result) : transfer.curlErrorText
        var error = result == CURLE_OPERATION_TIMEDOUT
            ? KimiError(.timeout, "timed out: \(detail) (\(label))")
            : KimiError(.transport, "\(detail) (\(label))")
        error.beforeResponse = transfer.status == 0 && Exchange.transientResults.contains(result.rawValue)
        return error
    }

    /// Failures another attempt may not meet: name resolution, connecting,
    /// a connection dropped or timed out before the answer. TLS certificate
    /// and handshake failures, bad URLs and the like are not among them.
    private static let transientResults: Set<UInt32> = [
        CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_OPERATION_TIMEDOUT,
        CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM,
    ].reduce(into: []) { $0.insert($1.rawValue) }
}
