/// Events written as records into a caller's buffer (kimi.h, "Records"):
/// many events per call of a binding that pays per call into C, in the shape
/// a chunk object needs. A record is a 16-byte header (size, type, part
/// count, the task's user data) and its parts, each a 16-byte header (event
/// type, choice, index, two lengths) and its bytes; every record and part
/// starts 8-byte aligned from the buffer's start, padding is zero.
///
/// The writer checks every length before it writes: a record is written
/// whole or not at all, never past `capacity`; one that does not fit is left
/// to the next call, and when it is the first of a call its size is kept in
/// `needed` so the caller can grow its buffer (nothing is dropped).
public struct RecordWriter {
    public static let events: UInt16 = 1
    public static let completion: UInt16 = 2
    public static let response: UInt16 = 3
    static let headerSize = 16
    static let partHeaderSize = 16
    /// A record's size and lengths are 32-bit.
    static let maxRecordSize = Int(UInt32.max) & ~7

    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    /// Bytes of whole records written.
    public private(set) var written = 0
    /// The size of the first record of the call when it did not fit; 0 otherwise.
    public private(set) var needed = 0

    public init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress ?? UnsafeMutableRawPointer(mutating: TextBuffer.emptyBytes)
        capacity = buffer.baseAddress == nil ? 0 : buffer.count
    }

    /// True once a record was refused for room: nothing more is written
    /// in this call, so records stay in order.
    public var isFull: Bool { refused }
    private var refused = false

    /// Writes a record of `parts` (a scratch array its caller reuses, so no
    /// record allocates); false (nothing written) when it does not fit.
    /// Throws `.tooLarge` for a record over the 32-bit sizes.
    mutating func append(_ parts: [RecordPart], userData: UInt64) throws(KimiError) -> Bool {
        try appendEvents(count: parts.count, userData: userData) { parts[$0] }
    }

    /// Writes a record of `count` parts, `part(i)` giving each (it is asked
    /// twice per part: for the size, then to write it), so a reader of
    /// stored events writes them without gathering them first.
    @inline(__always)
    mutating func appendEvents(count: Int, userData: UInt64, part: (Int) -> RecordPart) throws(KimiError) -> Bool {
        guard count <= Int(UInt16.max) else {
            throw KimiError(.tooLarge, "a record of \(count) parts: a record counts 65,535 at most")
        }
        let size = RecordWriter.size(count: count, part: part)
        guard try reserve(size) else { return false }
        var at = header(size: size, type: RecordWriter.events, count: count, userData: userData)
        for i in 0..<count { at = part(i).write(base, at) }
        written += size
        return true
    }

    /// Writes a completion record: the stream's id, model and creation time.
    mutating func appendCompletion(id: UnsafeRawBufferPointer, model: UnsafeRawBufferPointer, created: Int64,
                                   userData: UInt64) throws(KimiError) -> Bool {
        try appendFixed(RecordWriter.completion, RecordWriter.completionFixed, userData: userData, id, model) { base, at in
            base.storeBytes(of: created, toByteOffset: at, as: Int64.self)
            base.storeBytes(of: UInt32(id.count), toByteOffset: at + 8, as: UInt32.self)
            base.storeBytes(of: UInt32(model.count), toByteOffset: at + 12, as: UInt32.self)
        }
    }

    /// Writes a response record: what a whole response's records say
    /// beyond its chunks (kimi_chat_response_read_records).
    mutating func appendResponse(costUSD: Double, webSearchCalls: Int64, flags: UInt32, requestID: UnsafeRawBufferPointer,
                                 prefix: UnsafeRawBufferPointer) throws(KimiError) -> Bool {
        try appendFixed(RecordWriter.response, RecordWriter.responseFixed, userData: 0, requestID, prefix) { base, at in
            base.storeBytes(of: costUSD, toByteOffset: at, as: Double.self)
            base.storeBytes(of: webSearchCalls, toByteOffset: at + 8, as: Int64.self)
            base.storeBytes(of: flags, toByteOffset: at + 16, as: UInt32.self)
            base.storeBytes(of: UInt32(requestID.count), toByteOffset: at + 20, as: UInt32.self)
            base.storeBytes(of: UInt32(prefix.count), toByteOffset: at + 24, as: UInt32.self)
            base.storeBytes(of: UInt32(0), toByteOffset: at + 28, as: UInt32.self)
        }
    }

    /// Bytes after the header of a completion record and of a response
    /// record, before their two texts.
    static let completionFixed = 16
    static let responseFixed = 32

    /// A record of no parts: `fixed` bytes that `fields` writes at the
    /// offset it is given, then `first` and `second`, padded.
    private mutating func appendFixed(_ type: UInt16, _ fixed: Int, userData: UInt64, _ first: UnsafeRawBufferPointer,
                                      _ second: UnsafeRawBufferPointer,
                                      fields: (UnsafeMutableRawPointer, Int) -> Void) throws(KimiError) -> Bool {
        let size = RecordWriter.fixedSize(fixed, first.count, second.count)
        guard try reserve(size) else { return false }
        let at = header(size: size, type: type, count: 0, userData: userData)
        fields(base, at)
        let end = RecordPart.copy(second, base, RecordPart.copy(first, base, at + fixed))
        RecordPart.pad(base, from: end, to: written + size)
        written += size
        return true
    }

    static func size(of parts: [RecordPart]) -> Int { size(count: parts.count) { parts[$0] } }

    /// The size of a record of `count` parts, `part(i)` giving each.
    @inline(__always)
    static func size(count: Int, part: (Int) -> RecordPart) -> Int {
        var size = headerSize
        for i in 0..<count { size = size.saturatingAdd(part(i).size) }
        return size
    }

    /// The size of a record of `fixed` bytes and two texts.
    static func fixedSize(_ fixed: Int, _ first: Int, _ second: Int) -> Int {
        (headerSize + fixed).saturatingAdd(RecordPart.padded(first.saturatingAdd(second)))
    }

    /// True when `size` more bytes fit; a record too big for any buffer
    /// this API can describe is an error, never a silent drop. A caller
    /// that writes several records all or none reserves their sum first.
    mutating func reserve(_ size: Int) throws(KimiError) -> Bool {
        guard size <= RecordWriter.maxRecordSize else {
            throw KimiError(.tooLarge, "an event of \(size) bytes is over the 4 GiB a record can hold")
        }
        guard !refused, size <= capacity - written else {
            if !refused && written == 0 { needed = size }
            refused = true
            return false
        }
        return true
    }

    private func header(size: Int, type: UInt16, count: Int, userData: UInt64) -> Int {
        let at = written
        base.storeBytes(of: UInt32(size), toByteOffset: at, as: UInt32.self)
        base.storeBytes(of: type, toByteOffset: at + 4, as: UInt16.self)
        base.storeBytes(of: UInt16(truncatingIfNeeded: count), toByteOffset: at + 6, as: UInt16.self)  // checked by append
        base.storeBytes(of: userData, toByteOffset: at + 8, as: UInt64.self)
        return at + RecordWriter.headerSize
    }
}

