import Glibc

/// A client's event loop: one thread that runs every task of the client on
/// one `Scheduler` over epoll (`SocketTransport`), so a thousand streams
/// cost a thousand sockets, not a thousand threads; HTTP/2 servers get them
/// multiplexed over few connections. Other threads hand it tasks, cancels
/// and resumes through `lock` and wake it through the transport.
final class EventLoop: @unchecked Sendable {
    private let scheduler: Scheduler
    private let transport: SocketTransport
    private let lock = Lock()
    private var thread = pthread_t()

    // Under `lock`: work from other threads.
    private var inbox: [Task] = []
    private var resumes: [Task] = []
    private var stopping = false

    /// Queues that got events this round (a queue signals its host once per
    /// round, not per event).
    /// (Loop thread only: not checked for overlapping access at run time.)
    @exclusivity(unchecked) private var delivered: [EventQueue] = []

    init(engine: Engine) throws(KimiError) {
        transport = try SocketTransport(maxConnections: engine.cap.maximum, coalesceMicros: engine.config.coalesceMicros)
        scheduler = Scheduler(transport: transport, cap: engine.cap, idleTimeoutMs: engine.config.idleTimeoutMs)
        thread = try spawnThread { [self] in run() }
    }

    var isCurrentThread: Bool { pthread_equal(pthread_self(), thread) != 0 }

    /// Hands a new task to the loop. Any thread.
    func submit(_ task: Task) throws(KimiError) {
        let (accepted, wake) = lock.withLock { () -> (Bool, Bool) in
            guard !stopping else { return (false, false) }
            let wake = handedOverNothing
            inbox.append(task)
            return (true, wake)
        }
        guard accepted else { throw KimiError(.invalidArgument, "the client is being freed") }
        if wake { transport.wakeup() }
    }

    /// Lets a task whose reading was paused read again. Any thread.
    func resume(_ task: Task) {
        let wake = lock.withLock { () -> Bool in
            let wake = handedOverNothing
            resumes.append(task)
            return wake
        }
        if wake { transport.wakeup() }
    }

    /// Under `lock`: nothing waits for the loop to take it. Only the first
    /// hand-over after the loop took the last ones wakes it: the loop takes
    /// every waiting one at once, so the rest ride on that wake-up (a
    /// thousand tasks started in a burst cost one wake-up, not a thousand
    /// eventfd writes and as many rounds of the loop).
    private var handedOverNothing: Bool { inbox.isEmpty && resumes.isEmpty }

    /// Ends every task (each with `.aborted`) and the thread. From the loop
    /// thread itself (a callback freeing the client) the thread ends after
    /// that callback returns.
    func stop() {
        lock.withLock { stopping = true }
        transport.wakeup()
        if isCurrentThread {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    // MARK: - The loop thread

    /// The loop's own thread adds the next call of a task (a job of several calls).
    func add(_ call: Call, for task: Task) { scheduler.add(call, owner: task) }

    /// A task delivered events to `queue` this round. A queue is noted once
    /// per run of deliveries to it, not once per message.
    func noteDelivered(to queue: EventQueue) {
        if delivered.last !== queue { delivered.append(queue) }
    }

    private func run() {
        while true {
            let (arrived, toResume, stop) = lock.withLock { () -> ([Task], [Task], Bool) in
                defer {
                    inbox.removeAll(keepingCapacity: true)
                    resumes.removeAll(keepingCapacity: true)
                }
                return (inbox, resumes, stopping)
            }
            for task in arrived { task.begin(on: scheduler) }
            if stop { break }
            for task in toResume {
                // What waited in its buffer is read now; that may end it.
                task.resumeReceiving()
                if let call = task.call { scheduler.reap(call) }
            }
            publish()
            if scheduler.isIdle {
                // Nothing runs: sleep until another thread hands over work (or
                // a connection's drain or curl's own timer is due). A round
                // with no call returns at once, and looping on it kept a core
                // busy for as long as the client lived.
                transport.wait(until: nil)
            } else {
                scheduler.round()
            }
        }
        let late = lock.withLock { inbox }
        for task in late { task.begin(on: scheduler) }
        scheduler.close(.clientFreed)
        transport.shutDown()
        publish()
    }

    /// Ends the loop's round: what the tasks delivered becomes visible.
    private func publish() {
        guard !delivered.isEmpty else { return }
        for queue in delivered { queue.publish() }
        delivered.removeAll(keepingCapacity: true)
    }
}
