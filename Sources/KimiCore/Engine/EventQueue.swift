
/// Stream events a host's own event loop (asyncio, libuv, epoll) drains on
/// its own thread, instead of callbacks arriving on the client's loop
/// thread. Tasks started with a queue copy their events into it as they
/// arrive; the queue's file descriptor (an eventfd) is readable exactly
/// while events wait, level-triggered, so a host loop watches it and drains
/// until `next()` gives nil.
///
/// Copies cost no allocation once the queue is warm: every event's text
/// goes into one byte arena (with a NUL after each piece), addressed by
/// absolute offsets, so dropping drained bytes from the front never moves
/// what the records point at. Of the event `next()` takes, the text is
/// copied once more, into a buffer only the host's side touches, so it
/// stays valid until the next call of `next()` whatever the loop thread
/// queues meanwhile; its other strings (ids, the raw chunk) are copied the
/// same way only when asked for, and the arena keeps them until then.
public final class EventQueue: @unchecked Sendable, EventReading {
    /// A copied event: where its pieces sit in the arena.
    struct Record {
        let task: ChatTask
        var event: StreamEvent
        var text: Range<Int>
        var toolCallID: Range<Int>
        var toolCallName: Range<Int>
        var finishReason: Range<Int>
        var rawChunk: Range<Int>
        var completionID: Range<Int>
        var model: Range<Int>
        var created: Int64
        var lastInChunk: Bool
    }

    /// A queue this far behind makes its tasks stop reading their sockets
    /// until the host has taken it down to `resumeBelow` events: a host that
    /// drains slower than the servers send holds a bounded backlog here,
    /// and TCP flow control holds the rest at the servers.
    public static let pauseAt = 4096
    public static let resumeBelow = 1024
    /// Bytes of waiting text over which the queue counts as full too.
    public static let pauseAtBytes = 8 << 20

    private let lock = Lock()
    private let ready: EventFD
    /// Tasks that stopped reading because the queue was full.
    private var paused: [ChatTask] = []
    /// Events went into an empty queue since the last `publish`.
    private var unpublished = false
    private var records: [Record] = []
    private var head = 0
    private let arena = TextBuffer(capacity: 16 << 10)
    /// The absolute offset of the arena's first byte.
    private var arenaStart = 0
    /// The record `next()` handed out last (ranges into the arena, but its
    /// text's into `takenBytes`). Only the host's thread touches these.
    private var taken: Record?
    private let takenBytes = TextBuffer(capacity: 256)
    /// The lowest arena offset the taken record uses; under `lock`, so a
    /// `drop` from another thread keeps those bytes.
    private var takenLow = Int.max

    public init() throws(KimiError) {
        ready = try EventFD()
    }

    /// Readable while events wait (poll, epoll, asyncio's add_reader).
    public var fileDescriptor: Int32 { ready.fd }

    /// The task of the event `next()` returned last.
    public var currentTask: ChatTask? { taken?.task }

    /// Takes the next event, or nil when none waits. The previous event is
    /// released. One thread at a time (the host's).
    public func next() -> StreamEvent? {
        taken = nil
        takenBytes.removeAll()
        let resumed = lock.withLock { () -> [ChatTask] in
            takenLow = Int.max
            guard head < records.count else { return [] }
            var record = records[head]
            head += 1
            record.task.queuedEvents -= 1
            if head == records.count { ready.clear() }
            // Into the host's own buffer: the arena may move under the next push.
            record.text = keep(record.text)
            taken = record
            takenLow = record.rawChunk.lowerBound
            compact()
            return takeResumable()
        }
        for task in resumed { task.queueHasRoom() }
        return taken?.event
    }

    /// The paused tasks to let read again, once the host caught up. Under `lock`.
    private func takeResumable() -> [ChatTask] {
        guard !paused.isEmpty && records.count - head <= EventQueue.resumeBelow else { return [] }
        defer { paused.removeAll() }
        return paused
    }

    /// True when the host is too far behind for `task` to queue more: it
    /// is then told (`queueHasRoom`) once the host caught up. Loop thread.
    func isFull(for task: ChatTask) -> Bool {
        lock.withLock {
            guard records.count - head >= EventQueue.pauseAt || arena.count >= EventQueue.pauseAtBytes else {
                return false
            }
            if !paused.contains(where: { $0 === task }) { paused.append(task) }
            return true
        }
    }

    /// Copies an arena range (and its NUL) into `takenBytes`.
    private func keep(_ range: Range<Int>) -> Range<Int> {
        let start = takenBytes.count
        takenBytes.append(arena.bytes + (range.lowerBound - arenaStart), count: range.count + 1)
        return start..<(start + range.count)
    }