/// One event as a record's part: its type, choice and index, and its bytes
/// (two texts, or numbers then a text).
struct RecordPart {
    let type: StreamEventType
    let choice: Int
    let index: Int
    /// The numbers first (usage: 4; progress and data: done, total), as int64.
    private(set) var numbers: (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
    private(set) var numberCount = 0
    private(set) var first = UnsafeRawBufferPointer(start: nil, count: 0)
    private(set) var second = UnsafeRawBufferPointer(start: nil, count: 0)

    /// A part of texts: `first`, then `second`.
    init(_ type: StreamEventType, choice: Int, index: Int = -1, _ first: UnsafeBufferPointer<UInt8>,
         _ second: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)) {
        self.type = type
        self.choice = choice
        self.index = index
        self.first = UnsafeRawBufferPointer(first)
        self.second = UnsafeRawBufferPointer(second)
    }

    /// A USAGE part.
    init(_ usage: Usage, choice: Int, index: Int = -1) {
        type = .usage
        self.choice = choice
        self.index = index
        numbers = (usage.promptTokens, usage.completionTokens, usage.totalTokens, usage.cachedTokens)
        numberCount = 4
    }

    /// The part of `event`, its texts read through the accessors given
    /// (a stream's cursor or a queued record).
    init(_ event: StreamEvent, text: () -> UnsafeBufferPointer<UInt8>, toolCallID: () -> UnsafeBufferPointer<UInt8>,
         toolCallName: () -> UnsafeBufferPointer<UInt8>, finishReason: () -> UnsafeBufferPointer<UInt8>,
         detail: () -> UnsafeBufferPointer<UInt8>) {
        type = event.type
        choice = event.choiceIndex
        switch event.type {
        case .toolCallStart, .toolCallDelta, .toolCallDone: index = event.toolCallIndex
        case .end: index = Int(event.status.rawValue)
        case .result: index = event.httpStatus
        default: index = -1
        }
        switch event.type {
        case .role, .reasoningDelta, .contentDelta, .toolCallDelta:
            first = UnsafeRawBufferPointer(text())
        case .toolCallStart, .toolCallDone:
            first = UnsafeRawBufferPointer(toolCallID())
            second = UnsafeRawBufferPointer(toolCallName())
        case .finish:
            first = UnsafeRawBufferPointer(finishReason())
        case .usage:
            let u = event.usage
            numbers = (u.promptTokens, u.completionTokens, u.totalTokens, u.cachedTokens)
            numberCount = 4
        case .progress, .data:
            numbers = (event.done, event.total, 0, 0)
            numberCount = 2
            second = UnsafeRawBufferPointer(text())
        case .result:
            first = UnsafeRawBufferPointer(text())
            second = UnsafeRawBufferPointer(detail())
        case .done, .end:
            break
        }
    }

