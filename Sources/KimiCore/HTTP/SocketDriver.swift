import CCurl
import CKimiShims
import Glibc

/// curl's multi-socket interface on epoll, for the event loop: curl says
/// which sockets to watch (socket callback) and when it wants to run again
/// (timer callback); `wait` sleeps in epoll_wait and hands each ready socket
/// to curl_multi_socket_action. The work per wake-up follows the sockets
/// that are ready, not the number of transfers, which is what lets one
/// thread carry a thousand streams.
///
/// Coalescing: each wake-up costs a context switch (tens of microseconds on
/// a virtual machine), and a thousand streams each sending a token at a
/// time would wake the loop for every few tokens. While several transfers
/// run and the last wake-up was less than `coalesceNanos` ago, a wait first
/// lets the rest of that interval pass (still woken at once by `wakeup`:
/// new tasks and cancels are not held back), so a busy loop takes the
/// network's events at most once per interval, in one batch. A loop that
/// was quiet for the interval, or carries one transfer, is never held back:
/// a lone request's answer or stream's token is handled the moment it
/// arrives.
final class SocketDriver: @unchecked Sendable {
    let multi: MultiHandle
    private let epoll: Int32
    /// Other threads signal it to wake the loop.
    private let wake: EventFD
    private var wakeFD: Int32 { wake.fd }
    private var watched: Set<Int32> = []
    /// When curl wants `CURL_SOCKET_TIMEOUT` (monotonic ns); nil: no timer.
    private var timerDeadline: UInt64?
    /// One epoll_wait's answer: room for every watched socket and the wake
    /// fd, so a wait takes everything ready. With less room the sockets left
    /// over would wait for the next wake-up, another coalescing interval
    /// later (600 ready sockets: three intervals, not one).
    private var readyFDs = [Int32](repeating: 0, count: 256)
    private var readyEvents = [UInt32](repeating: 0, count: 256)
    /// The kernel's answer before it is split into the two above (room for
    /// as many struct epoll_event, in 8-byte words).
    private var readyScratch = SocketDriver.scratch(for: 256)
    /// 0: every event is handled as it comes.
    private let coalesceNanos: UInt64
    /// When the last wait returned.
    private var lastWakeAt: UInt64 = 0

    init(coalesceMicros: UInt32 = 0) throws(KimiError) {
        coalesceNanos = UInt64(coalesceMicros) * 1000
        multi = try MultiHandle()
        epoll = CKimiShims_epoll_create()
        wake = try EventFD()
        guard epoll >= 0,
              CKimiShims_epoll_control(epoll, Int32(CKimiShims_EPOLL_CTL_ADD), wakeFD,
                                       UInt32(CKimiShims_EPOLLIN)) == 0 else {
            let failure = errno
            if epoll >= 0 { close(epoll) }
            throw KimiError(.internal, "epoll or eventfd set-up failed (errno \(failure))")
        }
        let user = Unmanaged.passUnretained(self).toOpaque()
        _ = CKimiShims_multi_setopt_pointer(multi.raw, CURLMOPT_SOCKETDATA, user)
        _ = CKimiShims_multi_setopt_socket_cb(multi.raw, socketCallback)
        _ = CKimiShims_multi_setopt_pointer(multi.raw, CURLMOPT_TIMERDATA, user)
        _ = CKimiShims_multi_setopt_timer_cb(multi.raw, timerCallback)
    }

    deinit {
        close(epoll)
    }

    /// Ends the current or next `wait` early. Any thread.
    func wakeup() {
        wake.signal()
    }

    private static func scratch(for events: Int) -> [UInt64] {
        [UInt64](repeating: 0, count: (events * Int(CKimiShims_epoll_event_size()) + 7) / 8)
    }

