import Synchronization

/// One request from its first attempt to its end: the one request lifecycle
/// of the library. A `Scheduler` runs it: on the caller's thread for a
/// blocking call (as curl_easy_perform runs a private multi handle), on the
/// client's event loop for a task.
///
///     queued ──slot──▶ ready ──attempt──▶ running ──ended / failed──▶ finished
///                        ▲                   │                           ▲
///                        └───retry time─── waiting ◀──failed, retryable──┘
///
/// A call never blocks and touches no transport: its scheduler lends it an
/// attempt (a `Transfer`) and tells it, in the engine's words, how that
/// ended (`AttemptEnd`). The call decides everything else, once, here: its
/// error (one mapping for every call style), a retry after the policy's wait
/// (never once a 2xx stream started: its events may have been delivered),
/// and for a streamed body the end verdict: complete (the sink's own end
/// marker, or the end of a body that needs none), cut, timed out, cancelled
/// or too large. Its 2xx body goes to its `sink` as it arrives.
///
/// Stopping is one path, `cancel(_:)`, from any thread: the caller's cancel
/// tokens, a stream's or a task's cancel, a callback's stop and a client
/// being freed all come through it; it wakes whoever runs the call.
final class Call: @unchecked Sendable {
    enum Phase: Equatable {
        /// Waiting for a slot under the client's connection cap.
        case queued
        /// An attempt is to be started: the first, or a retry whose wait is over.
        case ready
        /// An attempt runs on a transfer its scheduler lent.
        case running
        /// Waiting until this time (monotonic ns) to retry.
        case waiting(UInt64)
        /// Over; `error` is nil for success.
        case finished
    }

    /// Why a call was stopped from outside.
    enum Stop: Int {
        case none = 0, token, stream, task, callback, clientFreed
    }

    /// What a streamed body gave when asked (`pull`).
    enum Pull {
        /// The sink has something for its reader (a chat message's events).
        case produced
        /// Nothing new until more bytes arrive.
        case waiting
        /// The call is over (its verdict is in `error`).
        case over
    }

    let request: HTTPRequest
    let config: ClientConfig
    /// Where a 2xx body goes: kept whole, or read as it arrives.
    let sink: BodySink
    /// The settled per-call settings.
    let timeoutMs: UInt32
    let idleTimeoutMs: UInt32
    let maxRetries: UInt32
    private(set) var startedAt = monotonicNanos()
    /// The whole call's deadline (cap waits, retries and their waits included).
    private(set) var deadline: UInt64?
    /// The call waits for its start time (`startNoEarlier`), not to retry.
    private var waitingToStart = false

    private(set) var phase = Phase.queued
    /// The current attempt, or the last one once the call is over.
    private(set) var transfer: Transfer? {
        didSet { input = transfer.map { .passUnretained($0.inbound) } }
    }
    /// `transfer`'s undecoded body bytes, unretained (`transfer` holds
    /// them): `pull` hands them to the sink per message without reference
    /// counting.
    private var input: Unmanaged<TextBuffer>?
    private(set) var attempts = 0
    /// Why the call failed; nil while it runs and after a success.
    private(set) var error: KimiError?
    private(set) var endedAt: UInt64 = 0
    /// How the running streamed attempt ended, waiting for its sink to be
    /// drained before the verdict (a pull stream's reader drains it).
    private var pendingEnd: AttemptEnd?

    private let stopped = Atomic<Int>(Stop.none.rawValue)
    private let wakeLock = Lock()
    /// Wakes the scheduler running the call (set while one does).
    private var waker: (@Sendable (Call) -> Void)?
    /// The waiters this call registered on the caller's cancel tokens.
    private var tokenWaiter: CancelToken.Waiter?

