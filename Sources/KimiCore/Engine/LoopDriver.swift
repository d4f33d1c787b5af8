import CCurl
import Glibc

/// What the event loop runs: a call, and what to do with what it brings.
/// The loop calls these on its thread only.
protocol LoopTask: AnyObject {
    var call: Call { get }
    /// New bytes of a 2xx stream arrived: deliver what they hold. The task
    /// may end its call here (`[DONE]`, a bad chunk, a callback's stop).
    func streamBytesArrived()
    /// The call is over: settle the outcome. Nothing of the task runs on the
    /// loop after this.
    func callEnded()
    /// Reading was paused (its reader was behind) and may go on.
    func resumeReceiving()
    /// The loop's round is over: make what the task delivered in it visible
    /// (an event queue signals its host once per round, not per event).
    func publishDeliveries()
}

/// Runs many calls on one thread per client over one curl multi handle, so
/// a thousand streams cost a thousand sockets, not a thousand threads;
/// HTTP/2 servers get them multiplexed over few connections. The loop
/// sleeps in epoll (SocketDriver) until a socket, one of curl's timers, a
/// retry's wait or the idle sweep needs it. Other threads hand it work
/// through `lock` and wake it through the driver's eventfd. The calls do the
/// deciding (attempts, retries, timeouts, errors); the loop only runs them.
final class LoopDriver: @unchecked Sendable {
    private let engine: Engine
    private let driver: SocketDriver
    private var multi: MultiHandle { driver.multi }
    private let lock = Lock()
    private var thread = pthread_t()

    // Under `lock`: work from other threads.
    private var inbox: [LoopTask] = []
    private var cancels: [LoopTask] = []
    private var resumes: [LoopTask] = []
    private var stopping = false

    // Loop thread only.
    private var queued: [LoopTask] = []
    private var queueHead = 0
    private var running: [UnsafeMutableRawPointer: (task: LoopTask, easy: EasyHandle)] = [:]
    /// Which easy handle runs each task's attempt.
    private var handleOf: [ObjectIdentifier: UnsafeMutableRawPointer] = [:]
    private var waiting: [LoopTask] = []
    private var dirty: [LoopTask] = []
    /// Tasks that delivered something this round (see `publishDeliveries`).
    private var delivered: [LoopTask] = []
    /// Easy handles of tasks done for their caller (after `[DONE]`) that
    /// curl may still read the body's end on, so the connection is reused;
    /// with when they started draining.
    private var draining: [UnsafeMutableRawPointer: (easy: EasyHandle, since: UInt64)] = [:]
    private var spareHandles: [EasyHandle] = []
    private var nextSweep: UInt64 = 0
    /// Waiters on the tasks' cancel tokens, under `lock`.
    private var tokenWaiters: [ObjectIdentifier: CancelToken.Waiter] = [:]

    static let receiveBufferBytes = 2048