    /// Sleeps until a watched socket is ready, curl's timer is due, the
    /// loop's own `deadline` (monotonic ns) passes, or `wakeup`; then lets
    /// curl act on what happened. `coalescing`: several transfers run, so
    /// network events may gather (see the type's comment).
    func wait(until deadline: UInt64?, coalescing: Bool) {
        var now = monotonicNanos()
        var until = deadline
        if let timer = timerDeadline { until = min(until ?? timer, timer) }
        if coalescing, coalesceNanos > 0 {
            let gathered = min(lastWakeAt &+ coalesceNanos, until ?? .max)
            if gathered > now {
                _ = CKimiShims_wait_readable_ns(wakeFD, gathered - now)
                now = monotonicNanos()
            }
        }
        let timeoutMs: Int32
        if let until {
            timeoutMs = until <= now ? 0 : Int32(min((until - now + 999_999) / 1_000_000, 3_600_000))
        } else {
            timeoutMs = -1
        }
        if readyFDs.count <= watched.count {
            let room = max(watched.count + 1, readyFDs.count * 2)
            readyFDs = [Int32](repeating: 0, count: room)
            readyEvents = [UInt32](repeating: 0, count: room)
            readyScratch = SocketDriver.scratch(for: room)
        }
        let count = CKimiShims_epoll_wait(epoll, &readyScratch, &readyFDs, &readyEvents, Int32(readyFDs.count), timeoutMs)
        lastWakeAt = monotonicNanos()
        var running: Int32 = 0
        for i in 0..<Int(max(count, 0)) {
            let fd = readyFDs[i], events = readyEvents[i]
            if fd == wakeFD {
                wake.clear()
                continue
            }
            var action: Int32 = 0
            if events & UInt32(CKimiShims_EPOLLIN) != 0 { action |= CURL_CSELECT_IN }
            if events & UInt32(CKimiShims_EPOLLOUT) != 0 { action |= CURL_CSELECT_OUT }
            if events & UInt32(CKimiShims_EPOLLERR | CKimiShims_EPOLLHUP) != 0 { action |= CURL_CSELECT_ERR }
            _ = curl_multi_socket_action(multi.raw, fd, action, &running)
        }
        if let timer = timerDeadline, timer <= monotonicNanos() {
            timerDeadline = nil
            _ = curl_multi_socket_action(multi.raw, -1 /* CURL_SOCKET_TIMEOUT */, 0, &running)
        }
    }

    fileprivate func watch(_ fd: Int32, _ what: Int32) {
        if what == CURL_POLL_REMOVE {
            if watched.remove(fd) != nil {
                _ = CKimiShims_epoll_control(epoll, Int32(CKimiShims_EPOLL_CTL_DEL), fd, 0)
            }
            return
        }
        var events: UInt32 = 0
        if what & CURL_POLL_IN != 0 { events |= UInt32(CKimiShims_EPOLLIN) }
        if what & CURL_POLL_OUT != 0 { events |= UInt32(CKimiShims_EPOLLOUT) }
        let op = watched.insert(fd).inserted ? CKimiShims_EPOLL_CTL_ADD : CKimiShims_EPOLL_CTL_MOD
        _ = CKimiShims_epoll_control(epoll, Int32(op), fd, events)
    }

    fileprivate func setTimer(_ timeoutMs: Int) {
        timerDeadline = timeoutMs < 0 ? nil : deadline(afterMs: Int64(timeoutMs))
    }
}

private let socketCallback: CKimiShims_socket_cb = { _, socket, what, user, _ in
    guard let user else { return 0 }
    Unmanaged<SocketDriver>.fromOpaque(user).takeUnretainedValue().watch(socket, what)
    return 0
}

private let timerCallback: CKimiShims_timer_cb = { _, timeoutMs, user in
    guard let user else { return 0 }
    Unmanaged<SocketDriver>.fromOpaque(user).takeUnretainedValue().setTimer(timeoutMs)
    return 0
}

/// An eventfd: a counter other threads signal, readable (for poll and
/// epoll) while it is non-zero. Closed in `deinit`.
final class EventFD: @unchecked Sendable {
    let fd: Int32

    init() throws(KimiError) {
        fd = CKimiShims_eventfd()
        guard fd >= 0 else { throw KimiError(.internal, "eventfd failed (errno \(errno))") }
    }

    deinit { close(fd) }

    /// Makes the descriptor readable. Any thread.
    func signal() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }

    /// Makes it unreadable again.
    func clear() {
        var count: UInt64 = 0
        _ = read(fd, &count, 8)
    }
}
