/// A client's cap on requests in flight at once (Kimi's tiers cap
/// concurrency). Blocking calls wait for a slot, cancellably; the event loop
/// takes slots without waiting and queues its tasks until one frees up. No
/// cap (the default) makes every operation a no-op.
final class ConnectionCap: @unchecked Sendable {
    let maximum: Int
    private let lock = Lock()
    private var inUse = 0
    /// Called (outside the lock) when a slot frees up, so the event loop can
    /// start a queued task.
    var onRelease: (@Sendable () -> Void)?

    init(maximum: Int) { self.maximum = maximum }

    var isLimited: Bool { maximum > 0 }

    /// Takes a slot if one is free.
    func tryAcquire() -> Bool {
        guard isLimited else { return true }
        return lock.withLock {
            guard inUse < maximum else { return false }
            inUse += 1
            return true
        }
    }

    /// Takes a slot, waiting for one; any of `cancel` ends the wait with `.aborted`.
    func acquire(cancel: [CancelToken], label: String) throws(KimiError) {
        guard isLimited, !tryAcquire() else { return }
        let waiter = CancelToken.Waiter { [lock] in lock.withLock { lock.broadcast() } }
        for token in cancel { token.register(waiter) }
        defer { for token in cancel { token.unregister(waiter) } }
        try lock.withLock { () throws(KimiError) in
            while inUse >= maximum {
                if cancel.contains(where: \.isCancelled) {
                    throw KimiError(.aborted, "cancelled through the cancel token while waiting for a connection slot for \(label)")
                }
                lock.wait(until: nil)
            }
            inUse += 1
        }
    }

    func release() {
        guard isLimited else { return }
        lock.withLock {
            inUse -= 1
            lock.broadcast()
        }
        onRelease?()
    }
}
