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
    /// Holds one of the client's request slots from init to close.
    private let limit: ConcurrencyLimit
    private var session: Session?
    /// curl's result once the transfer has ended, nil while it runs.
    private(set) var result: CURLcode?

    init(_ request: HTTPRequest, config: ClientConfig, pool: SessionPool, limit: ConcurrencyLimit) throws(KimiError) {
        self.config = config
        self.pool = pool
        self.limit = limit
        transfer = Transfer(request: request, maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes)
        try limit.acquire(cancel: request.tokens, label: request.label)
        let session: Session
        do throws(KimiError) {
            session = try pool.acquire()
            do throws(KimiError) {
                try transfer.configure(session.easy, client: config)
                guard session.multi.add(session.easy) == CURLM_OK else {
                    throw KimiError(.internal, "curl_multi_add_handle failed")
                }
            } catch {
                pool.release(session)
                throw error
            }
        } catch {
            limit.release()
            throw error
        }
        self.session = session
        for token in request.tokens { token.register(session.multi) }
    }

    deinit { close() }

    var isFinished: Bool { result != nil }

    /// Detaches from the session and returns it to the pool. An unfinished
    /// transfer is abandoned (curl closes its connection). Idempotent.
    func close() {
        guard let session else { return }
        self.session = nil
        for token in transfer.request.tokens { token.unregister(session.multi) }
        session.multi.remove(session.easy)
        pool.release(session)
        limit.release()
    }

    /// Lets curl read what has already arrived (the end of a finished
    /// stream's body) without waiting, so the connection can be reused.
    func finishIfReady() {
        guard let session, result == nil else { return }
        drive(session.multi)
    }

    /// Runs until the transfer has made progress or ended.
    func step() throws(KimiError) {
        guard result == nil else { return }
        guard let session else {
            // Closed before its end: there is nothing left to wait for.
            throw transfer.request.cancellation ?? KimiError(.aborted, "the transfer was stopped (\(transfer.request.label))")
        }
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
        if let cancelled = transfer.request.cancellation {
            close()
            throw cancelled
        }
        if transfer.isIdle(longerThan: config.idleTimeoutMs) {
            close()
            throw transfer.idleTimeoutError(config.idleTimeoutMs)
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
    func transportError() -> KimiError? { result.flatMap(transfer.failure) }
}
