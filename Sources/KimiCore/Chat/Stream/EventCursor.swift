/// A reader's position in a stream's events: the events the decoder made
/// from the last message, and which one is current. It is the body sink of
/// a streamed chat call (the pull stream's and the task's alike), and the C
/// event accessors read through it.
public final class EventCursor: TaskEvents, BodySink {
    let decoder: StreamDecoder
    /// The event made outside the decoder (a task's `.end`), when current.
    private var ending: StreamEvent?
    /// The decoder's current event, where the decoder keeps it among the
    /// last message's events (valid until the next decode): read in place, never copied
    /// here, as a stream event is a hundred bytes and its reader (the C
    /// accessors, once or more per event) asks for a field or two.
    private var inPlace: UnsafePointer<StreamEvent>?

    public init(maxEventBytes: Int, maxResponseBytes: Int, gate: Gate = .none) {
        decoder = StreamDecoder(maxEventBytes: maxEventBytes, maxResponseBytes: maxResponseBytes, gate: gate)
    }

    /// The response accumulated so far.
    public var response: ChatResponse { decoder.response }
    public var sawDone: Bool { decoder.sawDone }
    /// When the stream's first reasoning, content or tool-call piece came.
    public var firstTokenAt: UInt64 { decoder.firstTokenAt }

    public var hasCurrent: Bool { inPlace != nil || ending != nil }
    /// The current event; only when `hasCurrent`.
    public var current: StreamEvent { inPlace?.pointee ?? ending.unsafelyUnwrapped }
    /// True when the current event is the last its chunk made.
    public var currentIsLastInChunk: Bool { ending != nil || inPlace.map { $0 + 1 == eventsEnd } ?? false }
    /// Just past the last message's events.
    private var eventsEnd: UnsafePointer<StreamEvent> { decoder.events + decoder.eventCount }
    /// The data of the event-stream message the current events came from.
    public var rawChunk: UnsafeBufferPointer<UInt8> {
        ending == nil ? decoder.rawChunk : UnsafeBufferPointer(start: nil, count: 0)
    }

    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> {
        event.type == .end ? UnsafeBufferPointer(start: nil, count: 0) : decoder.text(of: event)
    }
    public func toolCall(of event: StreamEvent) -> ResponseToolCall? {
        event.type == .end ? nil : decoder.toolCall(of: event)
    }
    public func finishReason(of event: StreamEvent) -> GatedText? {
        event.type == .end ? nil : decoder.finishReason(of: event)
    }

    // MARK: EventReading

    public var currentEvent: StreamEvent? { inPlace?.pointee ?? ending }
    public var currentType: Int32 { inPlace?.pointee.type.rawValue ?? ending?.type.rawValue ?? 0 }
    public var currentText: UnsafeBufferPointer<UInt8>? {
        if let inPlace { return decoder.text(of: inPlace) }
        return ending == nil ? nil : UnsafeBufferPointer(start: nil, count: 0)
    }
    public func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { toolCall(of: event)?.id.view ?? .emptyText }
    public func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { toolCall(of: event)?.name.view ?? .emptyText }
    public func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { finishReason(of: event)?.view ?? .emptyText }
    public var completionID: UnsafeBufferPointer<UInt8> { response.id.view }
    public var completionModel: UnsafeBufferPointer<UInt8> { response.model.view }
    public var completionCreated: Int64 { response.created }

    /// The events of the current message, from the current one on.
    public func forEachPending(_ body: (StreamEvent) -> Void) {
        if let ending {
            body(ending)
            return
        }
        guard var event = inPlace else { return }
        let end = eventsEnd
        while event < end {
            body(event.pointee)
            event += 1
        }
    }

    /// Moves to the next event of the current message; false at its end.
    public func advance() -> Bool {
        guard let inPlace, inPlace + 1 < eventsEnd else { return false }
        self.inPlace = inPlace + 1
        return true
    }

    /// Decodes messages from `input` until one yields events (keep-alive
    /// messages yield none) and makes its first event current. False when
    /// `input` holds no further whole message.
    public func decode(_ input: TextBuffer) throws(KimiError) -> Bool {
        inPlace = nil  // decoding replaces the events (and their text)
        ending = nil
        while try decoder.decodeNext(input) {
            if decoder.eventCount > 0 {
                inPlace = decoder.events
                return true
            }
        }
        return false
    }

    /// Drops consumed input; the current events stay valid.
    public func compact(_ input: TextBuffer) { decoder.compact(input) }

    /// Makes a task's `.end` event current.
    public func showEnd(status: Status) {
        var event = StreamEvent(type: .end)
        event.status = status
        ending = event
        inPlace = nil
    }

    // MARK: BodySink

    var streams: Bool { true }
    var endMarker: String? { "data: [DONE]" }
    var what: String { "the stream" }
    var earlyEndNote: String {
        response.choices.contains { !$0.finishReason.isEmpty } ? " (a finish_reason was seen, but only [DONE] completes a stream)" : ""
    }

    /// The next message's events become current (`.produced`); after the
    /// `[DONE]` message was handed on, `.ended`.
    func consume(_ input: TextBuffer) throws(KimiError) -> SinkProgress {
        if sawDone {
            input.removeAll(keepingAtMost: 0)  // over: what followed [DONE] is not read
            return .ended
        }
        if try decode(input) { return .produced }
        // Consumed input goes only here, before more is read: every reader
        // (a pull stream, records, a task) takes all whole messages before
        // the next read, so nothing is appended behind a consumed part, and
        // dropping it earlier would only move the unread bytes (a 256 KiB
        // read over and over: five times the instructions per chunk).
        compact(input)
        return .needsMore
    }
}