    /// `options` are the call's own over the client view's (already merged).
    init(_ request: HTTPRequest, config: ClientConfig, options: CallOptions, sink: BodySink = WholeBody.shared)
        throws(KimiError) {
        var request = request
        if !options.query.isEmpty { request.url = config.base.appendingQuery(request.url, options.query) }
        request.headers = try request.headers.adding(options.headers)
        if let cancel = options.cancel, request.cancel == nil { request.cancel = cancel }
        self.request = request
        self.config = config
        self.sink = sink
        timeoutMs = options.timeoutMs != 0 ? options.timeoutMs : config.timeoutMs
        idleTimeoutMs = options.idleTimeoutMs != 0 ? options.idleTimeoutMs : config.idleTimeoutMs
        maxRetries = options.maxRetries >= 0 ? UInt32(options.maxRetries) : config.retry.maxRetries
        deadline = timeoutMs == 0 ? nil : KimiCore.deadline(afterMs: Int64(timeoutMs), from: startedAt)
    }

    var isFinished: Bool { phase == .finished }

    /// Makes the call start no earlier than `time` (monotonic ns): a poll
    /// that waits between calls (a batch being waited for). Its clock, and
    /// so its timeout, starts then.
    func startNoEarlier(than time: UInt64) {
        guard phase == .queued, attempts == 0 else { return }
        phase = .waiting(time)
        waitingToStart = true
        startedAt = time
        if timeoutMs > 0 { deadline = KimiCore.deadline(afterMs: Int64(timeoutMs), from: time) }
    }

    /// True once a 2xx streamed body (events or lines) has started: from
    /// then on the call is never retried.
    var isStreaming: Bool { transfer?.mode == .stream }

    // MARK: - Stopping (any thread)

    /// Stops the call: its scheduler ends it with `.aborted` at its next
    /// look, keeping what arrived. The first reason given is the one told.
    func cancel(_ reason: Stop) {
        guard stopped.compareExchange(expected: Stop.none.rawValue, desired: reason.rawValue,
                                      ordering: .acquiringAndReleasing).exchanged else { return }
        wakeLock.withLock { waker }?(self)
    }

    /// Stops the call here and now, on the thread running it (a task's
    /// callback asked to stop): nothing more of its body is read.
    func stopNow(_ reason: Stop) {
        cancel(reason)
        if phase != .finished, let cancelled = cancellation { finish(cancelled) }
    }

    /// A scheduler takes the call on: `wake` is how a cancel reaches it
    /// (from any thread). The caller's cancel tokens cancel through it.
    func adopt(wake: @escaping @Sendable (Call) -> Void) {
        wakeLock.withLock { waker = wake }
        if let token = request.cancel, tokenWaiter == nil {
            let waiter = CancelToken.Waiter { [weak self] in self?.cancel(.token) }
            tokenWaiter = waiter
            token.register(waiter)
        }
        if stopped.load(ordering: .acquiring) != Stop.none.rawValue { wake(self) }
    }

    /// The scheduler lets go of the call (it finished).
    private func release() {
        wakeLock.withLock { waker = nil }
        if let waiter = tokenWaiter, let token = request.cancel { token.unregister(waiter) }
        tokenWaiter = nil
    }

    /// Why the call must stop now, if it must.
    /// (Asked at every round of the scheduler: the message is only made
    /// for a call that was stopped.)
    var cancellation: KimiError? {
        let reason = Stop(rawValue: stopped.load(ordering: .acquiring)) ?? .none
        if reason == .none && request.cancel?.isCancelled != true { return nil }
        let where_: String
        switch phase {
        case .waiting: where_ = waitingToStart ? "before \(request.label) was sent (waiting to send it)"
                                               : "while waiting to retry \(request.label)"
        case .queued: where_ = "while waiting for a connection slot for \(request.label)"
        default: where_ = "(\(request.label))"
        }
        switch reason {
        case .none: return KimiError(.aborted, "cancelled through the cancel token \(where_)")
        case .token: return KimiError(.aborted, "cancelled through the cancel token \(where_)")
        case .stream: return KimiError(.aborted, "the stream was cancelled \(where_)")
        case .task: return KimiError(.aborted, "cancelled \(where_)")
        case .callback: return KimiError(.aborted, "the stream callback returned non-zero (\(request.label))")
        case .clientFreed: return KimiError(.aborted, "the client was freed (\(request.label))")
        }
    }

