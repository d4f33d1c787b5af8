import Glibc

/// One dispatched server-sent event. `data` points into the decoder's
/// input or its own buffer, is NUL-terminated, and is valid until the
/// decoder is next used.
public struct SSEEvent {
    public enum Kind: Sendable { case message, error, other }
    /// The `event:` field: none or "message", "error", or anything else.
    public var kind: Kind
    public var data: UnsafeBufferPointer<UInt8>
    /// Where the event's data started in the whole stream (for messages).
    public var streamOffset: Int

    public var isDone: Bool {
        guard data.count == 6, let base = data.baseAddress else { return false }
        return memcmp(base, "[DONE]", 6) == 0
    }
}

/// An incremental decoder for the WHATWG event-stream format.
///
/// Input arrives in arbitrary pieces at the end of a `TextBuffer`; `next`
/// parses whole lines from `position` and returns an event when a blank
/// line dispatches one. The rules: an optional UTF-8 BOM at the very start;
/// lines end with LF, CR or CRLF (a CR at the end of one read and the LF at
/// the start of the next are one line end); `:` lines are comments; `data:`
/// with or without the space; several data lines join with "\n"; `event`,
/// `id` and `retry` fields; unknown fields ignored; an unterminated last
/// event is never dispatched.
///
/// A single data line (the usual case) is returned in place, without a copy:
/// the byte that ended its line is overwritten with NUL.
///
/// A class whose state is private: the optimizer then proves that no access
/// to it overlaps another and drops the run-time exclusivity checks (a
/// struct held in a class and mutated across calls keeps them).
public final class SSEDecoder {
    private var position = 0
    /// Bytes dropped from the front of the buffer by `compact`.
    private var compacted = 0
    private var bomChecked = false
    /// The previous line ended with CR at the very end of the input.
    private var skipLeadingLF = false
    /// The line at `position` has no line end before this offset: a long
    /// line arriving in pieces is searched once, not again with each piece.
    private var searchedTo = 0

    private var dataLines = 0
    private var dataStart = 0
    private var dataEnd = 0
    /// Where the event's first data line started in the whole stream;
    /// unlike `dataStart` it stays right when `compact` drops that line.
    private var dataStreamOffset = 0
    private let joined = TextBuffer()
    private var eventKind = SSEEvent.Kind.message
    public private(set) var lastEventID = ""
    public private(set) var retryMs: Int?
    public let maxEventBytes: Int

    public init(maxEventBytes: Int = 16 << 20) { self.maxEventBytes = maxEventBytes }

    public enum Failure: Error { case tooLarge(Int) }

    /// Parses lines until an event is dispatched or the input runs out.
    public func next(in buffer: TextBuffer) throws(Failure) -> SSEEvent? {
        let base = buffer.mutableBytes
        let count = buffer.count
        if !bomChecked {
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            let available = count - position
            var matching = 0
            while matching < min(available, 3), base[position + matching] == bom[matching] { matching += 1 }
            if matching < min(available, 3) || available >= 3 {
                bomChecked = true
                if matching == 3 { position += 3 }
            } else {
                return nil // fewer than 3 bytes, all matching so far: wait for more
            }
        }
        while position < count {
            if skipLeadingLF {
                skipLeadingLF = false
                if base[position] == 0x0A {
                    position += 1
                    continue
                }
            }
            let lineStart = position
            if let event = wholeDataEvent(base, lineStart, count) { return event }
            if base[lineStart] == 0x0A {
                // An empty line ended by LF (the one after each data line):
                // no search needed.
                position = lineStart + 1
                if let event = dispatch(base) { return event }
                continue
            }
            let remaining = count - lineStart
            let from = max(lineStart, searchedTo)
            func offset(_ found: UnsafeMutableRawPointer?) -> Int? { found.map { $0 - UnsafeMutableRawPointer(base + lineStart) } }
            let lf = offset(memchr(base + from, 0x0A, count - from))
            let cr = offset(memchr(base + from, 0x0D, (lf ?? remaining) - (from - lineStart)))
            let lineLength: Int
            let terminatorLength: Int
            if let cr {
                lineLength = cr
                if lineStart + cr + 1 < count {
                    terminatorLength = base[lineStart + cr + 1] == 0x0A ? 2 : 1
                } else {
                    terminatorLength = 1
                    skipLeadingLF = true
                }
            } else if let lf {
                lineLength = lf
                terminatorLength = 1
            } else {
                if remaining > maxEventBytes { throw .tooLarge(maxEventBytes) }
                searchedTo = count
                return nil // an incomplete line: wait for more input
            }
            if lineLength > maxEventBytes { throw .tooLarge(maxEventBytes) }
            position = lineStart + lineLength + terminatorLength
            if let event = try line(base, start: lineStart, length: lineLength) {
                return event
            }
        }
        return nil
    }

