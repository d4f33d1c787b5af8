import CCurl
import Synchronization

/// One request from its first attempt to its end: the one request lifecycle
/// of the library. Every call style is a driver over it: the blocking
/// driver runs one on the caller's thread (as curl_easy_perform drives a
/// private multi handle), the loop driver runs many on the client's event
/// loop.
///
///     ready ──attach──▶ running ──transfer ends / fails──▶ finished
///       ▲                  │                                  ▲
///       └──retry time── waiting ◀──failed, retryable──────────┘
///
/// A call never blocks and never touches a multi handle. It starts an
/// attempt on the easy handle a driver lends it; it is told how the
/// attempt ended (or that its deadline or a cancel ended it) and decides:
/// the call's result, its error (one error mapping for all call styles), or
/// a retry after the policy's wait. Once a 2xx stream has started it is
/// never retried: its events may have been delivered. It keeps what the
/// response's metadata needs: attempts, times, the final status and headers.
final class Call: @unchecked Sendable {
    enum Phase: Equatable {
        /// An attempt is to be started: the first, or a retry whose wait is over.
        case ready
        /// An attempt's transfer runs on an easy handle a driver lent.
        case running
        /// Waiting until this time (monotonic ns) to retry.
        case waiting(UInt64)
        /// Over; `error` is nil for success.
        case finished
    }

    let request: HTTPRequest
    let config: ClientConfig
    /// The settled per-call settings.
    let timeoutMs: UInt32
    let idleTimeoutMs: UInt32
    let maxRetries: UInt32
    let startedAt = monotonicNanos()
    /// The whole call's deadline (retries and their waits included).
    let deadline: UInt64?

    private(set) var phase = Phase.ready
    /// The current attempt, or the last one once the call is over.
    private(set) var transfer: Transfer?
    private(set) var attempts = 0
    /// Why the call failed; nil while it runs and after a success.
    private(set) var error: KimiError?
    /// For a streamed answer: how curl ended its transfer (the consumer
    /// decides what that means once it has read every byte).
    private(set) var streamEnd: KimiError?
    /// The stream's transfer ended and its consumer has yet to judge it.
    private var streamEndPending = false
    private(set) var endedAt: UInt64 = 0
    /// The owner's stop (a task cancelled), from any thread.
    private let stopped = Atomic<Bool>(false)

    /// `options` are the call's own over the client view's (already merged).
    init(_ request: HTTPRequest, config: ClientConfig, options: CallOptions) throws(KimiError) {
        var request = request
        if !options.query.isEmpty { request.url = config.base.appendingQuery(request.url, options.query) }
        request.headers = try request.headers.adding(options.headers)
        if let cancel = options.cancel, request.cancel == nil { request.cancel = cancel }
        self.request = request
        self.config = config
        timeoutMs = options.timeoutMs != 0 ? options.timeoutMs : config.timeoutMs
        idleTimeoutMs = options.idleTimeoutMs != 0 ? options.idleTimeoutMs : config.idleTimeoutMs
        maxRetries = options.maxRetries >= 0 ? UInt32(options.maxRetries) : config.retry.maxRetries
        deadline = timeoutMs == 0 ? nil : KimiCore.deadline(afterMs: Int64(timeoutMs), from: startedAt)
    }

    var isFinished: Bool { phase == .finished }

    /// True once a 2xx stream (events or lines) has started: from then on
    /// the call is never retried.
    var isStreaming: Bool { transfer?.mode == .stream }

    // MARK: - Stopping

    /// Stops the call from any thread (a task's cancel); drivers see it at
    /// their next look and end the call with `.aborted`.
    func stop() { stopped.store(true, ordering: .releasing) }

    /// Why the call must stop now, if it must.
    var cancellation: KimiError? {
        if stopped.load(ordering: .acquiring) { return KimiError(.aborted, "cancelled (\(request.label))") }
        if case .waiting = phase { return request.cancellation(waiting: true) }
        return request.cancellation
    }

    // MARK: - Attempts

    /// Starts the next attempt on `easy` (freshly reset); the caller then
    /// runs it. A failure here is the attempt's (`fail` it).
    func attach(_ easy: EasyHandle) throws(KimiError) -> Transfer {
        attempts += 1
        let transfer = Transfer(request: request, maxBodyBytes: config.maxBodyBytes, maxEventBytes: config.maxEventBytes)
        self.transfer = transfer
        phase = .running
        try transfer.configure(easy, client: config, timeoutMs: remainingMs())
        return transfer
    }

    /// What is left of the whole-call timeout for a new attempt; 0: none.
    private func remainingMs() -> UInt32 {
        guard let deadline else { return 0 }
        return UInt32(max(1, millisecondsLeft(until: deadline, cap: Int32.max)))
    }

