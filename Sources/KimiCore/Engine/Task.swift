import Synchronization

/// What a task runs: the calls of one endpoint, and what their answers mean.
/// Written once, run in both call styles: on the client's loop as a `Task`,
/// or on the caller's thread by `JobRun`. A job runs on the thread running
/// it (but `start`, made on the caller's thread, so a bad request fails at
/// once).
protocol Job: AnyObject {
    /// The task's events, as the C accessors and event queues read them.
    var events: TaskEvents { get }
    /// The first call, or the result of a job with nothing to ask (the
    /// results of a batch that has none).
    func start() throws(KimiError) -> JobStep
    /// Bytes of the call's streamed answer arrived, or its attempt ended:
    /// make events of what there is, and hand each batch to `deliver`
    /// (false: the task's callback stopped it).
    func received(_ call: Call, deliver: () -> Bool)
    /// The call is over: the job's next call, or its end.
    func ended(_ call: Call) -> JobStep
    /// `deliver` hands the current event on at any time on the loop thread
    /// (an upload's progress, reported from inside a transfer).
    func attach(deliver: @escaping () -> Bool)
    /// The caller let go of the task (freed its handle), from any thread:
    /// what the job borrowed from the caller (an upload's memory) is read
    /// no more once this returns.
    func callerLetGo()
}

extension Job {
    func attach(deliver: @escaping () -> Bool) {}
    func callerLetGo() {}
}

/// What a job does after a call.
enum JobStep {
    /// Runs `call` next (a batch polled again, the next file of results).
    case next(Call)
    /// The job is over: its result, or its failure (with what the job had
    /// made by then: a stream's partial answer).
    case done(TaskResult?, KimiError?)
}

/// What a task gives when it ended.
public enum TaskResult {
    case chat(ChatResponse)
    case file(FileObject)
    case files([FileObject])
    case deleted(Bool)
    case batch(Batch)
    case batches([Batch])
    case batchPage(BatchPage)
    case model(ModelInfo)
    case models([ModelInfo])
    case balance(Balance)
    /// Tokens of an estimate, bytes of a file's content.
    case count(Int64)
}

/// Events a task hands on: a chat stream's (`EventCursor`), or one at a
/// time (`JobEvents`). The current one is what the accessors read; each
/// batch goes whole to an event queue.
public protocol TaskEvents: EventReading {
    /// Every event of the current batch, from the current one on.
    func forEachPending(_ body: (StreamEvent) -> Void)
    /// Moves to the next event of the batch; false at its end.
    func advance() -> Bool
    /// Makes the task's `.end` event (with `status`) current.
    func showEnd(status: Status)
}

/// A request run in the background on the client's event loop, for any
/// endpoint: its job says what the calls are and what their answers mean;
/// the task hands the job's events to a callback or an event queue, keeps
/// the result, and tells waiters when it ended.
///
/// Everything that touches the calls or the job happens on the loop
/// thread. Other threads may wait for the task, cancel it, read how it
/// ended, and detach from it; `lock` guards what they share with the loop.
public final class Task: @unchecked Sendable, Scheduler.Owner, QueueProducer {
    /// Where a task's events go.
    public enum Delivery {
        /// Nowhere: wait for the task and read its result.
        case none
        /// To a callback on the loop thread; false stops the task.
        case callback((Task) -> Bool)
        /// Copied into a queue that a host loop drains on its own thread.
        case queue(EventQueue)
    }

    let job: Job
    /// The call running now (the loop thread changes it between calls,
    /// under `lock`); nil for a job that needed none.
    private(set) var call: Call?
    /// The end of a job that needed no call.
    private var endWithoutCalls: (TaskResult?, KimiError?)?
    private let engine: Engine
    /// The loop running this task, set once when it starts. Its own, not
    /// the engine's current one: a client being freed lets go of its loop
    /// before that loop ends its tasks, and those ends must still be
    /// published to their queues (and a next call added to that loop).
    private var loop: EventLoop?
    /// The events the C accessors read.
    public var events: TaskEvents { job.events }
    private var delivery = Delivery.none
    private var member: EventQueue.Member?