    private var firstCount: Int { numberCount > 0 ? numberCount * 8 : first.count }

    /// Header and bytes, padded to 8.
    var size: Int { RecordWriter.partHeaderSize.saturatingAdd(RecordPart.padded(firstCount.saturatingAdd(second.count))) }

    static func padded(_ n: Int) -> Int { n > Int.max - 7 ? Int.max : (n + 7) & ~7 }

    /// Writes the part at `at`; returns where the next one starts.
    func write(_ base: UnsafeMutableRawPointer, _ at: Int) -> Int {
        base.storeBytes(of: UInt8(truncatingIfNeeded: type.rawValue), toByteOffset: at, as: UInt8.self)
        base.storeBytes(of: UInt8(0), toByteOffset: at + 1, as: UInt8.self)
        base.storeBytes(of: Int16(clamping: choice), toByteOffset: at + 2, as: Int16.self)
        base.storeBytes(of: Int32(clamping: index), toByteOffset: at + 4, as: Int32.self)
        base.storeBytes(of: UInt32(firstCount), toByteOffset: at + 8, as: UInt32.self)
        base.storeBytes(of: UInt32(second.count), toByteOffset: at + 12, as: UInt32.self)
        var next = at + RecordWriter.partHeaderSize
        if numberCount > 0 {
            withUnsafeBytes(of: numbers) { all in
                next = RecordPart.copy(UnsafeRawBufferPointer(rebasing: all[0..<numberCount * 8]), base, next)
            }
        } else {
            next = RecordPart.copy(first, base, next)
        }
        next = RecordPart.copy(second, base, next)
        let end = at + size
        RecordPart.pad(base, from: next, to: end)
        return end
    }

    static func copy(_ bytes: UnsafeRawBufferPointer, _ base: UnsafeMutableRawPointer, _ at: Int) -> Int {
        if let source = bytes.baseAddress, bytes.count > 0 { (base + at).copyMemory(from: source, byteCount: bytes.count) }
        return at + bytes.count
    }

    static func pad(_ base: UnsafeMutableRawPointer, from: Int, to: Int) {
        if to > from { (base + from).initializeMemory(as: UInt8.self, repeating: 0, count: to - from) }
    }
}

extension EventReading {
    /// The current event as a record's part.
    func recordPart(_ event: StreamEvent) -> RecordPart {
        RecordPart(event, text: { text(of: event) }, toolCallID: { toolCallID(of: event) },
                   toolCallName: { toolCallName(of: event) }, finishReason: { finishReasonText(of: event) },
                   detail: { detail(of: event) })
    }
}
