import Synchronization

/// One chat request run by a client's event loop: streamed (its events go
/// to a callback or an event queue as they arrive) or not (only the `.end`).
///
/// The loop runs the task's `Call`; the task decodes what the call brings
/// and settles how it ended. Everything that touches curl or the decoder
/// happens on the loop thread. Other threads may wait for the task, cancel
/// it, read how it ended, and detach from it; `lock` guards what they share
/// with the loop.
public final class ChatTask: @unchecked Sendable, LoopTask, QueueProducer {
    public enum Kind { case stream, create }

    /// Where a task's events go.
    public enum Delivery {
        /// Nowhere: wait for the task and read its response.
        case none
        /// To a callback on the loop thread; false stops the task.
        case callback((ChatTask) -> Bool)
        /// Copied into a queue that a host loop drains on its own thread.
        case queue(EventQueue)
    }

    public let kind: Kind
    let call: Call
    private let engine: Engine
    private let prefill: String?
    /// The events of a stream task; the C accessors read the current one.
    public let events: EventCursor
    private var delivery = Delivery.none
    /// The task's place in its event queue (a `.queue` delivery).
    private var member: EventQueue.Member?

    // Shared with other threads, under `lock`.
    private let lock = Lock()
    private var outcome: Status?
    private var failure: KimiError?
    private var answer: ChatResponse?
    /// The answer's metadata once its headers are in (a stream that
    /// started, or the end of a call that got an answer).
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

    init(kind: Kind, call: Call, engine: Engine, prefill: String?) {
        self.kind = kind
        self.call = call
        self.engine = engine
        self.prefill = prefill
        events = EventCursor(maxEventBytes: engine.config.maxEventBytes, maxResponseBytes: engine.config.maxBodyBytes,
                             gate: engine.config.gate)
    }

    // MARK: - Any thread

    /// Hands the task to the client's event loop (started on first use).
    /// Events go to `delivery`: every event of a stream task, then the
    /// `.end` event (a create task: only that). Call once. `tags` come
    /// back with each queued event (the C layer: the task's handle and the
    /// caller's user data).
    public func start(_ delivery: Delivery, tags: (handle: UInt, user: UInt) = (0, 0)) throws(KimiError) {
        self.delivery = delivery
        if case .queue(let queue) = delivery { member = queue.join(self, tags: tags) }
        try engine.loopForTasks().submit(self)
    }

    /// True on the thread of the loop that runs this task's callbacks.
    public var isOnLoopThread: Bool { engine.eventLoop?.isCurrentThread ?? false }

    /// How the task ended, nil while it runs.
    public var status: Status? { lock.withLock { outcome } }

    /// The failure of a task that ended with one.
    public var error: KimiError? { lock.withLock { failure } }

    /// The answer of a create task that succeeded, or what a stream task
    /// accumulated once it started (also after a failure); nil before it ends.
    public var response: ChatResponse? { lock.withLock { answer } }

    /// The answer's metadata (status, headers, request id, first byte) once
    /// its headers are in, while the stream still runs; nil before.
    public var responseHead: ResponseMetadata? { lock.withLock { head } }

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
    /// arrived. Events it queued and nobody drained yet are dropped.
    /// Harmless once the task has ended.
    public func cancel() {
        guard !cancelled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        dropQueued()
        engine.eventLoop?.cancel(self)
    }

    /// No callback runs and no event is queued after this returns (called
    /// from a callback of this task on the loop thread, none runs after that
    /// callback). Cancels the task if it still runs and drops its queued
    /// events.
    public func detach() {
        detached.store(true, ordering: .sequentiallyConsistent)
        cancel()
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

    // MARK: - Loop thread (LoopTask)

    func streamBytesArrived() {
        guard kind == .stream, let transfer = call.transfer, transfer.mode == .stream else { return }
        if !headTaken {
            headTaken = true
            let metadata = call.metadata()
            lock.withLock { head = metadata }
        }
        do throws(KimiError) {
            while try events.decode(transfer.inbound) {
                if !deliverMessage() {
                    call.end(KimiError(.aborted, "the stream callback returned non-zero (\(call.request.label))"))
                    return
                }
                if events.sawDone {
                    call.end(nil)
                    return
                }
            }
            events.compact(transfer.inbound)
            // What arrived is queued (at most what one round of reading
            // brings: curl may read many 2 KiB buffers in one round); if the
            // host is that far behind, read no more until it caught up.
            if case .queue(let queue) = delivery, let member, queue.isFull(for: member) { transfer.pauseReceiving() }
        } catch {
            call.end(error)
        }
    }

    /// The queue this task stopped for has room again. Any thread.
    public func queueHasRoom() {
        engine.eventLoop?.resume(self)
    }

    /// Reads again after a pause (loop thread).
    func resumeReceiving() {
        call.transfer?.resumeReceiving()
    }

    func publishDeliveries() {
        if case .queue(let queue) = delivery { queue.publish() }
    }

    func callEnded() {
        var error = call.error
        var response: ChatResponse?
        switch kind {
        case .create:
            if error == nil, let transfer = call.transfer {
                do throws(KimiError) {
                    response = try Chat.completion(of: transfer, gate: engine.config.gate)
                } catch let failure {
                    error = failure
                }
            }
        case .stream:
            if call.isStreaming {
                response = events.response
                if error == nil && !events.sawDone {
                    var ending = events.endOfInputError(transportError: call.streamEnd, label: call.request.label)
                    ending.httpStatus = call.transfer?.status ?? 0
                    call.end(ending)
                    error = call.error
                }
            }
        }
        if let response {
            Chat.finish(response, call: call, prefill: prefill, firstTokenAt: events.firstTokenAt, usage: engine.usage)
        }
        let status = error?.status ?? .ok
        events.showEnd(status: status)
        _ = deliverMessage()
        let finalHead = response?.metadata ?? (call.transfer?.status ?? 0 > 0 ? call.metadata() : nil)
        lock.withLock {
            outcome = status
            failure = error
            answer = response
            if let finalHead { head = finalHead }
            lock.broadcast()
        }
    }

    /// Hands each event from the cursor's current one to the end of its
    /// message to the task's delivery; false when a callback stopped the task.
    private func deliverMessage() -> Bool {
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
            if !detached.load(ordering: .sequentiallyConsistent), let member { queue.push(events, from: member) }
            return true
        case .callback(let onEvent):
            repeat {
                if detached.load(ordering: .sequentiallyConsistent) { return true }
                if !onEvent(self) { return false }
            } while events.advance()
            return true
        }
    }
}
