/// Results a host's own event loop (asyncio, libuv, epoll) drains on its own
/// thread, instead of callbacks arriving on the client's loop thread. Tasks
/// started with a queue copy their events into it as they arrive; the
/// queue's file descriptor (an eventfd) is readable exactly while events
/// wait, level-triggered, so a host loop watches it and drains until
/// `next()` gives nil.
///
/// Lifetimes. Every string of a queued event is copied once, when it is
/// queued, into storage whose bytes never move (`StableBytes`); the event
/// `next()` takes points straight into it. So the strings of the taken event
/// stay valid until the next `next()`, whatever else is read from it or
/// queued meanwhile, and taking an event copies nothing.
///
/// Back-pressure, exactly:
/// - after a task queued a message's events, it stops reading its socket
///   (`isFull(for:)` says so) when `pauseAt` events or `pauseAtBytes` bytes
///   wait (not counting the event the host holds);
/// - whenever the host takes an event or events are dropped, and no more
///   than `resumeBelow` events and `resumeBelowBytes` bytes then wait, every
///   paused task is told to read on (`queueHasRoom`).
/// A task is only paused while events wait, so a host that keeps taking
/// events always resumes it: a single event larger than the bound pauses its
/// task until it is taken, no longer.
public final class EventQueue: @unchecked Sendable, EventReading {
    /// One producer's place in a queue: the values a front end keeps with
    /// it (the C layer: the task's handle and the caller's user data), and
    /// the completion's id and model, copied once. Its producer holds it
    /// and the queue; it holds its producer weakly, so queued events never
    /// keep a freed task (and through it the queue) alive.
    public final class Member {
        weak var producer: QueueProducer?
        public let tags: (handle: UInt, user: UInt)
        /// Its events waiting in the queue; under the queue's lock.
        @exclusivity(unchecked) fileprivate var waiting = 0
        fileprivate var paused = false
        /// Raised by `drop`: records of an older epoch were dropped and are
        /// skipped when reached (a drop costs O(1), not a pass over the queue).
        fileprivate var epoch: UInt32 = 0
        /// Its task was cancelled: only its `.end` is queued from now on.
        fileprivate var onlyEnd = false
        /// Its `.end` while it waits in the queue (a cancel keeps it); not
        /// the record, which holds its member.
        fileprivate var waitingEnd: (event: StreamEvent, created: Int64)?
        /// Written once (from empty) under the queue's lock, before any
        /// record points at them; never changed after.
        fileprivate let completionID = TextBuffer()
        fileprivate let model = TextBuffer()
        /// The completion record the host was given last (`takeRecords`).
        fileprivate var shown = CompletionShown()

        public init(producer: QueueProducer, tags: (handle: UInt, user: UInt)) {
            self.producer = producer
            self.tags = tags
        }
    }

    /// A queued event: its strings point into `bytes` (or the member's copies).
    struct Record {
        let member: Member
        /// The member's epoch when queued; an older one means dropped.
        let epoch: UInt32
        let event: StreamEvent
        let text: UnsafeBufferPointer<UInt8>
        let toolCallID: UnsafeBufferPointer<UInt8>
        let toolCallName: UnsafeBufferPointer<UInt8>
        let finishReason: UnsafeBufferPointer<UInt8>
        let rawChunk: UnsafeBufferPointer<UInt8>
        let completionID: UnsafeBufferPointer<UInt8>
        let model: UnsafeBufferPointer<UInt8>
        /// A result line's error, and what an event carries besides text.
        let detail: UnsafeBufferPointer<UInt8>
        let attachment: AnyObject?
        let created: Int64
        /// The position in `bytes` of its message's first byte.
        let low: Int
        var lastInChunk: Bool

        /// The event as a record's part.
        var part: RecordPart {
            RecordPart(event, text: { text }, toolCallID: { toolCallID }, toolCallName: { toolCallName },
                       finishReason: { finishReason }, detail: { detail })
        }
    }

