/// Turns event-stream bytes into chat stream events and the accumulated
/// response: the SSE decoder, the chunk scanner and the accumulator, with
/// Kimi's rules for `[DONE]` and error frames. It does no I/O: `ChatStream`
/// feeds it from the network; tests and fuzzers feed it from memory.
public final class StreamDecoder {
    private let sse: SSEDecoder
    private let accumulator: StreamAccumulator
    private let gate: Gate
    /// The scanned parts of the last chunk.
    private let chunk = Chunk()
    /// The shape of the chunks, for those that only change the text piece.
    private let shape = ChunkShape()
    /// False: every chunk is scanned whole.
    private let reusesShapes: Bool
    /// True once `data: [DONE]` was decoded.
    public var sawDone: Bool { doneSeen }
    /// When the first reasoning, content or tool-call piece was decoded
    /// (monotonic ns); 0 before.
    public var firstTokenAt: UInt64 { firstToken }
    // Stored privately (public stored properties keep run-time exclusivity
    // checks; these are read per chunk).
    private var doneSeen = false
    private var firstToken: UInt64 = 0
    /// The data of the message the current events came from (NUL-terminated),
    /// as received: `rawChunk` is how it may leave.
    private var receivedChunk = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// `receivedChunk` through the gate, made on first use per message (a
    /// chunk with no control character and no piece of the key, the usual
    /// case, is handed out as received).
    private var gatedChunk: UnsafeBufferPointer<UInt8>?
    private let gatedChunkText = TextBuffer()

    /// The data of the message the current events came from, NUL-terminated,
    /// as the gate lets it out (the model's text in it kept as sent).
    public var rawChunk: UnsafeBufferPointer<UInt8> {
        if let gatedChunk { return gatedChunk }
        var made = receivedChunk
        if !gate.passesUnchanged(receivedChunk) {  // most chunks: no copy
            gatedChunkText.removeAll()
            gatedChunkText.append(gate.admitJSON(receivedChunk, payload: .chatChunk).string)
            made = gatedChunkText.view
        }
        gatedChunk = made
        return made
    }

    /// The most text the accumulated response may hold: a stream that
    /// never ends cannot take all memory.
    public let maxResponseBytes: Int

    /// `gate` is what the texts that are not the model's own pass (ids,
    /// names, finish reasons, errors). `reusesShapes: false` scans every
    /// chunk whole (the reference the fuzzer compares the shapes against).
    public init(maxEventBytes: Int = 16 << 20, maxResponseBytes: Int = 64 << 20, gate: Gate = .none,
                reusesShapes: Bool = true) {
        sse = SSEDecoder(maxEventBytes: maxEventBytes)
        self.reusesShapes = reusesShapes
        accumulator = StreamAccumulator(gate: gate)
        self.gate = gate
        self.maxResponseBytes = maxResponseBytes
    }

    public var response: ChatResponse { accumulator.response }
    /// Events of the last decoded message.
    public var eventCount: Int { accumulator.eventCount }
    public func event(_ i: Int) -> StreamEvent { accumulator.events[i] }
    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { accumulator.text(of: event) }
    /// The last message's events in place (`eventCount` of them), valid
    /// until the next decode.
    public var events: UnsafePointer<StreamEvent> { accumulator.events.elements }
    /// The text of an event of `events`, read in place.
    public func text(of event: UnsafePointer<StreamEvent>) -> UnsafeBufferPointer<UInt8> {
        accumulator.text(start: event.pointee.textStart, count: event.pointee.textCount)
    }
    public func toolCall(of event: StreamEvent) -> ResponseToolCall? { accumulator.toolCall(of: event) }
    public func finishReason(of event: StreamEvent) -> GatedText? { accumulator.finishReason(of: event) }
    public var maxEventBytes: Int { sse.maxEventBytes }