    // MARK: - Attempts (the scheduler's thread)

    /// A slot under the connection cap was taken for the call.
    func admitted() {
        if phase == .queued { phase = .ready }
    }

    /// The next attempt runs on `transfer` (the scheduler's transport made it).
    func attempting(_ transfer: Transfer) {
        attempts += 1
        self.transfer = transfer
        pendingEnd = nil
        phase = .running
    }

    /// What is left of the whole-call timeout for a new attempt; 0: none.
    var remainingMs: UInt32 {
        guard let deadline else { return 0 }
        return UInt32(max(1, millisecondsLeft(until: deadline, cap: Int32.max)))
    }

    /// The running attempt ended (its transport has let go of it).
    func attemptEnded(_ end: AttemptEnd) {
        guard phase == .running, let transfer else { return }
        if transfer.mode == .stream {
            // The verdict waits until the sink has read everything that came
            // (its owner pulls now; a pull stream's reader when it reads on).
            pendingEnd = end
            return
        }
        if var failure = error(of: transfer, end) {
            if transfer.status > 0 { failure.headers = config.gate.admit(transfer.head.fields) }
            fail(failure)
        } else {
            finish(nil)
        }
    }

    /// Hands the sink what has arrived of a streamed body. Decides the end
    /// once the sink has read everything and the attempt is over, or the
    /// sink saw its own end marker, or it failed.
    func pull() -> Pull {
        guard phase == .running, transfer?.mode == .stream, let input else { return isFinished ? .over : .waiting }
        do throws(KimiError) {
            let consumed = input._withUnsafeGuaranteedRef { buffer -> Result<SinkProgress, KimiError> in
                do throws(KimiError) { return .success(try sink.consume(buffer)) } catch { return .failure(error) }
            }
            switch try consumed.get() {
            case .produced:
                return .produced
            case .ended:
                finish(nil)
                return .over
            case .needsMore:
                guard let end = pendingEnd else { return .waiting }
                finish(verdict(end))
                return .over
            }
        } catch {
            finish(error)
            return .over
        }
    }

    /// The verdict on a streamed body whose attempt ended with `end` before
    /// the sink's own end marker.
    private func verdict(_ end: AttemptEnd) -> KimiError? {
        switch end {
        case .delivered:
            guard let marker = sink.endMarker else { return nil }
            return KimiError(.incomplete, "\(sink.what) ended before \(marker)\(sink.earlyEndNote) (\(request.label))")
        case .failed(let failure):
            // Limits, timeouts and stops are what they are, wherever they strike.
            if [.tooLarge, .timeout, .aborted].contains(failure.status) { return failure }
            let marker = sink.endMarker.map { " before \($0)" } ?? ""
            return KimiError(.incomplete, "\(sink.what) broke\(marker)\(sink.earlyEndNote): \(failure.message)")
        }
    }

    /// The current attempt, or the wait for the next, ends with `error`: a
    /// retry when the policy allows one and nothing was delivered, else the
    /// end of the call. The scheduler has taken the attempt back.
    func fail(_ error: KimiError) {
        var error = error
        if case .waiting = phase { return finish(error) }
        if phase == .queued || isStreaming || cancellation != nil { return finish(error) }
        let retry = attempts - 1
        guard case .retry(let delayMs) = config.retry.decide(after: error, retry: retry, limit: maxRetries) else {
            if retry > 0 { error.message += " (after \(retry) \(retry == 1 ? "retry" : "retries"))" }
            return finish(error)
        }
        let retryAt = KimiCore.deadline(afterMs: delayMs)
        if let deadline, retryAt >= deadline {
            error.message += " (no time left to retry within the \(timeoutMs) ms timeout)"
            return finish(error)
        }
        let gated = config.gate.admit(error)
        config.log.log(.warn, "retry \(attempts) of \(maxRetries) for \(request.label) in \(delayMs) ms: \(gated.message)")
        phase = .waiting(retryAt)
    }

