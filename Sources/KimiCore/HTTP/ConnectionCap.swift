/// A client's cap on requests in flight at once (Kimi's tiers cap
/// concurrency), shared by every scheduler of the client: its blocking calls
/// and its event loop. A call takes a slot for each attempt; a scheduler with
/// calls waiting for one registers a wake-up, called whenever a slot frees.
/// No cap (the default) makes every operation a no-op.
final class ConnectionCap: @unchecked Sendable {
    let maximum: Int
    private let lock = Lock()
    private var inUse = 0
    private var waiters: [ObjectIdentifier: @Sendable () -> Void] = [:]

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

    func release() {
        guard isLimited else { return }
        let wake = lock.withLock { () -> [@Sendable () -> Void] in
            inUse -= 1
            return Array(waiters.values)
        }
        for waiter in wake { waiter() }
    }

    /// `wake` is called (outside the lock, from the releasing thread) each
    /// time a slot frees, until `removeWaiter(owner)`.
    func addWaiter(_ owner: AnyObject, _ wake: @escaping @Sendable () -> Void) {
        guard isLimited else { return }
        lock.withLock { waiters[ObjectIdentifier(owner)] = wake }
    }

    func removeWaiter(_ owner: AnyObject) {
        guard isLimited else { return }
        _ = lock.withLock { waiters.removeValue(forKey: ObjectIdentifier(owner)) }
    }
}