    public static let pauseAt = 4096
    public static let pauseAtBytes = 8 << 20
    public static let resumeBelow = 1024
    public static let resumeBelowBytes = 2 << 20

    private let lock = Lock()
    private let ready: EventFD
    private let bytes = StableBytes()
    /// Waiting records from `head` on; those before it were taken.
    /// Touched only under `lock`, so its accesses are not checked for
    /// overlap at run time (the check cost more than the append it guarded).
    @exclusivity(unchecked) private var records: [Record] = []
    private var head = 0
    /// Records from `head` on that were dropped and wait to be skipped.
    private var dropped = 0
    private var paused: [Member] = []
    /// Events went into an empty queue since the last `publish`.
    private var unpublished = false
    /// The position of the first byte the taken event uses (Int.max: none),
    /// under `lock`, so a `drop` on another thread keeps those bytes.
    private var takenLow = Int.max
    /// The event `next()` handed out last; only the host's thread touches it.
    private var taken: Record?

    public init() throws(KimiError) {
        ready = try EventFD()
    }

    /// Readable while events wait (poll, epoll, asyncio's add_reader).
    public var fileDescriptor: Int32 { ready.fd }

    /// The place of `producer` in this queue, for its events.
    public func join(_ producer: QueueProducer, tags: (handle: UInt, user: UInt)) -> Member {
        Member(producer: producer, tags: tags)
    }

    // MARK: - The host's thread

    /// Takes the next event, or nil when none waits; the previous one is
    /// released. One thread at a time (the host's).
    public func next() -> StreamEvent? {
        taken = nil
        let (record, resumed) = lock.withLock { () -> (Record?, [Member]) in
            takenLow = Int.max
            var record: Record?
            skipDropped()
            if head < records.count {
                let next = records[head]
                head += 1
                next.member.waiting -= 1
                if next.event.type == .end { next.member.waitingEnd = nil }
                takenLow = next.low
                record = next
                skipDropped()
            }
            if waitingEvents == 0 { ready.clear() }
            compact()
            return (record, takeResumable())
        }
        taken = record
        for member in resumed { member.producer?.queueHasRoom() }
        return record?.event
    }

    /// Takes whole messages' events as records (kimi_event_queue_read_records)
    /// until `writer` is full or none waits; the last event taken is then the
    /// current one, as after `next()`. It stops after an event that carries
    /// an attachment (a result line's response, a polled batch), so the host
    /// can read that through the accessors before the next call. A chat
    /// task's messages come after a completion record when its id, model or
    /// creation time is new. One thread at a time (the host's).
    public func takeRecords(into writer: inout RecordWriter) throws(KimiError) {
        taken = nil
        var failure: KimiError?
        let resumed = lock.withLock { () -> [Member] in
            keepsChunkJSON = false
            takenLow = Int.max
            skipDropped()
            // The current event is set once, from the last message taken.
            var last = -1
            while head < records.count, !writer.isFull {
                // The events of one message are queued together (`push`),
                // the last marked, all dropped or none.
                let first = head
                var end = first
                while !records[end].lastInChunk && end + 1 < records.count { end += 1 }
                let member = records[first].member
                let userData = UInt64(member.tags.user)
                do throws(KimiError) {
                    guard try member.shown.show(id: records[first].completionID, model: records[first].model,
                                                created: records[first].created, userData: userData, into: &writer),
                          try writer.appendEvents(count: end - first + 1, userData: userData,
                                                  part: { records[first + $0].part }) else { break }
                } catch {
                    // Records already written in this call go out; the
                    // message comes first in the next call. One that no call
                    // can write is passed over, so the queue moves on, and
                    // the call says why.
                    if writer.written > 0 { break }
                    failure = error
                }
                member.waiting -= end - first + 1
                if failure == nil { last = end }
                head = end + 1
                skipDropped()
                if failure != nil || records[end].attachment != nil { break }
            }
            if last >= 0 {
                taken = records[last]
                takenLow = records[last].low
            }
            if waitingEvents == 0 { ready.clear() }
            compact()
            return takeResumable()
        }
        for member in resumed { member.producer?.queueHasRoom() }
        if let failure { throw failure }
    }