    // Shared with other threads, under `lock`.
    private let lock = Lock()
    private var outcome: Status?
    /// The END was handed on: queued, or its callback returned (`wait`).
    private var endHandedOn = false
    private var failure: KimiError?
    private var result: TaskResult?
    /// The answer's metadata once its headers are in (a stream that started,
    /// or the end of a call that got an answer).
    private var head: ResponseMetadata?
    /// The loop took `head` (loop thread only).
    private var headTaken = false
    /// True while the loop runs this task's callback; with `detachWaiting`
    /// this keeps the per-event cost to two atomic stores and loads, taking
    /// `lock` only when `detach` is waiting.
    private let inCallback = Atomic<Bool>(false)
    private let detachWaiting = Atomic<Bool>(false)
    private let detached = Atomic<Bool>(false)
    private let cancelled = Atomic<Bool>(false)

    init(_ job: Job, engine: Engine) throws(KimiError) {
        self.job = job
        self.engine = engine
        switch try job.start() {
        case .next(let first): call = first
        case .done(let result, let error): endWithoutCalls = (result, error)
        }
    }

    // MARK: - Any thread

    /// Hands the task to the client's event loop (started on first use).
    /// Events go to `delivery`, then the `.end` event. Call once. `tags` come
    /// back with each queued event (the C layer: the task's handle and the
    /// caller's user data).
    public func start(_ delivery: Delivery, tags: (handle: UInt, user: UInt) = (0, 0)) throws(KimiError) {
        self.delivery = delivery
        if case .queue(let queue) = delivery { member = queue.join(self, tags: tags) }
        job.attach { [weak self] in self?.deliverBatch() ?? false }
        let loop = try engine.loopForTasks()
        self.loop = loop
        try loop.submit(self)
    }

    /// True on the thread of the loop that runs this task's callbacks.
    public var isOnLoopThread: Bool { loop?.isCurrentThread ?? false }

    /// How the task ended, nil while it runs.
    public var status: Status? { lock.withLock { outcome } }

    /// The failure of a task that ended with one.
    public var error: KimiError? { lock.withLock { failure } }

    /// What the task gave: its result, or (a stream) what arrived before it
    /// failed; nil before it ends.
    public var taskResult: TaskResult? { lock.withLock { result } }

    /// The chat answer of a chat task (see `taskResult`).
    public var response: ChatResponse? {
        guard case .chat(let response) = taskResult else { return nil }
        return response
    }

    /// The answer's metadata (status, headers, request id, first byte) once
    /// its headers are in, while the stream still runs; nil before.
    public var responseHead: ResponseMetadata? { lock.withLock { head } }

    /// Waits until the task ends or `timeoutMs` passes (negative: no limit).
    /// Returns how it ended, or nil on timeout.
    /// Just looking (0) sees the outcome as soon as it is set (for a queue,
    /// just before its END is queued); a wait ends once the END was handed
    /// on too.
    public func wait(timeoutMs: Int64) -> Status? {
        let deadline = timeoutMs < 0 ? nil : KimiCore.deadline(afterMs: timeoutMs)
        return lock.withLock {
            func over() -> Bool { outcome != nil && (timeoutMs == 0 || endHandedOn) }
            while !over() {
                if !lock.wait(until: deadline) && !over() { return nil }
            }
            return outcome
        }
    }

