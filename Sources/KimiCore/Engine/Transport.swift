/// What moves a call's attempts over the network, in the engine's words:
/// curl in `HTTP/` (a private multi handle one thread polls, for blocking
/// calls; epoll over the event loop's multi handle, for tasks), or a test's
/// scripted stand-in. The scheduler runs calls on one; only its thread
/// touches it, but `wakeup` may come from any thread.
protocol Transport: AnyObject {
    /// Starts an attempt of `call` (its phase is `.ready`) and returns the
    /// transfer its answer is read into. `onStreamBytes` is called (on the
    /// transport's thread) when bytes of a streamed answer arrive.
    func start(_ call: Call, onStreamBytes: @escaping () -> Void) throws(KimiError) -> Transfer
    /// Takes the call's attempt out. `drain`: its answer is complete, let the
    /// transport read the rest of the body quietly (so its connection can be
    /// reused); otherwise abandon it.
    func stop(_ call: Call, drain: Bool)
    /// Waits until a transfer has news, `until` passes (monotonic ns; nil:
    /// no limit) or `wakeup` is called; then lets the transfers progress.
    func wait(until: UInt64?)
    /// An attempt that ended since the last look, with how it ended.
    func nextEnded() -> (Call, AttemptEnd)?
    /// Ends the current or next `wait` early. Any thread.
    func wakeup()
}