    /// False once the host read records (`takeRecords`), which carry no
    /// chunk JSON: events queued from then on keep none. Under `lock`.
    private var keepsChunkJSON = true

    /// The tags of the member whose event `next()` returned last.
    public var currentTags: (handle: UInt, user: UInt)? { taken?.member.tags }

    /// Events waiting (dropped ones not counted); under `lock`.
    private var waitingEvents: Int { records.count - head - dropped }
    /// Bytes of waiting events (the taken one not counted); under `lock`.
    private var waitingBytes: Int { head < records.count ? bytes.end - records[head].low : 0 }

    /// The paused members to let read again, once the host caught up. Under `lock`.
    private func takeResumable() -> [Member] {
        guard !paused.isEmpty, waitingEvents <= EventQueue.resumeBelow,
              waitingBytes <= EventQueue.resumeBelowBytes else { return [] }
        defer { paused.removeAll(keepingCapacity: true) }
        for member in paused { member.paused = false }
        return paused
    }

    // MARK: - The producers' thread (the client's loop)

    /// Copies the events of `source`'s current message (from its current
    /// event on) to the end of the queue.
    public func push(_ source: TaskEvents, from member: Member) {
        lock.withLock {
            let wasEmpty = head == records.count
            if member.completionID.isEmpty { member.completionID.append(UnsafeRawBufferPointer(source.completionID)) }
            if member.model.isEmpty { member.model.append(UnsafeRawBufferPointer(source.completionModel)) }
            // An empty copy may still be filled (and move) later: point at
            // no storage of it until it holds its text for good.
            let id = member.completionID.isEmpty ? .emptyText : member.completionID.view
            let model = member.model.isEmpty ? .emptyText : member.model.view
            let created = source.completionCreated
            // A host that reads records never asks for the chunk's JSON:
            // neither copied nor passed through the gate (most of a queued
            // chunk's bytes and scanning).
            let (raw, low) = keepsChunkJSON ? bytes.append(source.rawChunk) : (.emptyText, bytes.end)
            let first = records.count
            let onlyEnd = member.onlyEnd
            let epoch = member.epoch
            let attachment = source.currentAttachment
            source.forEachPending { event in
                if onlyEnd && event.type != .end { return }
                let isCall = event.type == .toolCallStart || event.type == .toolCallDelta || event.type == .toolCallDone
                records.append(Record(member: member, epoch: epoch, event: event, text: copy(source.text(of: event)),
                                      toolCallID: isCall ? copy(source.toolCallID(of: event)) : .emptyText,
                                      toolCallName: isCall ? copy(source.toolCallName(of: event)) : .emptyText,
                                      finishReason: event.type == .finish ? copy(source.finishReasonText(of: event)) : .emptyText,
                                      rawChunk: raw, completionID: id, model: model,
                                      detail: event.type == .result ? copy(source.detail(of: event)) : .emptyText,
                                      attachment: attachment, created: created, low: low, lastInChunk: false))
            }
            let added = records.count - first
            guard added > 0 else { return }
            records[records.count - 1].lastInChunk = true
            if records[records.count - 1].event.type == .end { member.waitingEnd = (records[records.count - 1].event, created) }
            member.waiting += added
            if wasEmpty { unpublished = true }
        }
    }

    private func copy(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        text.isEmpty ? .emptyText : bytes.append(text).text
    }

    /// True when the host is too far behind for `member` to queue more: it
    /// is then told (`queueHasRoom`) once the host caught up. Loop thread.
    public func isFull(for member: Member) -> Bool {
        lock.withLock {
            guard waitingEvents >= EventQueue.pauseAt || waitingBytes >= EventQueue.pauseAtBytes else { return false }
            if !member.paused {
                member.paused = true
                paused.append(member)
            }
            return true
        }
    }

    /// Signals the host once for everything the loop's round queued: one
    /// wake-up (and one eventfd write) per round, not one per event. Loop thread.
    public func publish() {
        lock.withLock {
            if unpublished && head < records.count { ready.signal() }
            unpublished = false
        }
    }

