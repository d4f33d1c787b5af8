import Glibc
import Testing
@testable import KimiCore

/// `Call` and `Scheduler` driven without a network: a scripted transport
/// plays each attempt's answer step by step (one step per round), so every
/// phase (the cap's queue, a retry's wait, a delayed start, a running
/// attempt) and every end verdict can be reached and cancelled on purpose.
final class ScriptedTransport: Transport {
    enum Step {
        /// The status line and headers ("Name: value").
        case head(Int, [String])
        /// A piece of the body.
        case body(String)
        /// The attempt ends.
        case end(AttemptEnd)
        /// Nothing more comes: only a deadline, the idle clock or a cancel ends it.
        case stall
    }

    private struct Attempt {
        let call: Call
        let transfer: Transfer
        var steps: ArraySlice<Step>
        let onBytes: () -> Void
    }

    /// One script per attempt, in the order attempts start (a stall once used up).
    var scripts: [[Step]]
    /// When each attempt started (monotonic ns), and of which call.
    private(set) var starts: [(call: Call, at: UInt64)] = []
    private(set) var stops: [(call: Call, drain: Bool)] = []
    private var running: [Attempt] = []
    private var ended: [(Call, AttemptEnd)] = []
    private let lock = Lock()
    private var woken = false

    init(_ scripts: [[Step]]) { self.scripts = scripts }

    static func answer(_ status: Int, _ body: String, contentType: String = "application/json") -> [Step] {
        [.head(status, ["Content-Type: \(contentType)"]), .body(body), .end(.delivered)]
    }

    func start(_ call: Call, onStreamBytes: @escaping () -> Void) throws(KimiError) -> Transfer {
        let transfer = Transfer(request: call.request, maxBodyBytes: call.config.maxBodyBytes,
                                maxEventBytes: call.config.maxEventBytes)
        call.attempting(transfer)
        let script = scripts.isEmpty ? [Step.stall] : scripts.removeFirst()
        running.append(Attempt(call: call, transfer: transfer, steps: script[...], onBytes: onStreamBytes))
        starts.append((call, monotonicNanos()))
        return transfer
    }

    func stop(_ call: Call, drain: Bool) {
        running.removeAll { $0.call === call }
        stops.append((call, drain))
    }

    /// Plays one step of each running attempt; when none has one, sleeps
    /// until `until` or a wakeup.
    func wait(until: UInt64?) {
        var played = false
        for index in running.indices.reversed() {
            guard let step = running[index].steps.first, !isStall(step) else { continue }
            running[index].steps.removeFirst()
            played = true
            play(step, running[index])
            if case .end(let end) = step {
                ended.append((running[index].call, end))
                running.remove(at: index)
            }
        }
        guard !played else { return }
        lock.withLock {
            while !woken {
                if !lock.wait(until: until) { break }
            }
            woken = false
        }
    }

    private func isStall(_ step: Step) -> Bool {
        if case .stall = step { return true }
        return false
    }

    private func play(_ step: Step, _ attempt: Attempt) {
        func feed(_ line: String) {
            var line = line
            line.withUTF8 { _ = attempt.transfer.receiveHeader($0) }
        }
        switch step {
        case .head(let status, let headers):
            feed("HTTP/1.1 \(status) X\r\n")
            for header in headers { feed(header + "\r\n") }
            feed("\r\n")
        case .body(let text):
            var text = text
            text.withUTF8 { _ = attempt.transfer.receiveBody(UnsafeRawBufferPointer($0)) }
            if attempt.transfer.mode == .stream { attempt.onBytes() }
        case .end, .stall:
            break
        }
    }

    func nextEnded() -> (Call, AttemptEnd)? { ended.isEmpty ? nil : ended.removeFirst() }

    func wakeup() {
        lock.withLock {
            woken = true
            lock.broadcast()
        }
    }
}

/// A streamed body that is complete only with "[END]" in it; more than
/// `limit` bytes waiting is too large.
final class MarkerSink: BodySink {
    var streams: Bool { true }
    var what: String { "the test stream" }
    var endMarker: String? { "[END]" }
    let limit: Int
    var read = ""
    init(limit: Int = 1 << 20) { self.limit = limit }

    func consume(_ input: TextBuffer) throws(KimiError) -> SinkProgress {
        guard input.count <= limit else { throw KimiError(.tooLarge, "over \(limit) bytes") }
        guard input.count > 0 else { return .needsMore }
        read += String(decoding: UnsafeRawBufferPointer(start: input.bytes, count: input.count), as: UTF8.self)
        input.removeAll()
        return read.contains("[END]") ? .ended : .produced
    }
}