    /// The running attempt's transfer ended with curl's `code` (the driver
    /// has taken its easy handle back).
    func transferEnded(_ code: CURLcode) {
        guard phase == .running, let transfer else { return }
        if transfer.mode == .stream {
            streamEnd = transfer.failure(code).map(config.gate.admit)
            streamEndPending = true
            finish(nil)
            return
        }
        if var failure = error(of: transfer, code) {
            if transfer.status > 0 { failure.headers = config.gate.admit(transfer.head.fields) }
            fail(failure)
        } else {
            finish(nil)
        }
    }

    /// The current attempt, or the wait for the next, ends with `error`: a
    /// retry when the policy allows one and nothing was delivered, else the
    /// end of the call. The driver has taken the attempt's handle back.
    func fail(_ error: KimiError) {
        var error = config.gate.admit(error)
        if case .waiting = phase {
            finish(error)
            return
        }
        if isStreaming || cancellation != nil {
            finish(error)
            return
        }
        let retry = attempts - 1
        guard case .retry(let delayMs) = config.retry.decide(after: error, retry: retry, limit: maxRetries) else {
            if retry > 0 { error.message += " (after \(retry) \(retry == 1 ? "retry" : "retries"))" }
            finish(error)
            return
        }
        let retryAt = KimiCore.deadline(afterMs: delayMs)
        if let deadline, retryAt >= deadline {
            error.message += " (no time left to retry within the \(timeoutMs) ms timeout)"
            finish(error)
            return
        }
        config.log.log(.warn, "retry \(attempts) of \(maxRetries) for \(request.label) in \(delayMs) ms: \(error.message)")
        phase = .waiting(retryAt)
    }

    /// The wait before a retry is over.
    func retryNow() {
        if case .waiting = phase { phase = .ready }
    }

    /// A stream's consumer ends the call its own way (it saw `[DONE]`, its
    /// decoding failed, or it judged how the transfer ended): `error` is the
    /// call's result.
    func end(_ error: KimiError?) {
        guard phase != .finished || streamEndPending else { return }
        streamEndPending = false
        finish(error.map(config.gate.admit))
    }

    private func finish(_ error: KimiError?) {
        self.error = error
        phase = .finished
        endedAt = monotonicNanos()
    }

    // MARK: - Clock and tokens

    /// When a driver must look at the call again at the latest: the idle
    /// deadline of the running attempt, the end of a retry wait, the whole
    /// call's deadline. Nil: only the sockets (or a cancel) matter.
    var wakeAt: UInt64? {
        var at = deadline
        switch phase {
        case .running:
            if idleTimeoutMs > 0, let transfer {
                let idle = KimiCore.deadline(afterMs: Int64(idleTimeoutMs), from: transfer.lastActivity)
                at = min(at ?? idle, idle)
            }
        case .waiting(let until):
            at = min(at ?? until, until)
        case .ready, .finished:
            break
        }
        return at
    }

    /// What ends the current phase now, if anything: a cancel, the whole
    /// call's deadline, the idle timeout of the running attempt. The driver
    /// takes the attempt's handle back and `fail`s the call with it.
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
    private func error(of transfer: Transfer, _ code: CURLcode) -> KimiError? {
        if let failure = transfer.failure(code) { return failure }
        guard transfer.isSuccess else { return httpError(transfer) }
        if request.expects == .eventStream {
            // A 2xx that is not an event stream: an error object, or the wrong type.
            if case .success(let root) = JSONValue.parse(transfer.body),
               let error = ErrorDecoder.apiError(in: root, httpStatus: transfer.status) {
                return error
            }
            let type = transfer.contentType.isEmpty ? "no content type" : transfer.contentType
            var error = KimiError(.parse, "expected an event stream (text/event-stream), got \(type) from \(request.label)")
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

    /// What a response made by this call tells about it. `firstTokenAt` is
    /// when a stream's first reasoning, content or tool-call piece arrived.
    func metadata(firstTokenAt: UInt64 = 0) -> ResponseMetadata {
        let end = endedAt == 0 ? monotonicNanos() : endedAt
        func ms(_ at: UInt64) -> Double { at == 0 ? -1 : Double(at &- startedAt) / 1_000_000 }
        return ResponseMetadata(requestID: config.gate.admit(transfer?.requestID ?? ""),
                                headers: config.gate.admit(transfer?.head.fields ?? []),
                                httpStatus: transfer?.status ?? 0, attempts: attempts, elapsedMs: ms(end),
                                firstByteMs: ms(transfer?.firstByteAt ?? 0), firstTokenMs: ms(firstTokenAt))
    }
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