    init(engine: Engine) throws(KimiError) {
        self.engine = engine
        let driver = try SocketDriver()
        self.driver = driver
        driver.multi.set(CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let cap = engine.cap
        if cap.isLimited {
            driver.multi.set(CURLMOPT_MAX_TOTAL_CONNECTIONS, cap.maximum)
            cap.onRelease = { [driver] in driver.wakeup() }
        }
        thread = try spawnThread { [self] in run() }
    }

    var isCurrentThread: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Hands a new task to the loop. Any thread.
    func submit(_ task: LoopTask) throws(KimiError) {
        let tokens = task.call.request.tokens
        let waiter = tokens.isEmpty ? nil : CancelToken.Waiter { [weak self, weak task] in
            if let self, let task { self.cancel(task) }
        }
        let accepted = lock.withLock {
            guard !stopping else { return false }
            inbox.append(task)
            if let waiter { tokenWaiters[ObjectIdentifier(task)] = waiter }
            return true
        }
        guard accepted else { throw KimiError(.invalidArgument, "the client is being freed") }
        if let waiter { for token in tokens { token.register(waiter) } }
        driver.wakeup()
    }

    /// Ends `task` soon with `.aborted`, wherever it is. Any thread.
    func cancel(_ task: LoopTask) {
        task.call.stop()
        lock.withLock { cancels.append(task) }
        driver.wakeup()
    }

    /// Lets a task whose reading was paused read again. Any thread.
    func resume(_ task: LoopTask) {
        lock.withLock { resumes.append(task) }
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
        let idleMs = engine.config.idleTimeoutMs
        let sweepEvery = UInt64(idleMs == 0 ? 1000 : min(max(idleMs / 8, 10), 1000)) * 1_000_000
        while true {
            let (arrived, toCancel, toResume, stop) = lock.withLock { () -> ([LoopTask], [LoopTask], [LoopTask], Bool) in
                defer {
                    inbox.removeAll(keepingCapacity: true)
                    cancels.removeAll(keepingCapacity: true)
                    resumes.removeAll(keepingCapacity: true)
                }
                return (inbox, cancels, resumes, stopping)
            }
            queued += arrived
            if stop { break }
            for task in toCancel { expire(task, task.call.cancellation ?? KimiError(.aborted, "cancelled")) }
            for task in toResume where task.call.phase == .running && handleOf[ObjectIdentifier(task)] != nil {
                task.resumeReceiving()
                dirty.append(task)  // decode what waited in its buffer
            }
            let now = monotonicNanos()
            retryDue(now)
            startQueued()
            if now >= nextSweep {
                sweep(now)
                nextSweep = now &+ sweepEvery
            }
            publish()
            driver.wait(until: dirty.isEmpty ? nextDeadline() : now)  // resumed tasks have bytes to decode now
            deliverDirty()
            while let done = multi.nextCompletion() {
                guard let raw = done.easy else { continue }
                if let drained = draining.removeValue(forKey: raw) {
                    release(drained.easy)
                } else if let entry = running[raw] {
                    transferEnded(entry.task, done.result)
                }
            }
        }
        shutDown()
        publish()
    }

    /// When the loop must run next on its own account: the sweep while
    /// transfers run, the earliest end of a retry wait.
    private func nextDeadline() -> UInt64? {
        var at: UInt64? = running.isEmpty && draining.isEmpty ? nil : nextSweep
        for task in waiting {
            if let wake = task.call.wakeAt { at = min(at ?? wake, wake) }
        }
        return at
    }

    private func startQueued() {
        while queueHead < queued.count, engine.cap.tryAcquire() {
            let task = queued[queueHead]
            queueHead += 1
            if task.call.phase == .ready { begin(task) } else { engine.cap.release() }
        }
        if queueHead == queued.count {
            queued.removeAll(keepingCapacity: true)
            queueHead = 0
        }
    }

    /// Starts an attempt of `task`'s call; its slot is already taken.
    private func begin(_ task: LoopTask) {
        let easy: EasyHandle
        do throws(KimiError) {
            if let spare = spareHandles.popLast() { easy = spare } else { easy = try EasyHandle() }
        } catch {
            engine.cap.release()
            task.call.fail(error)
            settle(task)
            return
        }
        do throws(KimiError) {
            let transfer = try task.call.attach(easy)
            // Over TLS, wait for a multiplexing (HTTP/2) connection rather
            // than open another: ALPN settles at the handshake whether one
            // can be shared. Plain http:// is HTTP/1.1, where curl would only
            // learn that from the first answer and would hold every other
            // transfer until that one finished (a long stream, or one paused
            // by a full event queue, would stall them all).
            if transfer.request.url.utf8.starts(with: "https://".utf8) { easy.set(CURLOPT_PIPEWAIT, 1) }
            // A loop runs many transfers at once, mostly streams of small
            // events: a 2 KiB receive buffer instead of curl's 16 KiB saves
            // 14 KiB a transfer (14 MB for a thousand streams) for a few
            // more reads of large bodies.
            easy.set(CURLOPT_BUFFERSIZE, LoopDriver.receiveBufferBytes)
            guard multi.add(easy) == CURLM_OK else { throw KimiError(.internal, "curl_multi_add_handle failed") }
            running[easy.raw] = (task, easy)
            handleOf[ObjectIdentifier(task)] = easy.raw
            transfer.onStreamBytes = { [unowned self, unowned task] in dirty.append(task) }
        } catch {
            recycle(easy)
            engine.cap.release()
            task.call.fail(error)
            settle(task)
        }
    }

    /// Hands the tasks with new stream bytes what arrived.
    private func deliverDirty() {
        guard !dirty.isEmpty else { return }
        let batch = dirty
        dirty.removeAll(keepingCapacity: true)
        for task in batch where task.call.phase == .running && handleOf[ObjectIdentifier(task)] != nil {
            task.streamBytesArrived()
            delivered.append(task)
            if task.call.isFinished { endedByTask(task) }
        }
    }

    /// Ends the loop's round: what the tasks delivered becomes visible.
    private func publish() {
        guard !delivered.isEmpty else { return }
        for task in delivered { task.publishDeliveries() }
        delivered.removeAll(keepingCapacity: true)
    }

    private func transferEnded(_ task: LoopTask, _ code: CURLcode) {
        if let easy = detach(task) { recycle(easy) }
        task.call.transferEnded(code)
        // A stream's last bytes are read before its end is judged.
        if task.call.isStreaming { task.streamBytesArrived() }
        settle(task)
    }

    /// The task ended its own call while the transfer ran: after `[DONE]`
    /// the transfer drains (so the connection is reused); otherwise it is
    /// abandoned.
    private func endedByTask(_ task: LoopTask) {
        let drain = task.call.error == nil
        if let easy = detach(task, keepInMulti: drain) {
            if drain { draining[easy.raw] = (easy, monotonicNanos()) } else { recycle(easy) }
        }
        settle(task)
    }

    /// Where a call goes after a change: over, waiting to retry, or queued.
    private func settle(_ task: LoopTask) {
        switch task.call.phase {
        case .finished:
            if let waiter = lock.withLock({ tokenWaiters.removeValue(forKey: ObjectIdentifier(task)) }) {
                for token in task.call.request.tokens { token.unregister(waiter) }
            }
            task.callEnded()
            delivered.append(task)
        case .waiting: waiting.append(task)
        case .ready: queued.append(task)
        case .running: break
        }
    }

    private func retryDue(_ now: UInt64) {
        guard !waiting.isEmpty else { return }
        let due = waiting
        waiting.removeAll(keepingCapacity: true)
        for task in due {
            guard case .waiting(let until) = task.call.phase else { continue }
            if let expired = task.call.expiry(now: now) {
                task.call.fail(expired)
                settle(task)
            } else if until <= now {
                task.call.retryNow()
                settle(task)
            } else {
                waiting.append(task)
            }
        }
    }

    /// The clock of the running calls (idle and whole-call timeouts), and
    /// drains that take too long.
    private func sweep(_ now: UInt64) {
        for (_, entry) in running {
            if let expired = entry.task.call.expiry(now: now) { expire(entry.task, expired) }
        }
        for (raw, drained) in draining where now &- drained.since > 1_000_000_000 {
            draining.removeValue(forKey: raw)
            release(drained.easy)
        }
    }

    /// A cancel or the clock ended `task`'s current phase: its attempt stops
    /// (keeping what arrived) and the call decides: a retry or its end.
    private func expire(_ task: LoopTask, _ error: KimiError) {
        switch task.call.phase {
        case .finished:
            return
        case .running:
            if let easy = detach(task) { recycle(easy) }
        case .waiting:
            waiting.removeAll { $0 === task }
        case .ready:
            break
        }
        task.call.fail(error)
        settle(task)
    }

    /// Takes the task's transfer out of curl (unless it is to drain) and
    /// gives back its slot; returns its easy handle.
    private func detach(_ task: LoopTask, keepInMulti: Bool = false) -> EasyHandle? {
        task.call.transfer?.onStreamBytes = nil
        guard let raw = handleOf.removeValue(forKey: ObjectIdentifier(task)),
              let entry = running.removeValue(forKey: raw) else { return nil }
        if !keepInMulti { multi.remove(entry.easy) }
        engine.cap.release()
        return entry.easy
    }

    /// Keeps a few easy handles for the next attempts.
    private func recycle(_ easy: EasyHandle) {
        easy.set(CURLOPT_SHARE, pointer: nil)
        easy.reset()
        if spareHandles.count < 64 { spareHandles.append(easy) }
    }

    private func release(_ easy: EasyHandle) {
        multi.remove(easy)
        recycle(easy)
    }

    private func shutDown() {
        let freed = KimiError(.aborted, "the client was freed")
        let late = lock.withLock { inbox }
        let everyone = Array(queued[queueHead...]) + running.values.map(\.task) + waiting + late
        for task in everyone {
            task.call.stop()
            expire(task, freed)
        }
        for (_, drained) in draining { release(drained.easy) }
        draining.removeAll()
    }
}