    /// Drops the waiting events of `member` but its `.end` (a task that
    /// ended just before its cancel still tells its host so), and queues
    /// none of it but its `.end` from now on (its task was cancelled). Any
    /// thread.
    public func cancel(_ member: Member) {
        drop(member, keepingEnd: true)
    }

    /// Drops the waiting events of `member` (its task was freed). Any thread.
    public func drop(_ member: Member) {
        drop(member, keepingEnd: false)
    }

    private func drop(_ member: Member, keepingEnd: Bool) {
        let resumed = lock.withLock { () -> [Member] in
            if keepingEnd { member.onlyEnd = true }
            if member.paused {
                member.paused = false
                paused.removeAll { $0 === member }
            }
            if member.waiting > 0 {
                let end = keepingEnd ? member.waitingEnd : nil
                dropped += member.waiting
                member.waiting = 0
                member.waitingEnd = nil
                member.epoch &+= 1
                if let end {
                    // Queued again, last, in the new epoch; it points at no
                    // bytes of the queue (an end has no text or chunk).
                    records.append(Record(member: member, epoch: member.epoch, event: end.event, text: .emptyText,
                                          toolCallID: .emptyText, toolCallName: .emptyText, finishReason: .emptyText,
                                          rawChunk: .emptyText,
                                          completionID: member.completionID.isEmpty ? .emptyText : member.completionID.view,
                                          model: member.model.isEmpty ? .emptyText : member.model.view,
                                          detail: .emptyText, attachment: nil, created: end.created, low: bytes.end,
                                          lastInChunk: true))
                    member.waiting = 1
                    member.waitingEnd = end
                }
                skipDropped()
                if waitingEvents == 0 { ready.clear() }
                compact()
            }
            return takeResumable()
        }
        for other in resumed { other.producer?.queueHasRoom() }
    }

    /// Moves `head` past dropped records, so the first waiting record (and
    /// what `waitingBytes` counts from) is a live one. Under `lock`.
    private func skipDropped() {
        while head < records.count, records[head].epoch != records[head].member.epoch {
            head += 1
            dropped -= 1
        }
    }

    /// Forgets taken records and frees the bytes no waiting or taken event
    /// uses, once it is worth it: the records moved stay proportional to the
    /// events taken however long the queue grows. Under `lock`.
    private func compact() {
        if head > 0 && (head == records.count || (head >= 1024 && head >= records.count - head)) {
            records.removeFirst(head)
            head = 0
        }
        let firstWaiting = head < records.count ? records[head].low : bytes.end
        bytes.release(before: min(firstWaiting, takenLow))
    }

    // MARK: - EventReading (the taken event)

    public var currentEvent: StreamEvent? { taken?.event }
    public var currentType: Int32 { taken?.event.type.rawValue ?? 0 }
    public var currentText: UnsafeBufferPointer<UInt8>? { taken?.text }
    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken?.text ?? .emptyText }
    public func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken?.toolCallID ?? .emptyText }
    public func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken?.toolCallName ?? .emptyText }
    public func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken?.finishReason ?? .emptyText }
    public var rawChunk: UnsafeBufferPointer<UInt8> { taken?.rawChunk ?? .emptyText }
    public var currentIsLastInChunk: Bool { taken?.lastInChunk ?? false }
    public var completionID: UnsafeBufferPointer<UInt8> { taken?.completionID ?? .emptyText }
    public var completionModel: UnsafeBufferPointer<UInt8> { taken?.model ?? .emptyText }
    public var completionCreated: Int64 { taken?.created ?? 0 }
    public func detail(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { taken?.detail ?? .emptyText }
    public var currentAttachment: AnyObject? { taken?.attachment }
}

/// What delivers events into a queue: a task.
public protocol QueueProducer: AnyObject {
    /// The queue this producer stopped for has room again: read on. Any thread.
    func queueHasRoom()
}
