import Synchronization

/// One chat request run by a client's event loop: streamed (events go to
/// `onEvent` as they arrive) or not (`onEvent` hears only the `.end`).
///
/// Everything that touches curl or the decoder happens on the loop thread.
/// Other threads may wait for the task, cancel it, read how it ended, and
/// detach from it; `lock` guards what they share with the loop.
public final class ChatTask: @unchecked Sendable {
    public enum Kind { case stream, create }

    public let kind: Kind
    let client: Client
    let http: HTTPRequest
    let prefill: String?
    /// The events of a stream task; the C accessors read the current one.
    public let events: EventCursor
    /// Receives each event on the loop thread; false stops the task. Set by
    /// `start`.
    private var onEvent: ((ChatTask) -> Bool)?

    // Loop thread only.
    enum Place { case queued, running, backoff, draining, finished }
    var place = Place.queued
    var transfer: Transfer?
    var easy: EasyHandle?
    var retry = 0
    var retryAt: UInt64 = 0
    var started = false
    var isDirty = false
    var cancelQueued = false

    // Shared with other threads, under `lock`.
    private let lock = Lock()
    private var outcome: Status?
    private var failure: KimiError?
    private var answer: ChatResponse?
    /// True while the loop runs this task's callback; with `detachWaiting`
    /// this keeps the per-event cost to two atomic stores and loads, taking
    /// `lock` only when `detach` is waiting.
    private let inCallback = Atomic<Bool>(false)
    private let detachWaiting = Atomic<Bool>(false)
    private let detached = Atomic<Bool>(false)
    private let cancelled = Atomic<Bool>(false)
    /// Wakes the loop when the request's cancel token fires.
    var tokenWaiter: CancelToken.Waiter?

    init(kind: Kind, client: Client, http: HTTPRequest, prefill: String?) {
        self.kind = kind
        self.client = client
        self.http = http
        self.prefill = prefill
        events = EventCursor(maxEventBytes: client.config.maxEventBytes, maxResponseBytes: client.config.maxBodyBytes)
    }

    // MARK: - Any thread

    /// Hands the task to the client's event loop (started on first use).
    /// `onEvent` gets every event of a stream task, then the `.end` event
    /// (a create task: only that), on the loop thread. Call once.
    public func start(onEvent: ((ChatTask) -> Bool)?) throws(KimiError) {
        self.onEvent = onEvent
        try client.loopForTasks().submit(self)
    }

    /// True on the thread of the loop that runs this task's callbacks.
    public var isOnLoopThread: Bool { client.eventLoop?.isCurrentThread ?? false }

    /// How the task ended, nil while it runs.
    public var status: Status? { lock.withLock { outcome } }

    /// The failure of a task that ended with one.
    public var error: KimiError? { lock.withLock { failure } }

    /// The answer of a create task that succeeded, or what a stream task
    /// accumulated once it started (also after a failure); nil before it ends.
    public var response: ChatResponse? { lock.withLock { answer } }

    /// Waits until the task ends or `timeoutMs` passes (negative: no limit).
    /// Returns how it ended, or nil on timeout.
    public func wait(timeoutMs: Int64) -> Status? {
        let deadline = timeoutMs < 0 ? nil : KimiCore.deadline(afterMs: timeoutMs)
        return lock.withLock {
            while outcome == nil {
                if !lock.wait(until: deadline) && outcome == nil { return nil }
            }
            return outcome
        }
    }

    /// Asks the loop to stop the task; it ends with `.aborted` and keeps what
    /// arrived. Harmless once the task has ended.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        client.eventLoop?.requestCancel(self)
    }

    var isCancelRequested: Bool { cancelled.load(ordering: .acquiring) }

    /// No callback runs after this returns (called from a callback of this
    /// task on the loop thread, none runs after that callback). Cancels the
    /// task if it still runs.
    public func detach() {
        detached.store(true, ordering: .sequentiallyConsistent)
        cancel()
        guard !isOnLoopThread else { return }
        detachWaiting.store(true, ordering: .sequentiallyConsistent)
        lock.withLock {
            while inCallback.load(ordering: .sequentiallyConsistent) { lock.wait(until: nil) }
        }
    }

    // MARK: - Loop thread

    /// Calls `onEvent` for each event from the cursor's current one to the
    /// end of its message; false when the callback stopped the task.
    func deliverMessage() -> Bool {
        guard let onEvent else { return true }
        // Either detach sees the callback running and waits for it, or this
        // sees `detached` and makes no call (both sides are sequentially
        // consistent, so one of them sees the other).
        inCallback.store(true, ordering: .sequentiallyConsistent)
        defer {
            inCallback.store(false, ordering: .sequentiallyConsistent)
            if detachWaiting.load(ordering: .sequentiallyConsistent) { lock.withLock { lock.broadcast() } }
        }
        repeat {
            if detached.load(ordering: .sequentiallyConsistent) { return true }
            if !onEvent(self) { return false }
        } while events.advance()
        return true
    }

    /// Records how the task ended, delivers the `.end` event, then wakes the
    /// waiters: once `wait` returns, no callback of the task is left to run.
    func end(_ status: Status, error: KimiError?, response: ChatResponse?) {
        if kind == .stream { events.response.completePartial(prefix: prefill) }
        if let response { client.usage.record(response) }
        events.showEnd(status: status)
        _ = deliverMessage()
        lock.withLock {
            outcome = status
            failure = error
            answer = response
            lock.broadcast()
        }
    }
}
