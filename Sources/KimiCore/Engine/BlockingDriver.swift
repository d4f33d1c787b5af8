import CCurl

/// Runs one call on the calling thread, the way curl_easy_perform runs a
/// transfer over a private multi handle: each attempt borrows a pooled
/// session (a multi handle with its warm connection) and a connection slot,
/// and waits in curl_multi_poll, which the call's cancel tokens wake, for
/// exactly as long as the call's next deadline. No sleeping, no polling
/// interval.
///
/// `run()` takes a call to its end (whole answers); `pump()` returns as soon
/// as the call makes progress, so pull streams and files read line by line
/// take what arrived and come back for more.
final class BlockingDriver {
    let call: Call
    private let engine: Engine
    /// The session of the running attempt; nil between attempts.
    private var session: Session?
    /// A 2xx stream was reported to the caller (pump returns once for it).
    private var announcedStream = false

    init(_ call: Call, engine: Engine) {
        self.call = call
        self.engine = engine
    }

    deinit { detach() }

    /// Runs the call to its end.
    func run() {
        while !call.isFinished { pump() }
    }

    /// Runs until the call makes progress a reader can use: a 2xx stream
    /// starts or brings bytes, or the call ends. Retries happen inside.
    func pump() {
        while true {
            switch call.phase {
            case .finished:
                return
            case .ready:
                start()
            case .waiting(let until):
                waitToRetry(until)
            case .running:
                if step() { return }
            }
        }
    }

    /// Lets curl read what has already arrived (the end of a finished
    /// stream's body) without waiting, so the connection can be reused, then
    /// gives the session back.
    func drainAndDetach() {
        if let session, call.phase == .running { drive(session) }
        detach()
    }

    // MARK: - Attempts

    private func start() {
        let tokens = call.request.tokens
        do throws(KimiError) {
            try engine.cap.acquire(cancel: tokens, label: call.request.label)
            let session: Session
            do throws(KimiError) {
                session = try engine.sessions.acquire()
            } catch {
                engine.cap.release()
                throw error
            }
            self.session = session
            for token in tokens { token.register(session.multi) }
            _ = try call.attach(session.easy)
            guard session.multi.add(session.easy) == CURLM_OK else {
                throw KimiError(.internal, "curl_multi_add_handle failed")
            }
        } catch {
            detach()
            call.fail(error)
        }
    }

    /// Runs the attempt until something a caller can use happens; true when
    /// it did (or the attempt ended).
    private func step() -> Bool {
        guard let session, let transfer = call.transfer else {
            call.fail(call.cancellation ?? KimiError(.internal, "an attempt without a transfer"))
            return true
        }
        let before = transfer.bytesReceived
        if drive(session) || progressed(transfer, since: before) { return true }
        if let expired = call.expiry() {
            detach()
            call.fail(expired)
            return true
        }
        _ = session.multi.poll(timeoutMs: call.wakeAt.map { millisecondsLeft(until: $0, cap: 60_000) } ?? 60_000)
        return drive(session) || progressed(transfer, since: before)
    }

    /// Lets curl work; true when the attempt ended (the call was told).
    @discardableResult
    private func drive(_ session: Session) -> Bool {
        _ = session.multi.perform()
        guard let done = session.multi.nextCompletion() else { return false }
        detach()
        call.transferEnded(done.result)
        return true
    }

    private func progressed(_ transfer: Transfer, since before: Int) -> Bool {
        guard transfer.mode == .stream else { return false }
        if !announcedStream {
            announcedStream = true
            return true
        }
        return transfer.bytesReceived != before
    }

    private func waitToRetry(_ until: UInt64) {
        let end = call.deadline.map { min($0, until) } ?? until
        engine.sessions.wait(until: end, cancel: call.request.tokens)
        if let expired = call.expiry() {
            call.fail(expired)
        } else if monotonicNanos() >= until {
            call.retryNow()
        }
    }

    /// Takes the easy handle out of its multi and gives the session and the
    /// connection slot back. An unfinished transfer is abandoned (curl closes
    /// its connection). Idempotent.
    func detach() {
        guard let session else { return }
        self.session = nil
        for token in call.request.tokens { token.unregister(session.multi) }
        session.multi.remove(session.easy)
        engine.sessions.release(session)
        engine.cap.release()
    }
}
