/// What one stream event is about. Raw values are the C API's KIMI_EVENT_*.
public enum StreamEventType: Int32, Sendable {
    case role = 1
    case reasoningDelta = 2
    case contentDelta = 3
    case toolCallStart = 4
    case toolCallDelta = 5
    case toolCallDone = 6
    case usage = 7
    case finish = 8
    case done = 9
    /// A task of the event loop ended (after `.done`, or after its failure).
    case end = 10
    /// A task's progress: bytes of an upload sent, lines of a batch done.
    case progress = 11
    /// A piece of a file's content (the event's text, bytes as they came).
    case data = 12
    /// A line of a batch's results: its custom id (the text), its status,
    /// its error or its chat response.
    case result = 13
}

/// One event of a chat stream: plain data, so events are copied and reused
/// without reference counting. Text lives in the stream's event buffer
/// (`ChatStream.text(of:)`); the tool call and finish reason are read from
/// the accumulated response (`ChatStream.toolCall(of:)`, `finishReason(of:)`).
public struct StreamEvent {
    public var type: StreamEventType
    /// The choice the event is about; -1 for stream-wide events (the
    /// include_usage chunk, done).
    public var choiceIndex = -1
    /// The tool call's `index` as the server sent it (its position in the
    /// final response when the server numbers calls 0, 1, 2, ...), or its
    /// order of arrival for servers that leave `index` out; -1 otherwise.
    public var toolCallIndex = -1
    /// Which call of the choice (in order of arrival) the event is about.
    var callSlot = -1
    var textStart = 0
    var textCount = 0
    public var usage = Usage()
    /// How a task ended, for `.end` events.
    public var status = Status.ok
    /// A `.progress` event's counts: so much done of so much (0: unknown).
    public var done: Int64 = 0
    public var total: Int64 = 0
    /// A `.result` event's HTTP status (0: the line got no answer).
    public var httpStatus = 0

    public init(type: StreamEventType, choiceIndex: Int = -1) {
        self.type = type
        self.choiceIndex = choiceIndex
    }
}

/// The current event of something that holds stream events: a stream's or
/// a task's live cursor, or the event last taken from an event queue. The
/// byte views are NUL-terminated and stay valid until the holder moves on.
public protocol EventReading: AnyObject {
    /// The current event, nil when there is none.
    var currentEvent: StreamEvent? { get }
    /// The current event's type (its raw value), 0 when there is none; and
    /// its text, nil when there is none: what a reader asks of most events,
    /// answered without copying the event out.
    var currentType: Int32 { get }
    var currentText: UnsafeBufferPointer<UInt8>? { get }
    func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8>
    func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8>
    func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8>
    func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8>
    /// The data of the event-stream message the event came from.
    var rawChunk: UnsafeBufferPointer<UInt8> { get }
    /// True when no further event comes from the same message.
    var currentIsLastInChunk: Bool { get }
    /// The completion's id, model and creation time from the first chunk
    /// that carried them.
    var completionID: UnsafeBufferPointer<UInt8> { get }
    var completionModel: UnsafeBufferPointer<UInt8> { get }
    var completionCreated: Int64 { get }
    /// A `.result` event's error ("" when the line succeeded).
    func detail(of event: StreamEvent) -> UnsafeBufferPointer<UInt8>
    /// What the current event carries besides text (a `.result` line's
    /// chat response), or nil.
    var currentAttachment: AnyObject? { get }
}

extension EventReading {
    public var currentType: Int32 { currentEvent?.type.rawValue ?? 0 }
    public var currentText: UnsafeBufferPointer<UInt8>? { currentEvent.map { text(of: $0) } }
    public func detail(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { .emptyText }
    public var currentAttachment: AnyObject? { nil }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// An empty, NUL-terminated view.
    public static var emptyText: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: TextBuffer.emptyBytes, count: 0) }
}

extension TextBuffer {
    /// One NUL byte in the binary's constant data, for empty views (no
    /// lazily initialised global: nothing to race on or to set up).
    static var emptyBytes: UnsafePointer<UInt8> { ("" as StaticString).utf8Start }

    /// The contents as a NUL-terminated view, valid until the next change.
    var view: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: count) }
}
