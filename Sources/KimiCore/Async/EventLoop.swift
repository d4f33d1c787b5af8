import CCurl
import CKimiShims
import Glibc

/// A client's event loop: one thread running every task on one curl multi
/// handle, so a thousand streams cost a thousand sockets, not a thousand
/// threads. HTTP/2 servers get the tasks multiplexed over few connections.
///
/// The loop sleeps in epoll (SocketDriver) until a socket, one of curl's
/// timers, a retry's backoff or the idle sweep needs it; other threads hand
/// it work through `lock` and wake it through the driver's eventfd.
final class EventLoop: @unchecked Sendable {
    private let client: Client
    private let driver: SocketDriver
    private var multi: MultiHandle { driver.multi }
    private let lock = Lock()
    private var thread = pthread_t()

    // Under `lock`: work from other threads.
    private var inbox: [ChatTask] = []
    private var cancels: [ChatTask] = []
    private var stopping = false

    // Loop thread only.
    private var queued: [ChatTask] = []
    private var queueHead = 0
    private var running: [UnsafeMutableRawPointer: ChatTask] = [:]
    private var backoff: [ChatTask] = []
    private var dirty: [ChatTask] = []
    private var spareHandles: [EasyHandle] = []
    private var nextSweep: UInt64 = 0

    init(client: Client) throws(KimiError) {
        self.client = client
        let driver = try SocketDriver()
        self.driver = driver
        driver.multi.set(CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let limit = client.limit
        if limit.isLimited {
            driver.multi.set(CURLMOPT_MAX_TOTAL_CONNECTIONS, limit.maximum)
            limit.onRelease = { [driver] in driver.wakeup() }
        }
        thread = try spawnThread { [self] in run() }
    }

    var isCurrentThread: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Hands a new task to the loop.
    func submit(_ task: ChatTask) throws(KimiError) {
        let accepted = lock.withLock {
            guard !stopping else { return false }
            inbox.append(task)
            return true
        }
        guard accepted else { throw KimiError(.invalidArgument, "the client is being freed") }
        if let token = task.http.cancel {
            let waiter = CancelToken.Waiter { [weak task] in task?.cancel() }
            task.tokenWaiter = waiter
            token.register(waiter)
        }
        driver.wakeup()
    }

    func requestCancel(_ task: ChatTask) {
        lock.withLock { cancels.append(task) }
        driver.wakeup()
    }

    /// Ends every task (each with `.aborted`) and the thread. From the loop
    /// thread itself (a callback freeing the client) the thread ends after
    /// that callback returns.
    func stop() {
        lock.withLock { stopping = true }
        driver.wakeup()
        if isCurrentThread {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    // MARK: - The loop

    private func run() {
        let idleMs = client.config.idleTimeoutMs
        let sweepEvery = UInt64(idleMs == 0 ? 1000 : min(max(idleMs / 8, 10), 1000)) * 1_000_000
        while true {
            let (arrived, toCancel, stop) = lock.withLock { () -> ([ChatTask], [ChatTask], Bool) in
                defer {
                    inbox.removeAll(keepingCapacity: true)
                    cancels.removeAll(keepingCapacity: true)
                }
                return (inbox, cancels, stopping)
            }
            queued += arrived
            if stop { break }
            for task in toCancel where task.place != .finished {
                abort(task, KimiError(.aborted, "cancelled (\(task.http.label))"))
            }
            startQueued()
            let now = monotonicNanos()
            startDueRetries(now)
            if now >= nextSweep {
                sweepIdle(now, idleMs: idleMs)
                nextSweep = now &+ sweepEvery
            }
            driver.wait(until: nextDeadline())
            deliverDirty()
            while let done = multi.nextCompletion() {
                guard let easy = done.easy, let task = running[easy] else { continue }
                transferEnded(task, result: done.result)
            }
        }
        shutDown()
    }

    /// When the loop must run next on its own account: the idle sweep while
    /// transfers run, the earliest retry; nil when only sockets matter.
    private func nextDeadline() -> UInt64? {
        var deadline: UInt64? = running.isEmpty ? nil : nextSweep
        for task in backoff { deadline = min(deadline ?? task.retryAt, task.retryAt) }
        return deadline
    }

    private func startQueued() {
        while queueHead < queued.count, client.limit.tryAcquire() {
            let task = queued[queueHead]
            queueHead += 1
            if task.place == .queued { begin(task) } else { client.limit.release() }
        }
        if queueHead == queued.count {
            queued.removeAll(keepingCapacity: true)
            queueHead = 0
        }
    }

    /// Starts an attempt of `task`; its slot is already taken.
    private func begin(_ task: ChatTask) {
        let transfer = Transfer(request: task.http, maxBodyBytes: client.config.maxBodyBytes,
                                maxEventBytes: client.config.maxEventBytes)
        do throws(KimiError) {
            let easy: EasyHandle
            if let spare = spareHandles.popLast() { easy = spare } else { easy = try EasyHandle() }
            task.easy = easy
            try transfer.configure(easy, client: client.config)
            // Wait for a multiplexing connection rather than open another.
            easy.set(CURLOPT_PIPEWAIT, 1)
            guard multi.add(easy) == CURLM_OK else { throw KimiError(.internal, "curl_multi_add_handle failed") }
            running[easy.raw] = task
        } catch {
            if let easy = task.easy { recycle(easy) }
            task.easy = nil
            client.limit.release()
            attemptFailed(task, error)
            return
        }
        transfer.onStreamBytes = { [unowned self, unowned task] in
            if !task.isDirty {
                task.isDirty = true
                dirty.append(task)
            }
        }
        task.transfer = transfer
        task.place = .running
    }

    /// Delivers the events that arrived for each task with new input.
    private func deliverDirty() {
        for task in dirty {
            task.isDirty = false
            if task.place == .running { deliver(task) }
        }
        dirty.removeAll(keepingCapacity: true)
    }

    private func deliver(_ task: ChatTask) {
        guard let transfer = task.transfer, transfer.mode == .stream else { return }
        task.started = true
        do throws(KimiError) {
            while try task.events.decode(transfer.inbound) {
                if !task.deliverMessage() {
                    abort(task, KimiError(.aborted, "the stream callback returned non-zero (\(task.http.label))"))
                    return
                }
                if task.events.sawDone {
                    // Done for the caller; curl may still read the body's end,
                    // after which the connection is reused.
                    task.end(.ok, error: nil, response: task.events.response)
                    task.place = .draining
                    return
                }
            }
            task.events.compact(transfer.inbound)
        } catch {
            abort(task, error)
        }
    }

    private func transferEnded(_ task: ChatTask, result: CURLcode) {
        guard let transfer = task.transfer else { return }
        if task.place == .draining {
            release(task)
            return
        }
        if transfer.mode == .stream {
            deliver(task)
            guard task.place == .running else { return }
            let error = task.events.endOfInputError(transportError: transfer.failure(result),
                                                    label: transfer.request.label)
            release(task)
            finish(task, error)
            return
        }
        release(task)
        var failure = transfer.failure(result)
        if failure == nil {
            if task.kind == .create && transfer.isSuccess {
                do throws(KimiError) {
                    let response = try ResponseDecoder.decode(transfer.body)
                    response.completePartial(prefix: task.prefill)
                    task.end(.ok, error: nil, response: response)
                    task.place = .finished
                    return
                } catch {
                    failure = error
                }
            } else {
                failure = task.kind == .create ? client.httpError(transfer)
                    : client.streamRefusal(transfer, transportError: nil)
            }
        }
        attemptFailed(task, failure ?? KimiError(.internal, "transfer ended without a result"))
    }

    /// An attempt that got no stream going failed: retry it later, or end it.
    private func attemptFailed(_ task: ChatTask, _ error: KimiError) {
        var error = client.redacted(error)
        if !task.isCancelRequested, let delayMs = client.retryDelay(after: &error, retry: task.retry, label: task.http.label) {
            task.retry += 1
            task.retryAt = deadline(afterMs: delayMs)
            task.place = .backoff
            backoff.append(task)
            return
        }
        finish(task, error)
    }

    private func startDueRetries(_ now: UInt64) {
        guard !backoff.isEmpty else { return }
        var waiting: [ChatTask] = []
        for task in backoff where task.place == .backoff {
            if task.retryAt <= now {
                task.place = .queued
                queued.append(task)
            } else {
                waiting.append(task)
            }
        }
        backoff = waiting
        if queueHead < queued.count { startQueued() }
    }

    private func sweepIdle(_ now: UInt64, idleMs: UInt32) {
        for task in Array(running.values) {
            guard let transfer = task.transfer else { continue }
            if task.place == .draining {
                if transfer.isIdle(longerThan: 1000, now: now) { release(task) }
            } else if transfer.isIdle(longerThan: idleMs, now: now) {
                let error = transfer.idleTimeoutError(idleMs)
                if task.started || transfer.mode == .stream {
                    abort(task, error)
                } else {
                    release(task)
                    attemptFailed(task, error)
                }
            }
        }
    }

    /// Stops `task` now, wherever it is, keeping what arrived.
    private func abort(_ task: ChatTask, _ error: KimiError) {
        switch task.place {
        case .running: release(task)
        case .draining: release(task); return // already ended well
        case .queued, .backoff: break
        case .finished: return
        }
        finish(task, error)
    }

    /// Takes the task's transfer out of curl and gives back its slot.
    private func release(_ task: ChatTask) {
        guard let easy = task.easy else { return }
        task.easy = nil
        if running.removeValue(forKey: easy.raw) != nil {
            multi.remove(easy)
            client.limit.release()
        }
        task.transfer?.onStreamBytes = nil
        recycle(easy)
        if task.place == .draining { task.transfer = nil }
    }

    /// Keeps a few easy handles for the next attempts.
    private func recycle(_ easy: EasyHandle) {
        easy.set(CURLOPT_SHARE, pointer: nil)
        easy.reset()
        if spareHandles.count < 64 { spareHandles.append(easy) }
    }

    private func finish(_ task: ChatTask, _ error: KimiError) {
        let error = client.redacted(error)
        task.transfer = nil
        if let waiter = task.tokenWaiter { task.http.cancel?.unregister(waiter) }
        let response: ChatResponse? = task.kind == .stream && task.started ? task.events.response : nil
        task.end(error.status, error: error, response: response)
        task.place = .finished
    }

    private func shutDown() {
        let freed = KimiError(.aborted, "the client was freed")
        for task in queued[queueHead...] where task.place != .finished { abort(task, freed) }
        for task in Array(running.values) { abort(task, freed) }
        for task in backoff where task.place != .finished { abort(task, freed) }
        let late = lock.withLock { inbox }
        for task in late { abort(task, freed) }
    }
}

extension Client {
    /// A streamed chat to run on the event loop (see `ChatTask.start`).
    /// Request errors are thrown here; everything later is the task's outcome.
    public func streamTask(_ request: ChatRequest) throws(KimiError) -> ChatTask {
        ChatTask(kind: .stream, client: self, http: try streamRequest(request), prefill: request.prefill)
    }

    /// A non-streamed chat to run on the event loop.
    public func createTask(_ request: ChatRequest) throws(KimiError) -> ChatTask {
        ChatTask(kind: .create, client: self, http: try createRequest(request), prefill: request.prefill)
    }
}
