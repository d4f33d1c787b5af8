/// The request engine of one client, shared by all its views: the settled
/// configuration, the pooled sessions of blocking calls, the connection
/// cap, the event loop of tasks (started on first use) and the usage
/// totals. Every call of every style is a `Call` run here: by a
/// `BlockingDriver` on the caller's thread, or by the `LoopDriver`.
final class Engine: @unchecked Sendable {
    let config: ClientConfig
    let sessions = SessionPool()
    let cap: ConnectionCap
    let usage: UsageMeter
    /// The models' context windows, and the once-per-client notices of
    /// Kimi's rules.
    let windows = ModelWindows()
    private let loopLock = Lock()
    private var loop: LoopDriver?

    init(config: ClientConfig) {
        self.config = config
        cap = ConnectionCap(maximum: Int(config.maxConnections))
        usage = UsageMeter(pricing: config.pricing)
    }

    /// Runs `call` to its end on the calling thread and returns the transfer
    /// of its 2xx answer; anything else is thrown as the call's error.
    func perform(_ call: Call) throws(KimiError) -> Transfer {
        BlockingDriver(call, engine: self).run()
        if let error = call.error { throw error }
        guard let transfer = call.transfer else { throw KimiError(.internal, "a call ended without a transfer") }
        return transfer
    }

    /// `perform`, and the answer's body as a JSON object.
    func performJSON(_ call: Call) throws(KimiError) -> JSONValue {
        let transfer = try perform(call)
        switch JSONValue.parse(transfer.body) {
        case .success(let root) where root.isObject:
            return root
        case .success(let root):
            throw KimiError(.parse, "\(call.request.label) answered with \(root.kindName), expected a JSON object")
        case .failure(let error):
            throw KimiError(.parse, "\(call.request.label) answered with invalid JSON: \(error.message) at byte \(error.position)")
        }
    }

    /// Waits `ms` on the calling thread (between polls of a batch, say);
    /// `cancel` ends the wait at once with `.aborted`.
    func sleep(ms: Int64, cancel: CancelToken?, purpose: String) throws(KimiError) {
        let tokens = cancel.map { [$0] } ?? []
        sessions.wait(until: deadline(afterMs: ms), cancel: tokens)
        if let cancel, cancel.isCancelled {
            throw KimiError(.aborted, "cancelled through the cancel token while waiting \(purpose)")
        }
    }

    /// The event loop, if one was started.
    var eventLoop: LoopDriver? { loopLock.withLock { loop } }

    /// The event loop, started on first use.
    func loopForTasks() throws(KimiError) -> LoopDriver {
        try loopLock.withLock { () throws(KimiError) -> LoopDriver in
            if let loop { return loop }
            let started = try LoopDriver(engine: self)
            loop = started
            return started
        }
    }

    /// Ends the tasks (each with `.aborted`) and the event loop. Blocking
    /// calls still work afterwards; a new task starts a new loop.
    func close() {
        let stopped = loopLock.withLock { () -> LoopDriver? in
            defer { loop = nil }
            return loop
        }
        stopped?.stop()
    }
}
