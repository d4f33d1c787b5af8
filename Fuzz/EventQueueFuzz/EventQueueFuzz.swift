import FuzzSupport
import KimiCore

/// libFuzzer target: the event queue, driven by random sequences of
/// pushes (single messages, bursts of thousands, deltas of up to 16 KiB
/// repeated into megabytes), takes (one event, or records into a buffer of
/// any size), reads of every accessor, drops of a producer's events and
/// ends, checked against a model: a list of the events that must come out,
/// in order. Run under AddressSanitizer (`make
/// fuzz` builds it so), so a pointer read after its storage moved or was
/// freed is a crash. Oracles:
/// - every event taken is the model's next one (producer, type, text);
/// - the strings of the taken event keep their bytes, whatever else is read
///   or queued, until the next take;
/// - a producer is only told to stop while events wait, and once the queue
///   is empty no producer is left stopped.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventQueue(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0, let queue = try? EventQueue() else { return 0 }
    var input = Input(UnsafeBufferPointer(start: data, count: size))
    let producers = (0..<4).map { Producer(queue, index: $0) }
    var expected: [(producer: Int, type: StreamEventType, text: [UInt8])] = []
    var taken: (pointer: UnsafeBufferPointer<UInt8>, copy: [UInt8])?

    func checkTaken() {
        guard let taken else { return }
        require(Array(taken.pointer) == taken.copy, "the taken event's text changed under the reader")
    }

    while let op = input.byte() {
        if op % 9 == 8 {  // take records into a buffer of 0 to 64 KiB
            let capacity = Int(input.byte() ?? 0) << Int((input.byte() ?? 0) % 9)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 8)
            defer { buffer.deallocate() }
            var writer = RecordWriter(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<capacity]))
            do {
                try queue.takeRecords(into: &writer)
            } catch {
                require(false, "reading records failed: \(error)")
            }
            require(writer.written <= capacity, "records written past the buffer")
            require(writer.written > 0 || expected.isEmpty || writer.needed > 0,
                    "events wait, nothing was written and no size was asked for")
            var lastType: StreamEventType?
            for part in parts(of: UnsafeRawBufferPointer(rebasing: buffer[0..<writer.written])) {
                guard !expected.isEmpty else { require(false, "a record of an event never queued"); break }
                let want = expected.removeFirst()
                require(part.user == want.producer, "a record of the wrong producer")
                require(part.type == want.type.rawValue, "read \(part.type), expected \(want.type)")
                if [.role, .reasoningDelta, .contentDelta, .toolCallDelta].contains(want.type) {
                    require(part.text == want.text, "a record's text differs from what was queued")
                }
                lastType = want.type
            }
            if let lastType { require(queue.currentEvent?.type == lastType, "the current event is not the last one read") }
            taken = nil
            for producer in producers where expected.isEmpty { require(!producer.stopped, "the queue is empty but a producer is still stopped") }
            continue
        }
        switch op % 9 {
        case 0, 1:  // push one message, or a burst of the same message
            let p = Int(input.byte() ?? 0) % producers.count
            let times = op % 8 == 1 ? 1 + Int(input.byte() ?? 0) * 16 : 1
            let message = input.message()
            for _ in 0..<times where !producers[p].ended {
                for event in producers[p].feed(message) { expected.append((p, event.0, event.1)) }
                if queue.isFull(for: producers[p].member) {
                    require(!expected.isEmpty, "a producer was stopped while nothing waits")
                    producers[p].stopped = true
                }
            }
        case 2, 3, 4:  // take
            let event = queue.next()
            if expected.isEmpty {
                require(event == nil, "an event came out of an empty queue")
                taken = nil
                for producer in producers { require(!producer.stopped, "the queue is empty but a producer is still stopped") }
                continue
            }
            let want = expected.removeFirst()
            guard let event else { require(false, "the queue lost \(expected.count + 1) events"); continue }
            require(event.type == want.type, "took \(event.type), expected \(want.type)")
            require(queue.currentTags?.user == UInt(want.producer), "an event of the wrong producer")
            let text = queue.text(of: event)
            require(Array(text) == want.text, "the text differs from what was queued")
            taken = (text, want.text)
        case 5:  // read every accessor of the taken event
            if let event = queue.currentEvent {
                for view in [queue.rawChunk, queue.completionID, queue.completionModel, queue.toolCallID(of: event),
                             queue.toolCallName(of: event), queue.finishReasonText(of: event)] {
                    require(view.baseAddress?[view.count] == 0, "a view without its NUL")
                }
            }
            checkTaken()
        case 6:  // drop a producer's waiting events (its task was cancelled)
            let p = Int(input.byte() ?? 0) % producers.count
            queue.drop(producers[p].member)
            producers[p].stopped = false
            expected.removeAll { $0.producer == p }
            checkTaken()
        default:  // end a producer: its .end event
            let p = Int(input.byte() ?? 0) % producers.count
            if !producers[p].ended {
                producers[p].end()
                expected.append((p, .end, []))
            }
        }
        checkTaken()
    }
    return 0
}