    /// The wait before a retry is over: the next attempt needs a slot again.
    func retryNow() {
        if case .waiting = phase { phase = .queued }
        waitingToStart = false
    }

    private func finish(_ error: KimiError?) {
        guard phase != .finished else { return }
        var error = error.map(config.gate.admit)
        if isStreaming, error != nil, error?.httpStatus == 0 { error?.httpStatus = transfer?.status ?? 0 }
        self.error = error
        phase = .finished
        endedAt = monotonicNanos()
        release()
    }

    // MARK: - Clock

    /// When the scheduler must look at the call again at the latest: the
    /// idle deadline of the running attempt, the end of a retry wait, the
    /// whole call's deadline. Nil: only the transport (or a cancel) matters.
    var wakeAt: UInt64? {
        var at = deadline
        switch phase {
        case .running:
            if idleTimeoutMs > 0, let transfer, !transfer.isPaused {
                let idle = KimiCore.deadline(afterMs: Int64(idleTimeoutMs), from: transfer.lastActivity)
                at = min(at ?? idle, idle)
            }
        case .waiting(let until):
            at = min(at ?? until, until)
        case .queued, .ready, .finished:
            break
        }
        return at
    }

    /// What ends the current phase now, if anything: a cancel, the whole
    /// call's deadline, the idle timeout of the running attempt. The
    /// scheduler takes the attempt back and `fail`s the call with it.
    func expiry(now: UInt64 = monotonicNanos()) -> KimiError? {
        if let cancelled = cancellation { return cancelled }
        if let deadline, now >= deadline {
            return KimiError(.timeout, "the call took longer than its \(timeoutMs) ms timeout (\(request.label))")
        }
        if phase == .running, let transfer, transfer.isIdle(longerThan: idleTimeoutMs, now: now) {
            return transfer.idleTimeoutError(idleTimeoutMs)
        }
        return nil
    }

    // MARK: - The one error mapping

    /// The error a finished attempt stands for; nil for a usable answer.
    private func error(of transfer: Transfer, _ end: AttemptEnd) -> KimiError? {
        if case .failed(let failure) = end { return failure }
        guard transfer.isSuccess else { return httpError(transfer) }
        if request.expects == .eventStream {
            // A 2xx that is not an event stream: an error object, or the wrong type.
            if case .success(let root) = JSONValue.parse(transfer.body),
               let error = ErrorDecoder.apiError(in: root, httpStatus: transfer.status, gate: config.gate) {
                return error
            }
            let type = transfer.contentType.isEmpty ? "no content type" : transfer.contentType
            var error = KimiError(.parse, "expected an event stream (text/event-stream), got \(excerpt(type)) from \(request.label)")
            error.httpStatus = transfer.status
            return error
        }
        return nil
    }

    /// The error for a non-2xx answer: Kimi's error object, or the start of
    /// whatever else came back; a redirect is named, never followed.
    private func httpError(_ transfer: Transfer) -> KimiError {
        var error = ErrorDecoder.httpError(status: transfer.status, body: transfer.body, requestID: transfer.requestID,
                                           retryAfterMs: transfer.retryAfterMs, label: request.label,
                                           gate: config.gate)
        if transfer.abort == .bodyTooLarge {
            error.message += " (the body was cut at the \(transfer.maxBodyBytes)-byte limit)"
        }
        if error.kind == .auth { error.message += regionHint }
        if (300..<400).contains(transfer.status) {
            let target = transfer.location.isEmpty ? "(no Location)" : transfer.location
            error.message = "HTTP \(transfer.status) redirect to \(config.gate.admit(target)) not followed: libkimi never sends the API key to another address; if the API moved, set the base URL to it (\(request.label))"
        }
        return error
    }

