import CCurl

extension Transfer {
    /// Points `easy` (freshly reset) at a new attempt of `call`.
    static func attempt(of call: Call, on easy: EasyHandle) throws(KimiError) -> Transfer {
        let transfer = Transfer(request: call.request, maxBodyBytes: call.config.maxBodyBytes,
                                maxEventBytes: call.config.maxEventBytes)
        call.attempting(transfer)
        try transfer.configure(easy, client: call.config, timeoutMs: call.remainingMs)
        return transfer
    }

    /// How curl's `result` ended the attempt, in the engine's words.
    func ending(_ result: CURLcode) -> AttemptEnd {
        failure(result).map(AttemptEnd.failed) ?? .delivered
    }
}

/// The transport of one blocking call: a pooled session (a multi handle with
/// one easy handle and its warm connection) polled on the caller's thread.
/// Its waits (for the network, a slot, a retry) are curl_multi_poll, which a
/// cancel or a freed slot interrupts through curl_multi_wakeup: no sleeping,
/// no polling interval.
final class PollTransport: Transport {
    let session: Session
    private var current: (call: Call, transfer: Transfer)?
    private var ended: (Call, AttemptEnd)?

    /// 100 KiB reads, as the curl tool's (curl's default is 16 KiB): a fast
    /// stream costs a sixth of the receive calls, and a burst of 64 KiB
    /// (a buffering proxy's write, with the chunked framing around it) is
    /// one read, not two. (The streamed-body limit leaves room for one
    /// read of this size.)
    static let receiveBufferBytes = 100 << 10
    /// What a streamed body may hold unread before receiving pauses until
    /// its reader's next round: a bound on memory whatever curl reads in one
    /// perform (up to 100 reads of a ready socket).
    static let pauseAtInbound = 256 << 10

    init(_ session: Session) { self.session = session }

    func start(_ call: Call, onStreamBytes: @escaping () -> Void) throws(KimiError) -> Transfer {
        let transfer = try Transfer.attempt(of: call, on: session.easy)
        session.easy.set(CURLOPT_BUFFERSIZE, PollTransport.receiveBufferBytes)
        // Never beyond the event limit: the transfer refuses a read that
        // would leave more than a whole event plus one read unread.
        transfer.pauseAtInbound = min(PollTransport.pauseAtInbound, transfer.maxEventBytes)
        transfer.onStreamBytes = onStreamBytes
        guard session.multi.add(session.easy) == CURLM_OK else {
            throw KimiError(.internal, "curl_multi_add_handle failed")
        }
        current = (call, transfer)
        return transfer
    }

    func stop(_ call: Call, drain: Bool) {
        guard let current, current.call === call else { return }
        // After a complete answer curl may read what is left of the body
        // without waiting, so the connection can be reused.
        if drain { _ = session.multi.perform() }
        detach()
    }

    private func detach() {
        guard let current else { return }
        self.current = nil
        current.transfer.onStreamBytes = nil
        session.multi.remove(session.easy)
        session.easy.set(CURLOPT_SHARE, pointer: nil)
        session.easy.reset()
    }

    /// Lets curl read what already arrived and returns as soon as that was
    /// something (a reader takes it before more is read: memory stays flat);
    /// only then waits in curl_multi_poll.
    func wait(until: UInt64?) {
        if let current {
            let before = current.transfer.bytesReceived
            // The reader has taken what it could since receiving paused;
            // curl may hand over what it held at once (and pause again).
            current.transfer.resumeReceiving()
            if perform() || current.transfer.bytesReceived != before { return }
        }
        _ = session.multi.poll(timeoutMs: until.map { millisecondsLeft(until: $0, cap: 60_000) } ?? 60_000)
        if current != nil { _ = perform() }
    }

    /// Lets curl work; true when the attempt ended.
    private func perform() -> Bool {
        _ = session.multi.perform()
        guard let current, let done = session.multi.nextCompletion() else { return false }
        let end = current.transfer.ending(done.result)
        detach()
        ended = (current.call, end)
        return true
    }

    func nextEnded() -> (Call, AttemptEnd)? {
        defer { ended = nil }
        return ended
    }

    func wakeup() { session.multi.wakeup() }
}

/// The transport of a client's event loop: one multi handle driven over
/// epoll (`SocketDriver`) for every task's attempts; easy handles are kept
/// for reuse. An answer that is complete before curl read its end drains
/// in the background (at most a second) so its connection is reused.
final class SocketTransport: Transport {
    private let driver: SocketDriver
    private var multi: MultiHandle { driver.multi }
    private var running: [UnsafeMutableRawPointer: (call: Call, easy: EasyHandle, transfer: Transfer)] = [:]
    private var handleOf: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    /// Held with its transfer: curl's callbacks for the easy handle reach the
    /// transfer unretained until the handle leaves the multi handle, also
    /// after the call and its task were freed.
    private var draining: [UnsafeMutableRawPointer: (easy: EasyHandle, transfer: Transfer, since: UInt64)] = [:]
    private var spareHandles: [EasyHandle] = []
    private var ended: [(Call, AttemptEnd)] = []
    private var endedHead = 0