/// The event parts of records (kimi.h, "Records"): each part's record user
/// data, event type and first text. Completion records carry none.
func parts(of records: UnsafeRawBufferPointer) -> [(user: Int, type: Int32, text: [UInt8])] {
    var out: [(user: Int, type: Int32, text: [UInt8])] = []
    var at = 0
    while at + 16 <= records.count {
        let size = Int(records.loadUnaligned(fromByteOffset: at, as: UInt32.self))
        let type = records.loadUnaligned(fromByteOffset: at + 4, as: UInt16.self)
        let count = Int(records.loadUnaligned(fromByteOffset: at + 6, as: UInt16.self))
        let user = Int(records.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
        require(size >= 16 && size <= records.count - at && size % 8 == 0, "a record of \(size) bytes at \(at)")
        guard size >= 16 && size <= records.count - at else { break }
        var part = at + 16
        for _ in 0..<(type == RecordWriter.events ? count : 0) {
            let kind = Int32(records.loadUnaligned(fromByteOffset: part, as: UInt8.self))
            let first = Int(records.loadUnaligned(fromByteOffset: part + 8, as: UInt32.self))
            let second = Int(records.loadUnaligned(fromByteOffset: part + 12, as: UInt32.self))
            let isNumbers = kind == StreamEventType.usage.rawValue
            out.append((user, kind, isNumbers ? [] : Array(records[(part + 16)..<(part + 16 + first)])))
            part += 16 + ((first + second + 7) & ~7)
        }
        require(type != RecordWriter.events || part == at + size, "a record's parts do not fill it")
        at += size
    }
    return out
}

/// A fake task: feeds event-stream messages to its own cursor and pushes
/// the events into the queue.
final class Producer: QueueProducer {
    let cursor = EventCursor(maxEventBytes: 1 << 20, maxResponseBytes: 1 << 30)
    let pending = TextBuffer()
    var member: EventQueue.Member!
    var stopped = false
    var ended = false
    private unowned let queue: EventQueue

    init(_ queue: EventQueue, index: Int) {
        self.queue = queue
        member = queue.join(self, tags: (0, UInt(index)))
    }

    func queueHasRoom() { stopped = false }

    /// Decodes `message` and pushes its events; returns them as the model sees them.
    func feed(_ message: [UInt8]) -> [(StreamEventType, [UInt8])] {
        message.withUnsafeBytes { pending.append($0) }
        var events: [(StreamEventType, [UInt8])] = []
        while (try? cursor.decode(pending)) == true {
            cursor.forEachPending { event in events.append((event.type, Array(cursor.text(of: event)))) }
            queue.push(cursor, from: member)
        }
        cursor.compact(pending)
        return events
    }

    func end() {
        ended = true
        cursor.showEnd(status: .ok)
        queue.push(cursor, from: member)
    }
}

/// The fuzz input, read as operations and their arguments.
struct Input {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func byte() -> UInt8? {
        guard at < bytes.count else { return nil }
        defer { at += 1 }
        return bytes[at]
    }

    /// An event-stream message: a content, reasoning or tool-call delta, a
    /// finish, or [DONE], with text taken from the input.
    mutating func message() -> [UInt8] {
        let kind = byte() ?? 0
        let length = min(Int(byte() ?? 0) << Int((kind >> 5) & 6), bytes.count - at)
        let text = String(bytes[at..<at + length].map { Character(Unicode.Scalar(0x61 + $0 % 26)) })
        at += length
        let delta: String
        switch kind % 5 {
        case 0: delta = "{\"content\":\"\(text)\"}"
        case 1: delta = "{\"reasoning_content\":\"\(text)\"}"
        case 2: delta = "{\"tool_calls\":[{\"index\":\(kind % 3),\"id\":\"functions.\(text.prefix(8)):0\",\"function\":{\"name\":\"f\",\"arguments\":\"\(text)\"}}]}"
        case 3: return Array("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n".utf8)
        default: return Array("data: [DONE]\n\n".utf8)
        }
        return Array("data: {\"id\":\"c-\(text.prefix(40))\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":\(delta)}]}\n\n".utf8)
    }
}