    /// Decodes the next whole message in `input`, replacing the previous
    /// message's events. Returns false when `input` holds no whole message
    /// yet. A message may yield no events (a keep-alive chunk).
    public func decodeNext(_ input: TextBuffer) throws(KimiError) -> Bool {
        // The usual chunk: a `data:` line of the learned shape, its end
        // known from the shape (no search for it, no scan but the piece's).
        if reusesShapes, let line = sse.dataValue(in: input),
           let length = shape.replayLine(line.start, available: line.available, into: chunk),
           let message = sse.takeData(length, in: input) {
            begin(message)
            return try apply(JSONScanner(line.start, count: length), of: message)
        }
        let message: SSEEvent?
        do {
            message = try sse.next(in: input)
        } catch {
            throw KimiError(.tooLarge, "an event-stream line is over the \(sse.maxEventBytes)-byte limit", hint: .maxEventBytes)
        }
        guard let message else { return false }
        begin(message)
        switch message.kind {
        case .error: throw streamError(message)
        case .other: return true // events of other types are not chat chunks
        case .message: break
        }
        if message.isDone {
            doneSeen = true
            accumulator.finishStream()
            return true
        }
        // An event with empty or blank data carries no chunk (a keep-alive).
        guard let base = message.data.baseAddress,
              message.data.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
            return true
        }
        var scanner = JSONScanner(base, count: message.data.count)
        do {
            if reusesShapes {
                try shape.scan(&scanner, into: chunk)
            } else {
                try ChunkDecoder.scan(&scanner, into: chunk)
            }
        } catch {
            throw KimiError(.parse, "data: payload at stream byte \(message.streamOffset + error.offset) is not a valid chunk: \(error.reason)")
        }
        return try apply(scanner, of: message)
    }

    /// `message` replaces the last one: its events and its raw data.
    @inline(__always)
    private func begin(_ message: SSEEvent) {
        accumulator.beginChunk()
        receivedChunk = message.data
        gatedChunk = nil
    }

    /// Applies the chunk just scanned (`chunk`, read by `scanner`) from `message`.
    private func apply(_ scanner: JSONScanner, of message: SSEEvent) throws(KimiError) -> Bool {
        if chunk.hasError { throw streamError(message) }
        try accumulator.apply(chunk, scanner)
        guard accumulator.eventCount <= StreamDecoder.maxEventsPerChunk else {
            // A chunk of Kimi's makes a few events. One making more than a
            // record can count (its parts are 16-bit) could not be read as
            // records, so no reader gets it.
            throw KimiError(.parse, "the chunk at stream byte \(message.streamOffset) makes \(accumulator.eventCount) events "
                                    + "(\(chunk.choices.count) choice deltas); a chunk makes at most \(StreamDecoder.maxEventsPerChunk)")
        }
        if firstToken == 0 && accumulator.sawToken { firstToken = monotonicNanos() }
        if accumulator.keptBytes > maxResponseBytes {
            throw KimiError(.tooLarge, "the streamed answer grew over the \(maxResponseBytes)-byte response limit", hint: .maxResponseBytes)
        }
        return true
    }

    /// Drops consumed bytes from `input`; call only when no event of the
    /// last message is still in use.
    public func compact(_ input: TextBuffer) { sse.compact(input) }

    /// The most events one chunk may make: as many as a record's parts.
    static let maxEventsPerChunk = Int(UInt16.max)

    /// Bytes of input consumed so far.
    public var offset: Int { sse.offset }

    /// The `.api` error an `event: error` or a `{"error": ...}` payload carries.
    private func streamError(_ message: SSEEvent) -> KimiError {
        let text = String(decoding: message.data, as: UTF8.self)
        if case .success(let root) = JSONValue.parse(text) {
            if let error = ErrorDecoder.apiError(in: root, httpStatus: 0, gate: gate) { return error }
            if root.isObject, let wrapped = JSONValue.object([("error", root)]),
               let error = ErrorDecoder.apiError(in: wrapped, httpStatus: 0, gate: gate) {
                return error
            }
        }
        var error = KimiError(.api, "error event in stream: \(gate.admit(text))")
        error.body = gate.admit(text, as: .lines)
        return error
    }
}