    /// The usual event, `data: <payload>` LF LF with no other field and no
    /// CR, at `lineStart` of a line not searched before: dispatched at once,
    /// without the line-by-line state. Nil for anything else, which the
    /// general rules then read.
    @inline(__always)
    private func wholeDataEvent(_ base: UnsafeMutablePointer<UInt8>, _ lineStart: Int, _ count: Int) -> SSEEvent? {
        let valueStart = lineStart + 6
        guard startsPlainDataLine(base, lineStart, count),
              let found = memchr(base + valueStart, 0x0A, count - valueStart) else { return nil }
        let lf = UnsafeMutableRawPointer(found) - UnsafeMutableRawPointer(base)
        guard lf + 1 < count, base[lf + 1] == 0x0A, lf - lineStart <= maxEventBytes,
              memchr(base + valueStart, 0x0D, lf - valueStart) == nil else { return nil }
        return dispatchDataLine(base, valueStart: valueStart, lf: lf)
    }

    /// A `data: ` line starts at `lineStart`, with no event under way and
    /// not searched before: the state in which a whole line is its event.
    @inline(__always)
    private func startsPlainDataLine(_ base: UnsafeMutablePointer<UInt8>, _ lineStart: Int, _ count: Int) -> Bool {
        dataLines == 0 && eventKind == .message && searchedTo <= lineStart && lineStart + 6 < count
            && base[lineStart] == UInt8(ascii: "d") && base[lineStart + 1] == UInt8(ascii: "a")
            && base[lineStart + 2] == UInt8(ascii: "t") && base[lineStart + 3] == UInt8(ascii: "a")
            && base[lineStart + 4] == UInt8(ascii: ":") && base[lineStart + 5] == UInt8(ascii: " ")
    }

    /// The data line from `valueStart` to its LF at `lf` (an empty line
    /// after it) as its event.
    @inline(__always)
    private func dispatchDataLine(_ base: UnsafeMutablePointer<UInt8>, valueStart: Int, lf: Int) -> SSEEvent {
        base[lf] = 0 // the line's LF, consumed: the data is NUL-terminated in place
        position = lf + 2
        return SSEEvent(kind: .message, data: UnsafeBufferPointer(start: base + valueStart, count: lf - valueStart),
                        streamOffset: compacted + valueStart)
    }

    /// The value of the `data: ` line the decoder stands at, when a whole
    /// line would be its event (as `wholeDataEvent` finds): its first byte
    /// and the bytes the buffer holds from there. Nil otherwise. A caller
    /// that knows where the line ends (a learned chunk shape) takes it with
    /// `takeData` without searching for its end.
    func dataValue(in buffer: TextBuffer) -> (start: UnsafeMutablePointer<UInt8>, available: Int)? {
        let base = buffer.mutableBytes
        guard bomChecked, !skipLeadingLF, startsPlainDataLine(base, position, buffer.count) else { return nil }
        return (base + position + 6, buffer.count - position - 6)
    }

    /// Dispatches the line `dataValue` found as a whole message of `length`
    /// bytes of data. The caller checked that LF LF follows them and that
    /// they hold no CR or LF, which makes it exactly the event
    /// `wholeDataEvent` would return. Nil when the line is over the limit
    /// (`next` then reports it).
    func takeData(_ length: Int, in buffer: TextBuffer) -> SSEEvent? {
        let valueStart = position + 6
        let lf = valueStart + length
        guard lf - position <= maxEventBytes else { return nil }
        return dispatchDataLine(buffer.mutableBytes, valueStart: valueStart, lf: lf)
    }