    /// Asks the loop to stop the task: a request, never a wait. It ends with
    /// `.aborted` (its `.end` event still comes) and keeps what arrived;
    /// events it queued and nobody took yet are dropped, and none but its
    /// `.end` is delivered after this (one being delivered on the loop
    /// thread meanwhile may still come). Harmless once the task has ended.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if case .queue(let queue) = delivery, let member { queue.cancel(member) }
        // `call` changes on the loop thread between the calls of a job.
        lock.withLock { call }?.cancel(.task)
    }

    /// No callback runs and no event is queued after this returns (called
    /// from a callback of this task on the loop thread, none runs after that
    /// callback), and nothing the job borrowed from the caller is read.
    /// Cancels the task if it still runs and drops its queued events.
    public func detach() {
        detached.store(true, ordering: .sequentiallyConsistent)
        cancel()
        job.callerLetGo()
        guard !isOnLoopThread else { return }
        detachWaiting.store(true, ordering: .sequentiallyConsistent)
        lock.withLock {
            while inCallback.load(ordering: .sequentiallyConsistent) { lock.wait(until: nil) }
        }
        dropQueued()
    }

    /// Drops the task's events nobody took from its queue.
    private func dropQueued() {
        if case .queue(let queue) = delivery, let member { queue.drop(member) }
    }

    /// The queue this task stopped for has room again. Any thread.
    public func queueHasRoom() { loop?.resume(self) }

    // MARK: - Loop thread (Scheduler.Owner)

    func received(_ call: Call) {
        if !headTaken, call.isStreaming {
            headTaken = true
            let metadata = call.metadata()
            lock.withLock { head = metadata }
        }
        var stopped = false
        job.received(call) {
            stopped = !deliverBatch()
            return !stopped
        }
        if stopped { call.stopNow(.callback) }
        // What one round of reading brought is queued; a host that far
        // behind stops this task's reading until it caught up.
        if case .queue(let queue) = delivery, let member, !call.isFinished, queue.isFull(for: member) {
            call.transfer?.pauseReceiving()
        }
    }

    func ended(_ call: Call) {
        switch job.ended(call) {
        case .next(let next):
            // Under `lock`, as `cancel` reads it: either that cancels `next`,
            // or this sees the task cancelled.
            let cancelledBefore = lock.withLock { () -> Bool in
                self.call = next
                return cancelled.load(ordering: .acquiring)
            }
            if cancelledBefore { next.cancel(.task) }
            loop?.add(next, for: self)
        case .done(let result, let error):
            finish(result, error, call)
        }
    }

    /// The loop takes the task on: its first call joins `scheduler`, or a
    /// job that needed none ends now.
    func begin(on scheduler: Scheduler) {
        if let call {
            scheduler.add(call, owner: self)
        } else {
            finish(endWithoutCalls?.0, endWithoutCalls?.1, nil)
        }
    }

    /// Reads again after a pause: what waited in the buffer first.
    func resumeReceiving() {
        guard let call, !call.isFinished, let transfer = call.transfer, transfer.isPaused else { return }
        transfer.resumeReceiving()
        received(call)
    }

    private func finish(_ result: TaskResult?, _ error: KimiError?, _ call: Call?) {
        var error = error
        // Cancelled before it ended, it ends `.aborted` as `cancel` promises,
        // also when its last call completed in the round that saw the cancel.
        if error == nil, cancelled.load(ordering: .acquiring) {
            error = call?.cancellation ?? KimiError(.aborted, "cancelled")
        }
        let status = error?.status ?? .ok
        events.showEnd(status: status)
        let finalHead = headOf(result) ?? (call?.transfer?.status ?? 0 > 0 ? call?.metadata() : nil)
        let conclude = { (handedOn: Bool) in
            self.lock.withLock {
                self.outcome = status
                self.failure = error
                self.result = result
                if let finalHead { self.head = finalHead }
                self.endHandedOn = handedOn
                self.lock.broadcast()
            }
        }
        // A queue's reader asks how the task ended as soon as it takes the
        // END, on its own thread (kimi_task_wait with timeout 0): the outcome
        // is set before the END is queued (it was set after, and a reader
        // fast enough got KIMI_E_PENDING), and a wait ends once it is queued.
        // A callback's END has returned before either, as kimi_task_wait
        // promises.
        if case .queue = delivery {
            conclude(false)
            _ = deliverBatch()
            lock.withLock {
                endHandedOn = true
                lock.broadcast()
            }
        } else {
            _ = deliverBatch()
            conclude(true)
        }
        // The ended call (its transfer's buffers, its request body) is let go
        // here, on the loop thread that allocated most of it, not when the
        // host frees the task: a free from another thread takes this
        // thread's malloc arena lock, which the busy loop holds often.
        lock.withLock { self.call = nil }
    }

    private func headOf(_ result: TaskResult?) -> ResponseMetadata? {
        if case .chat(let response) = result { return response.metadata }
        return nil
    }

    /// Hands each event from the current one to the end of its batch to the
    /// task's delivery; false when a callback stopped the task.
    private func deliverBatch() -> Bool {
        if case .none = delivery { return true }
        // Either detach sees the delivery running and waits for it, or this
        // sees `detached` and delivers nothing (both sides are sequentially
        // consistent, so one of them sees the other).
        inCallback.store(true, ordering: .sequentiallyConsistent)
        defer {
            inCallback.store(false, ordering: .sequentiallyConsistent)
            if detachWaiting.load(ordering: .sequentiallyConsistent) { lock.withLock { lock.broadcast() } }
        }
        switch delivery {
        case .none:
            return true
        case .queue(let queue):
            if !detached.load(ordering: .sequentiallyConsistent), let member {
                queue.push(events, from: member)
                loop?.noteDelivered(to: queue)
            }
            return true
        case .callback(let onEvent):
            repeat {
                if detached.load(ordering: .sequentiallyConsistent) { return true }
                // After a cancel only the end is told, as a queue keeps only it.
                if cancelled.load(ordering: .acquiring), events.currentEvent?.type != .end { continue }
                if !onEvent(self) { return false }
            } while events.advance()
            return true
        }
    }
}
