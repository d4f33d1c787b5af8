import Synchronization

/// Runs calls: admits them past the client's connection cap, starts their
/// attempts on a transport, waits for the transport or the earliest deadline
/// (an idle or whole-call timeout, the end of a retry wait), then settles what
/// happened: streamed bytes go to the call's owner, an ended attempt is
/// judged by its call, expired calls fail, due retries start again.
///
/// One implementation for every call style. A blocking call runs a
/// scheduler of its own, for itself, on the caller's thread (as
/// curl_easy_perform runs a private multi handle); the client's event loop
/// runs one for all its tasks. Waiting for a slot under the cap and waiting
/// out a retry are phases of the call, woken like everything else: by the
/// transport's wake-up. Everything but `cancelled` runs on the thread that
/// runs the scheduler.
final class Scheduler: @unchecked Sendable {
    /// Told what happens to a call it owns (a task). A blocking caller owns
    /// nothing: it looks at its call after each round.
    protocol Owner: AnyObject {
        /// Bytes of the call's streamed answer arrived, or its attempt ended:
        /// read and deliver what there is (`Call.pull` until it waits).
        func received(_ call: Call)
        /// The call is over; nothing of it runs on the scheduler after this.
        func ended(_ call: Call)
    }

    /// A call in this scheduler, and what the scheduler keeps for it.
    private final class Entry {
        let call: Call
        weak var owner: Owner?
        /// It holds a slot under the connection cap.
        var holdsSlot = false
        /// Its attempt is in the transport.
        var inTransport = false
        /// Its bytes were noticed this round already.
        var noticed = false
        init(_ call: Call, owner: Owner?) {
            self.call = call
            self.owner = owner
        }
    }

    let transport: Transport
    private let cap: ConnectionCap
    /// How often running calls' clocks are checked with many calls (at most).
    private let sweepEvery: UInt64
    private var entries: [ObjectIdentifier: Entry] = [:]
    /// Calls waiting for a slot, in order.
    private var queued: [Entry] = []
    private var queuedHead = 0
    private var retrying: [Entry] = []
    /// Calls whose bytes arrived this round, and the array they are
    /// delivered from (swapped, so neither is copied per round).
    private var received: [Entry] = []
    private var delivering: [Entry] = []
    private var nextSweep: UInt64 = 0
    private var waitingForSlot = false

    private let inboxLock = Lock()
    /// Calls cancelled from other threads since the last round.
    private var cancels: [Call] = []
    /// `cancels` is not empty (set under `inboxLock`): a round looks at
    /// the inbox, and takes the lock, only then.
    private let cancelsWaiting = Atomic<Bool>(false)

    init(transport: Transport, cap: ConnectionCap, idleTimeoutMs: UInt32) {
        self.transport = transport
        self.cap = cap
        sweepEvery = UInt64(idleTimeoutMs == 0 ? 1000 : min(max(idleTimeoutMs / 8, 10), 1000)) * 1_000_000
    }

    /// Calls in the scheduler.
    var count: Int { entries.count }

    /// Takes `call` on (queued for a slot, or waiting until its start time);
    /// `owner` is told what happens to it.
    func add(_ call: Call, owner: Owner? = nil) {
        let entry = Entry(call, owner: owner)
        entries[ObjectIdentifier(call)] = entry
        call.adopt { [weak self] call in self?.cancelled(call) }
        settle(entry)
    }

    /// A call was cancelled, from any thread: settled at the next round.
    private func cancelled(_ call: Call) {
        inboxLock.withLock {
            cancels.append(call)
            cancelsWaiting.store(true, ordering: .releasing)
        }
        transport.wakeup()
    }

    // MARK: - A round

    /// Starts what may start, waits for the transport (no later than
    /// `until`, nor than the earliest deadline of a call), then settles what
    /// happened.
    /// No call runs, waits or is queued: a round would have nothing to do.
    var isIdle: Bool { entries.isEmpty }

    func round(until: UInt64? = nil) {
        settleCancels()
        let now = monotonicNanos()
        retryDue(now)
        admitQueued()
        if now >= nextSweep || entries.count <= 1 {
            sweep(now)
            nextSweep = now &+ sweepEvery
        }
        guard !entries.isEmpty else { return }
        transport.wait(until: received.isEmpty ? earliest(until) : now)
        deliverReceived()
        while let (call, end) = transport.nextEnded() {
            guard let entry = entries[ObjectIdentifier(call)], entry.inTransport else { continue }
            entry.inTransport = false
            releaseSlot(entry)
            call.attemptEnded(end)
            if call.isStreaming, let owner = entry.owner { owner.received(call) }
            settle(entry)
        }
    }

    /// When the scheduler must run again on its own account: the sweep while
    /// attempts run, the earliest wake-up of a call waiting or queued.
    private func earliest(_ until: UInt64?) -> UInt64? {
        var at = until
        func take(_ time: UInt64?) { if let time { at = min(at ?? time, time) } }
        if entries.count <= 1 {
            for entry in entries.values { take(entry.call.wakeAt) }
        } else {
            take(nextSweep)
            for entry in retrying { take(entry.call.wakeAt) }
        }
        return at
    }

    private func settleCancels() {
        guard cancelsWaiting.load(ordering: .acquiring) else { return }
        let cancelled = inboxLock.withLock { () -> [Call] in
            defer { cancels.removeAll(keepingCapacity: true) }
            cancelsWaiting.store(false, ordering: .relaxed)
            return cancels
        }
        for call in cancelled {
            guard let entry = entries[ObjectIdentifier(call)], let error = call.cancellation else { continue }
            expire(entry, error)
        }
    }

