/// A job run to its end on the calling thread: its calls one after another
/// on a scheduler of the caller's own (as `BlockingRun` runs one call), its
/// events handed to `deliver` as a task hands them to its callback. This is
/// the blocking form of every endpoint that is more than one JSON answer (a
/// download, a batch's wait and results): the job says once what the calls
/// are and what their answers mean, for both call styles.
final class JobRun: Scheduler.Owner {
    private let job: Job
    private let deliver: () -> Bool
    private let scheduler: Scheduler
    private var end: (result: TaskResult?, error: KimiError?)?

    private init(_ job: Job, scheduler: Scheduler, deliver: @escaping () -> Bool) {
        self.job = job
        self.scheduler = scheduler
        self.deliver = deliver
    }

    /// Runs `job`; `deliver` reads the job's current event (`job.events`)
    /// and returns false to stop the job (its call ends with `.callback`'s
    /// error, which the job reports). Returns the job's result and failure:
    /// a failed job may still have a result (what it had by then).
    static func run(_ job: Job, engine: Engine,
                    deliver: @escaping () -> Bool) throws(KimiError) -> (result: TaskResult?, error: KimiError?) {
        let first: Call
        switch try job.start() {
        case .next(let call): first = call
        case .done(let result, let error): return (result, error)
        }
        let session = try engine.sessions.acquire()
        defer { engine.sessions.release(session) }
        let scheduler = Scheduler(transport: PollTransport(session), cap: engine.cap, idleTimeoutMs: first.idleTimeoutMs)
        let run = JobRun(job, scheduler: scheduler, deliver: deliver)
        job.attach { [unowned run] in run.deliver() }
        scheduler.add(first, owner: run)
        while run.end == nil { scheduler.round() }
        scheduler.close(.stream)
        return run.end ?? (nil, nil)
    }

    func received(_ call: Call) {
        var stopped = false
        job.received(call) {
            stopped = !deliver()
            return !stopped
        }
        if stopped { call.stopNow(.callback) }
    }

    func ended(_ call: Call) {
        switch job.ended(call) {
        case .next(let next):
            scheduler.add(next, owner: self)
        case .done(let result, let error):
            end = (result, error)
        }
    }
}
