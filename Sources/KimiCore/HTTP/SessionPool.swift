import CCurl

/// A multi handle with one easy handle, used by one thread at a time.
///
/// The multi owns the connection cache, so a session carries its warm
/// connection with it: a thread that takes an idle session reuses the
/// connection the previous call left open.
final class Session {
    let multi: MultiHandle
    let easy: EasyHandle

    init() throws(KimiError) {
        multi = try MultiHandle()
        easy = try EasyHandle()
    }
}

/// The idle sessions of one client. Calls take one and give it back, so the
/// number of sessions follows the peak number of concurrent calls.
final class SessionPool: @unchecked Sendable {
    private let lock = Lock()
    private var idle: [Session] = []
    /// Idle sessions beyond this are closed rather than kept.
    private let maxIdle: Int

    init(maxIdle: Int = 64) { self.maxIdle = maxIdle }

    func acquire() throws(KimiError) -> Session {
        if let session = lock.withLock({ idle.popLast() }) { return session }
        return try Session()
    }

    func release(_ session: Session) {
        // Detach from the client's share handle (curl_easy_reset keeps it),
        // so the share can be cleaned up whatever outlives what.
        session.easy.set(CURLOPT_SHARE, pointer: nil)
        session.easy.reset()
        lock.withLock {
            if idle.count < maxIdle { idle.append(session) }
        }
    }
}