    /// Calls whose retry wait is over queue again for a slot.
    private func retryDue(_ now: UInt64) {
        guard !retrying.isEmpty else { return }
        let due = retrying
        retrying.removeAll(keepingCapacity: true)
        for entry in due {
            guard case .waiting(let until) = entry.call.phase else { continue }
            if let error = entry.call.expiry(now: now) {
                entry.call.fail(error)
                settle(entry)
            } else if until <= now {
                entry.call.retryNow()
                settle(entry)
            } else {
                retrying.append(entry)
            }
        }
    }

    /// Queued calls take free slots, in order, and start their attempts.
    private func admitQueued() {
        guard queuedHead < queued.count || waitingForSlot else { return }
        while queuedHead < queued.count {
            let entry = queued[queuedHead]
            guard entry.call.phase == .queued, entries[ObjectIdentifier(entry.call)] != nil else {
                queuedHead += 1
                continue
            }
            guard cap.tryAcquire() else { break }
            queuedHead += 1
            entry.holdsSlot = true
            entry.call.admitted()
            start(entry)
        }
        if queuedHead == queued.count {
            queued.removeAll(keepingCapacity: true)
            queuedHead = 0
        }
        // Queued calls wait for a release of the cap to wake this scheduler.
        let waiting = queuedHead < queued.count
        if waiting != waitingForSlot {
            waitingForSlot = waiting
            if waiting {
                cap.addWaiter(self) { [weak self] in self?.transport.wakeup() }
            } else {
                cap.removeWaiter(self)
            }
        }
    }

    private func start(_ entry: Entry) {
        do throws(KimiError) {
            _ = try transport.start(entry.call) { [unowned self, unowned entry] in
                guard !entry.noticed else { return }
                entry.noticed = true
                received.append(entry)
            }
            entry.inTransport = true
        } catch {
            releaseSlot(entry)
            entry.call.fail(error)
            settle(entry)
        }
    }

    private func deliverReceived() {
        guard !received.isEmpty else { return }
        swap(&received, &delivering)
        for entry in delivering {
            entry.noticed = false
            guard entry.inTransport, entry.call.phase == .running else { continue }
            entry.owner?.received(entry.call)
            if entry.call.isFinished { settle(entry) }
        }
        delivering.removeAll(keepingCapacity: true)
    }

    /// The clock of the calls: whole-call and idle timeouts, cancels seen
    /// through the callers' tokens.
    private func sweep(_ now: UInt64) {
        // Expiring changes `entries`: the (rare) expired ones are found first.
        var due: [Entry] = []
        for entry in entries.values where entry.call.phase != .finished && entry.call.expiry(now: now) != nil {
            due.append(entry)
        }
        for entry in due where entry.call.phase != .finished {
            if let error = entry.call.expiry(now: now) { expire(entry, error) }
        }
    }

    // MARK: - Settling a call

    /// A cancel or the clock ended `entry`'s current phase: its attempt
    /// stops (keeping what arrived) and the call decides: a retry or its end.
    private func expire(_ entry: Entry, _ error: KimiError) {
        guard entry.call.phase != .finished else { return }
        abandonAttempt(entry)
        entry.call.fail(error)
        settle(entry)
    }

    /// Where a call goes after a change: over, waiting to retry, queued.
    private func settle(_ entry: Entry) {
        let call = entry.call
        switch call.phase {
        case .finished:
            if entry.inTransport {
                entry.inTransport = false
                transport.stop(call, drain: call.error == nil)
            }
            releaseSlot(entry)
            entries.removeValue(forKey: ObjectIdentifier(call))
            entry.owner?.ended(call)
        case .waiting:
            retrying.append(entry)
        case .queued:
            queued.append(entry)
        case .ready, .running:
            break
        }
    }

    private func abandonAttempt(_ entry: Entry) {
        if entry.inTransport {
            entry.inTransport = false
            transport.stop(entry.call, drain: false)
        }
        releaseSlot(entry)
    }

    private func releaseSlot(_ entry: Entry) {
        guard entry.holdsSlot else { return }
        entry.holdsSlot = false
        cap.release()
    }

    // MARK: - From the owner of a call (its thread)

    /// The call was finished by its reader (a pull stream's `pull` decided
    /// its end): its attempt leaves the transport, its slot is given back.
    func reap(_ call: Call) {
        guard call.isFinished, let entry = entries[ObjectIdentifier(call)] else { return }
        settle(entry)
    }

    /// Ends `call` now with `error` (a reader's stop, a client freed): its
    /// attempt is abandoned, whatever phase it is in.
    func end(_ call: Call, _ error: KimiError) {
        guard let entry = entries[ObjectIdentifier(call)] else { return }
        expire(entry, error)
        if !call.isFinished {  // a retry wait it would have gone into
            call.fail(error)
            settle(entry)
        }
    }

    /// Ends every call (stopped for `reason`) and lets go of the cap; a
    /// call an owner adds while its last one ends is ended too.
    func close(_ reason: Call.Stop) {
        while let entry = entries.values.first {
            // One its reader finished but did not reap yet only leaves.
            if entry.call.isFinished {
                settle(entry)
                continue
            }
            entry.call.cancel(reason)
            end(entry.call, entry.call.cancellation ?? KimiError(.aborted, "stopped (\(entry.call.request.label))"))
        }
        if waitingForSlot {
            waitingForSlot = false
            cap.removeWaiter(self)
        }
    }
}