    /// Keys of Kimi's two platforms do not work on each other's endpoints.
    private var regionHint: String {
        let base = config.baseURL.lowercased()
        if base.includes("moonshot.ai") {
            return "; a key from the China platform (platform.kimi.com) only works with https://api.moonshot.cn/v1"
        }
        if base.includes("moonshot.cn") {
            return "; a key from the international platform (platform.kimi.ai) only works with https://api.moonshot.ai/v1"
        }
        return "; check the key, and that it comes from the platform of \(config.baseURL)"
    }

    // MARK: - Metadata

    /// The request id and headers of the current attempt's answer, through
    /// the gate once: a task asks when its answer starts and again when it
    /// ends. Gated again when the attempt or its headers changed.
    private func gatedHead() -> (requestID: OutsideText, headers: OutsideHeaders) {
        guard let transfer else { return (config.gate.admit(""), []) }
        if let gated = gatedHeadCache, gated.transfer === transfer, gated.fieldCount == transfer.head.fields.count {
            return (gated.requestID, gated.headers)
        }
        let requestID = config.gate.admit(transfer.requestID)
        let headers = config.gate.admit(transfer.head.fields)
        gatedHeadCache = (transfer, transfer.head.fields.count, requestID, headers)
        return (requestID, headers)
    }
    private var gatedHeadCache: (transfer: Transfer, fieldCount: Int, requestID: OutsideText, headers: OutsideHeaders)?

    /// What a response made by this call tells about it. `firstTokenAt` is
    /// when a stream's first reasoning, content or tool-call piece arrived.
    func metadata(firstTokenAt: UInt64 = 0) -> ResponseMetadata {
        let end = endedAt == 0 ? monotonicNanos() : endedAt
        func ms(_ at: UInt64) -> Double { at == 0 ? -1 : Double(at &- startedAt) / 1_000_000 }
        let (requestID, headers) = gatedHead()
        return ResponseMetadata(requestID: requestID, headers: headers,
                                httpStatus: transfer?.status ?? 0, attempts: attempts, elapsedMs: ms(end),
                                firstByteMs: ms(transfer?.firstByteAt ?? 0), firstTokenMs: ms(firstTokenAt))
    }
}

/// How a transport says an attempt ended, in the engine's words.
enum AttemptEnd {
    /// The whole answer arrived.
    case delivered
    /// It did not: why (a transport failure, a timeout, a size limit...).
    case failed(KimiError)
}

/// What a response tells about the call that made it.
public struct ResponseMetadata: Sendable {
    /// The server's request id header (empty when absent).
    public var requestID = OutsideText.empty
    /// The final attempt's response headers, names lower-cased, in order.
    public var headers: OutsideHeaders = []
    public var httpStatus = 0
    /// 1 + retries.
    public var attempts = 0
    /// From the call's start to its end, waits included.
    public var elapsedMs: Double = -1
    /// From the call's start to the final attempt's first body byte; -1 if none.
    public var firstByteMs: Double = -1
    /// From the call's start to a stream's first reasoning, content or
    /// tool-call piece; -1 when not streamed (or none came).
    public var firstTokenMs: Double = -1

    public init() {}

    init(requestID: OutsideText, headers: OutsideHeaders, httpStatus: Int, attempts: Int,
         elapsedMs: Double, firstByteMs: Double, firstTokenMs: Double) {
        self.requestID = requestID
        self.headers = headers
        self.httpStatus = httpStatus
        self.attempts = attempts
        self.elapsedMs = elapsedMs
        self.firstByteMs = firstByteMs
        self.firstTokenMs = firstTokenMs
    }

    /// The value of header `name`, any case; nil when absent.
    public func header(_ name: String) -> OutsideText? { headers.value(named: name) }
}
