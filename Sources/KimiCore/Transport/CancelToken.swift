import Synchronization

/// Cancels calls from any thread. A call that uses the token registers the
/// multi handle it waits on; `cancel()` sets the flag and wakes that multi,
/// so a blocked call returns within one wake-up, even while the server is
/// silent, and without any polling loop.
public final class CancelToken: @unchecked Sendable {
    private let cancelled = Atomic<Bool>(false)
    private let lock = Lock()
    private var waiters: [ObjectIdentifier: MultiHandle] = [:]

    public init() {}

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    public func cancel() {
        cancelled.store(true, ordering: .releasing)
        lock.withLock { for multi in waiters.values { multi.wakeup() } }
    }

    /// Makes the token usable again for later calls.
    public func reset() { cancelled.store(false, ordering: .releasing) }

    func register(_ multi: MultiHandle) {
        lock.withLock { waiters[ObjectIdentifier(multi)] = multi }
        // A cancel that raced with registration must still wake the waiter.
        if isCancelled { multi.wakeup() }
    }

    func unregister(_ multi: MultiHandle) {
        _ = lock.withLock { waiters.removeValue(forKey: ObjectIdentifier(multi)) }
    }
}