/// Pulls its calls' streamed bodies as a task does, and notes their ends.
final class PullingOwner: Scheduler.Owner {
    var ended: [Call] = []
    func received(_ call: Call) {
        while call.pull() == .produced {
            if let sink = call.sink as? ByteSink, let input = call.transfer?.inbound {
                input.removeAll()
                sink.leftover = 0
            }
        }
    }
    func ended(_ call: Call) { ended.append(call) }
}

extension Call {
    var isWaiting: Bool {
        if case .waiting = phase { return true }
        return false
    }
}

@Suite struct SchedulerTests {
    let config: ClientConfig

    init() throws {
        var options = ClientOptions()
        options.apiKey = "sk-scheduler-test"
        options.baseURL = "http://127.0.0.1:9/v1"
        options.retry.baseDelayMs = 10
        options.retry.maxDelayMs = 40
        config = try ClientConfig(options)
    }

    func call(_ options: CallOptions = CallOptions(), sink: BodySink = WholeBody.shared,
              expects: HTTPRequest.Expectation = .whole) throws -> Call {
        var request = HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders)
        request.expects = expects
        return try Call(request, config: config, options: options, sink: sink)
    }

    func options(timeoutMs: UInt32 = 0, idleMs: UInt32 = 0, retries: Int32 = -1) -> CallOptions {
        var options = CallOptions()
        options.timeoutMs = timeoutMs
        options.idleTimeoutMs = idleMs
        options.maxRetries = retries
        return options
    }

    /// Rounds until every call finished (at most `rounds`: a hang fails).
    func run(_ scheduler: Scheduler, _ calls: [Call], rounds: Int = 2000) {
        var left = rounds
        while calls.contains(where: { !$0.isFinished }) && left > 0 {
            scheduler.round()
            left -= 1
        }
        #expect(left > 0, "the calls did not finish")
    }

    func scheduler(_ transport: ScriptedTransport, cap: Int = 0) -> Scheduler {
        Scheduler(transport: transport, cap: ConnectionCap(maximum: cap), idleTimeoutMs: 0)
    }

    /// Runs `body` on another thread after `ms`.
    func later(_ ms: Int, _ body: @escaping () -> Void) throws -> pthread_t {
        try spawnThread {
            var pause = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
            nanosleep(&pause, nil)
            body()
        }
    }

    // MARK: - Answers and retries

    @Test func aWholeAnswer() throws {
        let transport = ScriptedTransport([ScriptedTransport.answer(200, #"{"ok":true}"#)])
        let scheduler = scheduler(transport)
        let call = try call()
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error == nil)
        #expect(call.attempts == 1)
        #expect(call.transfer?.body.string == #"{"ok":true}"#)
        #expect(transport.stops.map(\.drain) == [])  // it ended in the transport: nothing to stop
    }

    @Test func aRetryableStatusIsRetriedAfterItsWait() throws {
        let overloaded = #"{"error":{"type":"engine_overloaded_error","message":"busy"}}"#
        let transport = ScriptedTransport([ScriptedTransport.answer(503, overloaded), ScriptedTransport.answer(200, "{}")])
        let scheduler = scheduler(transport)
        let call = try call()
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error == nil)
        #expect(call.attempts == 2)
        // Equal jitter: at least half of the 10 ms base delay passed.
        #expect(transport.starts[1].at - transport.starts[0].at >= 5_000_000)
    }

    @Test func aBadRequestIsNotRetried() throws {
        let bad = #"{"error":{"type":"invalid_request_error","message":"no"}}"#
        let transport = ScriptedTransport([ScriptedTransport.answer(400, bad), ScriptedTransport.answer(200, "{}")])
        let scheduler = scheduler(transport)
        let call = try call()
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error?.status == .api)
        #expect(call.error?.httpStatus == 400)
        #expect(call.attempts == 1)
    }

    @Test func retriesStopAtTheLimit() throws {
        let busy = ScriptedTransport.answer(503, "<html>busy</html>", contentType: "text/html")
        let transport = ScriptedTransport([busy, busy, busy, busy])
        let scheduler = scheduler(transport)
        let call = try call(options(retries: 2))
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.attempts == 3)
        #expect(call.error?.httpStatus == 503)
        #expect(call.error?.message.contains("(after 2 retries)") == true)
    }

    @Test func noRetryWhenTheTimeoutLeavesNoTime() throws {
        var slow = ClientOptions()
        slow.apiKey = "sk-scheduler-test"
        slow.baseURL = "http://127.0.0.1:9/v1"
        slow.retry.baseDelayMs = 5000
        slow.retry.maxDelayMs = 5000
        let config = try ClientConfig(slow)
        let transport = ScriptedTransport([ScriptedTransport.answer(503, "<html/>", contentType: "text/html")])
        let scheduler = scheduler(transport)
        let call = try Call(HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders),
                            config: config, options: options(timeoutMs: 1000))
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.attempts == 1)
        #expect(call.error?.message.contains("no time left to retry within the 1000 ms timeout") == true)
    }

    // MARK: - The connection cap

    @Test func theCapQueuesCallsInOrder() throws {
        let slow: [ScriptedTransport.Step] = [.head(200, []), .body("{"), .body("}"), .end(.delivered)]
        let transport = ScriptedTransport([slow, slow, slow])
        let scheduler = scheduler(transport, cap: 1)
        let calls = try (0..<3).map { _ in try call() }
        for call in calls { scheduler.add(call) }
        scheduler.round()
        #expect(calls[0].phase == .running)
        #expect(calls[1].phase == .queued)
        #expect(calls[2].phase == .queued)
        run(scheduler, calls)
        #expect(calls.allSatisfy { $0.error == nil })
        #expect(transport.starts.map { ObjectIdentifier($0.call) } == calls.map { ObjectIdentifier($0) })
    }

    // MARK: - Clocks

    @Test func theDeadlineEndsAStalledCall() throws {
        let transport = ScriptedTransport([[.stall]])
        let scheduler = scheduler(transport)
        let call = try call(options(timeoutMs: 50))
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error?.status == .timeout)
        #expect(call.error?.message.contains("50 ms timeout") == true)
        #expect(transport.stops.map(\.drain) == [false])
    }

    @Test func theIdleClockEndsASilentStream() throws {
        let sink = ByteSink("the download")
        let transport = ScriptedTransport([[.head(200, []), .body("some"), .stall]])
        let scheduler = scheduler(transport)
        let owner = PullingOwner()
        let call = try call(options(idleMs: 50), sink: sink, expects: .lines)
        scheduler.add(call, owner: owner)
        run(scheduler, [call])
        #expect(call.error?.status == .timeout)
        #expect(call.isStreaming)
        #expect(owner.ended.count == 1)
    }

    @Test func aDelayedStartWaitsAndItsClockStartsThen() throws {
        let transport = ScriptedTransport([ScriptedTransport.answer(200, "{}")])
        let scheduler = scheduler(transport)
        let call = try call(options(timeoutMs: 40))
        let due = deadline(afterMs: 80)
        call.startNoEarlier(than: due)
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error == nil)  // waiting 80 ms did not eat its 40 ms
        #expect(transport.starts[0].at >= due)
    }

    // MARK: - Cancelling in each phase

    @Test func cancelWhileQueuedForASlot() throws {
        let transport = ScriptedTransport([[.head(200, []), .stall]])
        let scheduler = scheduler(transport, cap: 1)
        let first = try call(options(timeoutMs: 2000)), second = try call()
        scheduler.add(first)
        scheduler.add(second)
        scheduler.round()
        #expect(second.phase == .queued)
        second.cancel(.task)
        run(scheduler, [second])
        #expect(second.error?.status == .aborted)
        #expect(second.error?.message.contains("waiting for a connection slot") == true)
        #expect(transport.starts.count == 1)
        first.cancel(.task)
        run(scheduler, [first])
    }

    @Test func cancelWhileWaitingToRetry() throws {
        var slow = ClientOptions()
        slow.apiKey = "sk-scheduler-test"
        slow.baseURL = "http://127.0.0.1:9/v1"
        slow.retry.baseDelayMs = 60_000
        slow.retry.maxDelayMs = 60_000
        let config = try ClientConfig(slow)
        let transport = ScriptedTransport([ScriptedTransport.answer(503, "<html/>", contentType: "text/html")])
        let scheduler = scheduler(transport)
        let call = try Call(HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders),
                            config: config, options: CallOptions())
        scheduler.add(call)
        var rounds = 0
        while !call.isWaiting && !call.isFinished && rounds < 100 {
            scheduler.round()
            rounds += 1
        }
        guard call.isWaiting else {
            Issue.record("expected a retry wait, got \(call.phase)")
            return
        }
        let canceller = try later(20) { call.cancel(.task) }
        let started = monotonicNanos()
        run(scheduler, [call])
        pthread_join(canceller, nil)
        #expect(monotonicNanos() - started < 5_000_000_000)  // the wait was cut, not waited out
        #expect(call.error?.message.contains("while waiting to retry") == true)
    }

    @Test func cancelBeforeADelayedStart() throws {
        let transport = ScriptedTransport([ScriptedTransport.answer(200, "{}")])
        let scheduler = scheduler(transport)
        let call = try call()
        call.startNoEarlier(than: deadline(afterMs: 60_000))
        scheduler.add(call)
        let canceller = try later(20) { call.cancel(.task) }
        run(scheduler, [call])
        pthread_join(canceller, nil)
        #expect(call.error?.status == .aborted)
        #expect(call.error?.message.contains("was sent (waiting to send it)") == true)
        #expect(transport.starts.isEmpty)
    }

    @Test func cancelARunningAttemptFromAnotherThread() throws {
        let transport = ScriptedTransport([[.head(200, []), .stall]])
        let scheduler = scheduler(transport)
        let call = try call()
        scheduler.add(call)
        let canceller = try later(20) { call.cancel(.stream) }
        run(scheduler, [call])
        pthread_join(canceller, nil)
        #expect(call.error?.status == .aborted)
        #expect(call.error?.message.contains("the stream was cancelled") == true)
        #expect(transport.stops.map(\.drain) == [false])
    }

    @Test func aCancelTokenReachesTheCall() throws {
        let token = CancelToken()
        var options = CallOptions()
        options.cancel = token
        let transport = ScriptedTransport([[.stall]])
        let scheduler = scheduler(transport)
        let call = try call(options)
        scheduler.add(call)
        let canceller = try later(20) { token.cancel() }
        run(scheduler, [call])
        pthread_join(canceller, nil)
        #expect(call.error?.message.contains("cancelled through the cancel token") == true)
    }

    @Test func cancelBeforeTheSchedulerTookIt() throws {
        let transport = ScriptedTransport([ScriptedTransport.answer(200, "{}")])
        let scheduler = scheduler(transport)
        let call = try call()
        call.cancel(.task)
        scheduler.add(call)
        run(scheduler, [call])
        #expect(call.error?.status == .aborted)
        #expect(transport.starts.isEmpty)
    }

    // MARK: - The end of a streamed body, decided once

    func stream(_ steps: [ScriptedTransport.Step], sink: BodySink = MarkerSink(),
                _ options: CallOptions = CallOptions()) throws -> Call {
        let transport = ScriptedTransport([steps])
        let scheduler = scheduler(transport)
        let owner = PullingOwner()
        let call = try call(options, sink: sink, expects: .lines)
        scheduler.add(call, owner: owner)
        run(scheduler, [call])
        #expect(owner.ended.count == 1)
        return call
    }

    @Test func aStreamWithItsMarkerIsComplete() throws {
        let call = try stream([.head(200, []), .body("a"), .body("b[END]"), .stall])
        #expect(call.error == nil)
    }

    @Test func aStreamThatEndsWithoutItsMarkerIsCut() throws {
        let call = try stream([.head(200, []), .body("a"), .end(.delivered)])
        #expect(call.error?.status == .incomplete)
        #expect(call.error?.message.contains("the test stream ended before [END]") == true)
        #expect(call.error?.httpStatus == 200)
    }

    @Test func aStreamThatBreaksIsIncomplete() throws {
        let call = try stream([.head(200, []), .body("a"), .end(.failed(KimiError(.transport, "connection reset")))])
        #expect(call.error?.status == .incomplete)
        #expect(call.error?.message.contains("broke before [END]: connection reset") == true)
        #expect(call.attempts == 1)  // never retried once it started
    }

    @Test func aStreamThatTimesOutSaysSo() throws {
        let call = try stream([.head(200, []), .body("a"), .end(.failed(KimiError(.timeout, "too slow")))])
        #expect(call.error?.status == .timeout)
    }

    @Test func aStreamTooLargeForItsSink() throws {
        let call = try stream([.head(200, []), .body(String(repeating: "x", count: 100))], sink: MarkerSink(limit: 10))
        #expect(call.error?.status == .tooLarge)
    }

    @Test func aBodyWithoutMarkerEndsWithItsEnd() throws {
        let call = try stream([.head(200, []), .body("all"), .body(" of it"), .end(.delivered)], sink: ByteSink("the file"))
        #expect(call.error == nil)
    }

    @Test func anErrorAnswerToAStreamIsNotStreamed() throws {
        let call = try stream([.head(429, ["Content-Type: application/json"]),
                               .body(#"{"error":{"type":"exceeded_current_quota_error","message":"pay"}}"#),
                               .end(.delivered)])
        #expect(!call.isStreaming)
        #expect(call.error?.httpStatus == 429)
        #expect(call.attempts == 1)  // a quota wall is not retried
    }
}
