/// The request engine of one client, shared by all its views: the settled
/// configuration, the pooled sessions of blocking calls, the connection
/// cap, the event loop of tasks (started on first use) and the usage
/// totals. Every call of every style is a `Call` run by a `Scheduler`: one
/// of its own on the caller's thread (`BlockingRun`), or the event loop's.
final class Engine: @unchecked Sendable {
    let config: ClientConfig
    let sessions = SessionPool()
    let cap: ConnectionCap
    let usage: UsageMeter
    /// The models' context windows, and the once-per-client notices of
    /// Kimi's rules.
    let windows = ModelWindows()
    private let loopLock = Lock()
    private var loop: EventLoop?

    init(config: ClientConfig) {
        self.config = config
        cap = ConnectionCap(maximum: Int(config.maxConnections))
        usage = UsageMeter(pricing: config.pricing)
    }

    /// Runs `call` to its end on the calling thread and returns the transfer
    /// of its 2xx answer; anything else is thrown as the call's error.
    func perform(_ call: Call) throws(KimiError) -> Transfer {
        try BlockingRun(call, engine: self).run()
        if let error = call.error { throw error }
        guard let transfer = call.transfer else { throw KimiError(.internal, "a call ended without a transfer") }
        return transfer
    }

    /// `perform`, and the answer's body as a JSON object.
    func performJSON(_ call: Call) throws(KimiError) -> JSONValue {
        try Engine.json(of: perform(call), call)
    }

    /// A finished call's 2xx body as a JSON object.
    static func json(of transfer: Transfer, _ call: Call) throws(KimiError) -> JSONValue {
        switch JSONValue.parse(transfer.body) {
        case .success(let root) where root.isObject:
            return root
        case .success(let root):
            throw KimiError(.parse, "\(call.request.label) answered with \(root.kindName), expected a JSON object")
        case .failure(let error):
            throw KimiError(.parse, "\(call.request.label) answered with invalid JSON: \(error.message) at byte \(error.position)")
        }
    }

    /// The event loop, if one was started.
    var eventLoop: EventLoop? { loopLock.withLock { loop } }

    /// The event loop, started on first use.
    func loopForTasks() throws(KimiError) -> EventLoop {
        try loopLock.withLock { () throws(KimiError) -> EventLoop in
            if let loop { return loop }
            let started = try EventLoop(engine: self)
            loop = started
            return started
        }
    }

    /// Ends the tasks (each with `.aborted`) and the event loop. Blocking
    /// calls still work afterwards; a new task starts a new loop.
    func close() {
        let stopped = loopLock.withLock { () -> EventLoop? in
            defer { loop = nil }
            return loop
        }
        stopped?.stop()
    }
}

/// One call run on the caller's thread, as curl_easy_perform runs a private
/// multi handle: a scheduler of its own over a pooled session (whose warm
/// connection the call reuses). `run` takes the call to its end; a reader
/// of a streamed answer (a pull stream, a file read piece by piece) runs
/// `round` until its call has something for it.
final class BlockingRun {
    let call: Call
    private let engine: Engine
    private let session: Session
    let scheduler: Scheduler

    init(_ call: Call, engine: Engine) throws(KimiError) {
        self.call = call
        self.engine = engine
        session = try engine.sessions.acquire()
        scheduler = Scheduler(transport: PollTransport(session), cap: engine.cap, idleTimeoutMs: call.idleTimeoutMs)
        scheduler.add(call)
    }

    deinit {
        scheduler.close(.stream)
        engine.sessions.release(session)
    }

    /// Runs the call to its end.
    func run() {
        while !call.isFinished { scheduler.round() }
    }

    /// One round: the call's attempt progresses, or its wait does.
    func round() { scheduler.round() }

    /// The reader decided the call's end (`Call.pull`): let go of its attempt.
    func reap() { scheduler.reap(call) }

    /// Ends the call now with `error` (a reader's stop).
    func end(_ error: KimiError) { scheduler.end(call, error) }
}
