
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
/// what the records point at. The event `next()` takes is copied once more,
/// into a buffer only the host's side touches, so it stays valid until the
/// next call of `next()` whatever the loop thread queues meanwhile.
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

    private let lock = Lock()
    private let ready: EventFD
    private var records: [Record] = []
    private var head = 0
    private let arena = TextBuffer(capacity: 16 << 10)
    /// The absolute offset of the arena's first byte.
    private var arenaStart = 0
    /// The record `next()` handed out last, its ranges into `takenBytes`.
    /// Only the host's thread touches these.
    private var taken: Record?
    private let takenBytes = TextBuffer(capacity: 256)

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
        lock.withLock {
            guard head < records.count else { return }
            var record = records[head]
            head += 1
            if head == records.count { ready.clear() }
            // Into the host's own buffer: the arena may move under the next push.
            record.text = keep(record.text)
            record.toolCallID = keep(record.toolCallID)
            record.toolCallName = keep(record.toolCallName)
            record.finishReason = keep(record.finishReason)
            record.rawChunk = keep(record.rawChunk)
            record.completionID = keep(record.completionID)
            record.model = keep(record.model)
            taken = record
            compact()
        }
        return taken?.event
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
            var pushed: [Int] = []
            cursor.forEachInMessage { event in
                records.append(Record(task: task, event: event, text: copy(cursor.text(of: event)),
                                      toolCallID: copy(cursor.toolCallID(of: event)),
                                      toolCallName: copy(cursor.toolCallName(of: event)),
                                      finishReason: copy(cursor.finishReasonText(of: event)), rawChunk: raw,
                                      completionID: id, model: model, created: cursor.completionCreated,
                                      lastInChunk: false))
                pushed.append(records.count - 1)
            }
            if let last = pushed.last { records[last].lastInChunk = true }
            if wasEmpty && head < records.count { ready.signal() }
        }
    }

    /// Drops the waiting events of `task` (it was cancelled or freed). Any thread.
    func drop(_ task: ChatTask) {
        lock.withLock {
            guard records[head...].contains(where: { $0.task === task }) else { return }
            records = records[head...].filter { $0.task !== task }
            head = 0
            if records.isEmpty { ready.clear() }
            compact()
        }
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
    /// record's lowest offset), once it is worth it.
    private func compact() {
        if head > 0 && (head == records.count || head >= 1024) {
            records.removeFirst(head)
            head = 0
        }
        let firstNeeded = head < records.count ? records[head].rawChunk.lowerBound : arenaStart + arena.count
        let drop = firstNeeded - arenaStart
        if drop > 0 && (drop == arena.count || drop >= 64 << 10) {
            arena.removeFirst(drop)
            arenaStart += drop
        }
    }

    /// A range of the taken event, in the host's buffer.
    private func view(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: takenBytes.bytes + range.lowerBound, count: range.count)
    }

    // MARK: - EventReading (the taken event)

    public var currentEvent: StreamEvent? { taken?.event }
    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken.map { view($0.text) } ?? .emptyText }
    public func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken.map { view($0.toolCallID) } ?? .emptyText }
    public func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken.map { view($0.toolCallName) } ?? .emptyText }
    public func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken.map { view($0.finishReason) } ?? .emptyText }
    public var rawChunk: UnsafeBufferPointer<UInt8> { taken.map { view($0.rawChunk) } ?? .emptyText }
    public var currentIsLastInChunk: Bool { taken?.lastInChunk ?? false }
    public var completionID: UnsafeBufferPointer<UInt8> { taken.map { view($0.completionID) } ?? .emptyText }
    public var completionModel: UnsafeBufferPointer<UInt8> { taken.map { view($0.model) } ?? .emptyText }
    public var completionCreated: Int64 { taken?.created ?? 0 }
}
