import Synchronization

/// Cancels calls from any thread. A call that uses the token registers a
/// waiter (`Call.adopt`: it wakes the call's scheduler); `cancel()` sets the
/// flag and wakes each of them, so a blocked call returns within one
/// wake-up, even while the server is silent, and without any polling loop.
public final class CancelToken: @unchecked Sendable {
    /// Something a cancel must wake.
    final class Waiter: @unchecked Sendable {
        let wake: () -> Void
        init(_ wake: @escaping () -> Void) { self.wake = wake }
    }

    private let cancelled = Atomic<Bool>(false)
    private let lock = Lock()
    private var waiters: [ObjectIdentifier: Waiter] = [:]

    public init() {}

    public var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    public func cancel() {
        cancelled.store(true, ordering: .releasing)
        // Under the lock, so a waiter cannot unregister (and its multi
        // handle go away) while it is being woken.
        lock.withLock { for waiter in waiters.values { waiter.wake() } }
    }

    /// Makes the token usable again for later calls.
    public func reset() { cancelled.store(false, ordering: .releasing) }

    func register(_ waiter: Waiter) {
        lock.withLock { waiters[ObjectIdentifier(waiter)] = waiter }
        // A cancel that raced with registration must still wake the waiter.
        if isCancelled { waiter.wake() }
    }

    func unregister(_ waiter: Waiter) {
        _ = lock.withLock { waiters.removeValue(forKey: ObjectIdentifier(waiter)) }
    }
}