    /// A loop runs many transfers at once, mostly streams of small events: a
    /// 2 KiB receive buffer instead of curl's 16 KiB saves 14 KiB a transfer
    /// (14 MB for a thousand streams) for a few more reads of large bodies.
    static let receiveBufferBytes = 2048

    init(maxConnections: Int, coalesceMicros: UInt32 = 0) throws(KimiError) {
        driver = try SocketDriver(coalesceMicros: coalesceMicros)
        multi.set(CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        if maxConnections > 0 { multi.set(CURLMOPT_MAX_TOTAL_CONNECTIONS, maxConnections) }
    }

    func start(_ call: Call, onStreamBytes: @escaping () -> Void) throws(KimiError) -> Transfer {
        let easy: EasyHandle
        if let spare = spareHandles.popLast() { easy = spare } else { easy = try EasyHandle() }
        do throws(KimiError) {
            let transfer = try Transfer.attempt(of: call, on: easy)
            // Over TLS, wait for a multiplexing (HTTP/2) connection rather
            // than open another: ALPN settles at the handshake whether one
            // can be shared. Plain http:// is HTTP/1.1, where curl would only
            // learn that from the first answer and would hold every other
            // transfer until that one finished.
            if call.request.url.utf8.starts(with: "https://".utf8) { easy.set(CURLOPT_PIPEWAIT, 1) }
            easy.set(CURLOPT_BUFFERSIZE, SocketTransport.receiveBufferBytes)
            guard multi.add(easy) == CURLM_OK else { throw KimiError(.internal, "curl_multi_add_handle failed") }
            transfer.onStreamBytes = onStreamBytes
            running[easy.raw] = (call, easy, transfer)
            handleOf[ObjectIdentifier(call)] = easy.raw
            return transfer
        } catch {
            recycle(easy)
            throw error
        }
    }

    func stop(_ call: Call, drain: Bool) {
        guard let raw = handleOf.removeValue(forKey: ObjectIdentifier(call)),
              let entry = running.removeValue(forKey: raw) else { return }
        entry.transfer.onStreamBytes = nil
        if drain {
            draining[raw] = (entry.easy, entry.transfer, monotonicNanos())
        } else {
            multi.remove(entry.easy)
            recycle(entry.easy)
        }
    }

    func wait(until: UInt64?) {
        var until = until
        if !draining.isEmpty {
            let drainCheck = deadline(afterMs: 1000)
            until = min(until ?? drainCheck, drainCheck)
        }
        driver.wait(until: until, coalescing: running.count > 1)
        while let done = multi.nextCompletion() {
            guard let raw = done.easy else { continue }
            if let drained = draining.removeValue(forKey: raw) {
                multi.remove(drained.easy)
                recycle(drained.easy)
            } else if let entry = running.removeValue(forKey: raw) {
                handleOf.removeValue(forKey: ObjectIdentifier(entry.call))
                entry.transfer.onStreamBytes = nil
                let end = entry.transfer.ending(done.result)
                multi.remove(entry.easy)
                recycle(entry.easy)
                ended.append((entry.call, end))
            }
        }
        let now = monotonicNanos()
        for (raw, drained) in draining where now &- drained.since > 1_000_000_000 {
            draining.removeValue(forKey: raw)
            multi.remove(drained.easy)
            recycle(drained.easy)
        }
    }

    func nextEnded() -> (Call, AttemptEnd)? {
        guard endedHead < ended.count else {
            ended.removeAll(keepingCapacity: true)
            endedHead = 0
            return nil
        }
        endedHead += 1
        return ended[endedHead - 1]
    }

    func wakeup() { driver.wakeup() }

    /// Keeps a few easy handles for the next attempts; the others are freed
    /// as they are (a reset would be work for nothing).
    private func recycle(_ easy: EasyHandle) {
        easy.set(CURLOPT_SHARE, pointer: nil)
        guard spareHandles.count < 64 else { return }
        easy.reset()
        spareHandles.append(easy)
    }

    /// Lets go of every transfer (the loop is ending).
    func shutDown() {
        for (_, entry) in running { multi.remove(entry.easy) }
        for (_, drained) in draining { multi.remove(drained.easy) }
        running.removeAll()
        handleOf.removeAll()
        draining.removeAll()
    }
}