    /// Handles one line; returns the event a blank line dispatches.
    private func line(_ base: UnsafeMutablePointer<UInt8>, start: Int, length: Int) throws(Failure) -> SSEEvent? {
        if length == 0 { return dispatch(base) }
        if base[start] == UInt8(ascii: ":") { return nil }
        let field: Field
        let colon: Int
        if length >= 5, base[start] == UInt8(ascii: "d"), base[start + 1] == UInt8(ascii: "a"),
           base[start + 2] == UInt8(ascii: "t"), base[start + 3] == UInt8(ascii: "a"), base[start + 4] == UInt8(ascii: ":") {
            field = .data // nearly every line: no search for the colon
            colon = 4
        } else {
            colon = memchr(base + start, Int32(UInt8(ascii: ":")), length)
                .map { UnsafeMutableRawPointer($0) - UnsafeMutableRawPointer(base + start) } ?? length
            field = fieldName(base + start, colon)
        }
        // "field: value" drops one leading space; a line without a colon is a
        // field name with an empty value.
        let valueEnd = start + length
        var valueStart = colon < length ? start + colon + 1 : valueEnd
        if valueStart < valueEnd, base[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = valueEnd - valueStart

        switch field {
        case .data:
            if dataLines == 0 {
                dataStart = valueStart
                dataEnd = valueStart + value
                dataStreamOffset = compacted + valueStart
            } else {
                if dataLines == 1 {
                    joined.removeAll()
                    joined.append(base + dataStart, count: dataEnd - dataStart)
                }
                joined.append(0x0A)
                joined.append(base + valueStart, count: value)
                if joined.count > maxEventBytes { throw .tooLarge(maxEventBytes) }
            }
            dataLines += 1
        case .event:
            if value == 7, memcmp(base + valueStart, "message", 7) == 0 {
                eventKind = .message
            } else if value == 5, memcmp(base + valueStart, "error", 5) == 0 {
                eventKind = .error
            } else {
                eventKind = .other
            }
        case .id:
            if memchr(base + valueStart, 0, value) == nil {
                lastEventID = String(decoding: UnsafeBufferPointer(start: base + valueStart, count: value), as: UTF8.self)
            }
        case .retry:
            let digits = UnsafeBufferPointer(start: base + valueStart, count: value)
            if value > 0, value < 19, digits.allSatisfy({ (0x30...0x39).contains($0) }) {
                retryMs = Int(String(decoding: digits, as: UTF8.self))
            }
        case .other:
            break
        }
        return nil
    }

    private func dispatch(_ base: UnsafeMutablePointer<UInt8>) -> SSEEvent? {
        defer {
            dataLines = 0
            eventKind = .message
        }
        guard dataLines > 0 else { return nil }
        let data: UnsafeBufferPointer<UInt8>
        if dataLines == 1 {
            base[dataEnd] = 0 // the byte that ended the data line, already consumed
            data = UnsafeBufferPointer(start: base + dataStart, count: dataEnd - dataStart)
        } else {
            data = UnsafeBufferPointer(start: joined.bytes, count: joined.count)
        }
        return SSEEvent(kind: eventKind, data: data, streamOffset: dataStreamOffset)
    }

    private enum Field { case data, event, id, retry, other }

    private func fieldName(_ p: UnsafePointer<UInt8>, _ n: Int) -> Field {
        switch n {
        case 4 where memcmp(p, "data", 4) == 0: return .data
        case 5 where memcmp(p, "event", 5) == 0: return .event
        case 2 where memcmp(p, "id", 2) == 0: return .id
        case 5 where memcmp(p, "retry", 5) == 0: return .retry
        default: return .other
        }
    }

    /// The input memory a stream keeps between reads: more, grown for a
    /// burst (a read after a pause brings what waited), is given back once
    /// consumed, so a thousand streams never hold a thousand bursts (4 MB at most
    /// between reads).
    static let keptInputBytes = 4 << 10

    /// Drops consumed bytes from the front of `buffer`; when all were
    /// consumed, also the memory a burst grew it to. Call only when no
    /// returned event is still in use.
    public func compact(_ buffer: TextBuffer) {
        let keep = dataLines == 1 ? dataStart : position
        guard keep > 0 else { return }
        if keep >= buffer.count {
            buffer.removeAll(keepingAtMost: SSEDecoder.keptInputBytes)
        } else {
            buffer.removeFirst(keep)
        }
        position -= keep
        searchedTo = max(0, searchedTo - keep)
        if dataLines == 1 {
            dataStart -= keep
            dataEnd -= keep
        }
        compacted += keep
    }

    /// Total bytes consumed so far.
    public var offset: Int { compacted + position }
}