    // MARK: - The loop thread

    /// Copies the events of `task`'s current message (from its current
    /// event on) to the end of the queue.
    func push(_ task: ChatTask) {
        let cursor = task.events
        lock.withLock {
            let wasEmpty = head == records.count
            let raw = copy(cursor.rawChunk)
            let id = copy(cursor.completionID)
            let model = copy(cursor.completionModel)
            let first = records.count
            cursor.forEachInMessage { event in
                records.append(Record(task: task, event: event, text: copy(cursor.text(of: event)),
                                      toolCallID: copy(cursor.toolCallID(of: event)),
                                      toolCallName: copy(cursor.toolCallName(of: event)),
                                      finishReason: copy(cursor.finishReasonText(of: event)), rawChunk: raw,
                                      completionID: id, model: model, created: cursor.completionCreated,
                                      lastInChunk: false))
            }
            if records.count > first { records[records.count - 1].lastInChunk = true }
            task.queuedEvents += records.count - first
            if wasEmpty && head < records.count { unpublished = true }
        }
    }

    /// Signals the host once for everything the loop's round queued: one
    /// wake-up (and one eventfd write) per round, not one per event. Loop thread.
    func publish() {
        lock.withLock {
            if unpublished && head < records.count { ready.signal() }
            unpublished = false
        }
    }

    /// Drops the waiting events of `task` (it was cancelled or freed). Any thread.
    func drop(_ task: ChatTask) {
        let resumed = lock.withLock { () -> [ChatTask] in
            paused.removeAll { $0 === task }
            // Most tasks are dropped once all their events were taken: no scan.
            if task.queuedEvents > 0 {
                task.queuedEvents = 0
                records = records[head...].filter { $0.task !== task }
                head = 0
                if records.isEmpty { ready.clear() }
                compact()
            }
            return takeResumable()
        }
        for task in resumed { task.queueHasRoom() }
    }

    // MARK: - Storage

    /// Copies `bytes` (and a NUL) into the arena; returns its absolute range.
    private func copy(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        let start = arenaStart + arena.count
        if let base = bytes.baseAddress, bytes.count > 0 { arena.append(base, count: bytes.count) }
        arena.append(0)
        return start..<(start + bytes.count)
    }

    /// Drops drained records and the arena bytes before the first waiting
    /// one (each push copies its message's raw chunk first, so that is the
    /// record's lowest offset), once it is worth it: when nothing waits, or
    /// when the drained part is at least as large as what is left, so the
    /// bytes moved stay proportional to the events taken however long the
    /// queue grows (a backlog of 100,000 events moves each record once).
    private func compact() {
        if head > 0 && (head == records.count || (head >= 1024 && head >= records.count - head)) {
            records.removeFirst(head)
            head = 0
        }
        let firstWaiting = head < records.count ? records[head].rawChunk.lowerBound : arenaStart + arena.count
        let firstNeeded = min(firstWaiting, takenLow)
        let drop = firstNeeded - arenaStart
        if drop > 0 && (drop == arena.count || (drop >= 64 << 10 && drop >= arena.count - drop)) {
            arena.removeFirst(drop)
            arenaStart += drop
        }
    }

    /// A range of the taken event, in the host's buffer.
    private func view(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: takenBytes.bytes + range.lowerBound, count: range.count)
    }

    /// One of the taken event's strings, copied from the arena into the
    /// host's buffer now (valid until the next `next()`).
    private func fetch(_ range: KeyPath<Record, Range<Int>>) -> UnsafeBufferPointer<UInt8> {
        guard let taken else { return .emptyText }
        return view(lock.withLock { keep(taken[keyPath: range]) })
    }

    // MARK: - EventReading (the taken event)

    public var currentEvent: StreamEvent? { taken?.event }
    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken.map { view($0.text) } ?? .emptyText }
    public func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { fetch(\.toolCallID) }
    public func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { fetch(\.toolCallName) }
    public func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { fetch(\.finishReason) }
    public var rawChunk: UnsafeBufferPointer<UInt8> { fetch(\.rawChunk) }
    public var currentIsLastInChunk: Bool { taken?.lastInChunk ?? false }
    public var completionID: UnsafeBufferPointer<UInt8> { fetch(\.completionID) }
    public var completionModel: UnsafeBufferPointer<UInt8> { fetch(\.model) }
    public var completionCreated: Int64 { taken?.created ?? 0 }
}
