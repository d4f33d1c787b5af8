import Glibc

/// The shape of a stream's chunks, learned from one and replayed for the
/// next: a server sends every chunk of a stream in one shape (the same id,
/// model, keys and nesting), and only its text piece (the content,
/// reasoning or tool-call arguments string) differs from chunk to chunk.
///
/// After a chunk is scanned whole, its bytes before the piece (`head`, up
/// to the piece's opening quote) and after it (`tail`, from its closing
/// quote) are kept. A chunk that begins with exactly `head` and ends with
/// exactly `tail`, and whose middle scans as one JSON string ending at the
/// tail's quote, is that shape with another piece: the scanner reads a
/// chunk front to back, deciding from the bytes it has read and never from
/// the ones ahead, so a whole scan would reach the piece in the same state,
/// read it the same way, and read the tail as before; its result is the
/// last one with the new piece (and the tail's positions moved by the
/// difference in length). Everything else is scanned whole, which also
/// gives every error its message and byte offset.
///
/// Per chunk this compares about 200 bytes and scans the piece, where a
/// whole scan reads every key, string and number.
final class ChunkShape {
    private enum Piece { case content, reasoning, arguments }

    /// The learned chunk's bytes up to and with the piece's opening quote.
    private let head = TextBuffer(capacity: 256)
    /// The learned chunk's bytes from the piece's closing quote to its end.
    private let tail = TextBuffer(capacity: 64)
    /// Which string is the piece; nil: no shape learned (then `chunk` may
    /// hold anything).
    private var piece: Piece?
    /// Where the tail starts in the chunk `chunk` holds now.
    private var tailStart = 0
    /// Some token lies in the tail (its position moves with the piece's length).
    private var tailHasTokens = false
    /// Neither head nor tail holds a CR or LF, so a chunk of this shape is
    /// a single `data:` line whose end `replayLine` can tell.
    private var fitsOneLine = false

    /// Scans the chunk `s` reads into `chunk`: by replaying the shape when
    /// it has it, otherwise whole (and its shape is learned). `chunk` must
    /// be the same object at every call, changed by nothing else.
    func scan(_ s: inout JSONScanner, into chunk: Chunk) throws(JSONScanner.Failure) {
        if replay(&s, into: chunk) { return }
        piece = nil
        s = JSONScanner(s.base, count: s.end)
        try ChunkDecoder.scan(&s, into: chunk)
        learn(chunk, s.base, count: s.end)
    }

    /// Learns the shape of `chunk`, just scanned whole from `base[0..<count]`:
    /// one choice with a content, reasoning or tool-call arguments string
    /// (the first present, in that order), at most one tool call, no error.
    private func learn(_ chunk: Chunk, _ base: UnsafePointer<UInt8>, count: Int) {
        guard !chunk.hasError, chunk.choices.count == 1, chunk.toolCalls.count <= 1 else { return }
        let choice = chunk.choices[0]
        let call = chunk.toolCalls.isEmpty ? nil : chunk.toolCalls[0]
        let which: Piece
        let token: JSONToken
        if let content = choice.content {
            (which, token) = (.content, content)
        } else if let reasoning = choice.reasoning {
            (which, token) = (.reasoning, reasoning)
        } else if let arguments = call?.arguments {
            (which, token) = (.arguments, arguments)
        } else {
            return
        }
        head.removeAll()
        head.append(base, count: token.start)
        tail.removeAll()
        tail.append(base + token.end, count: count - token.end)
        tailStart = token.end
        let tokens = [chunk.id, chunk.model, choice.role, choice.reasoning, choice.content, choice.finishReason,
                      call?.id, call?.type, call?.name, call?.arguments]
        tailHasTokens = tokens.contains { $0.map { $0.start > token.end } ?? false }
        fitsOneLine = !ChunkShape.hasLineEnd(head) && !ChunkShape.hasLineEnd(tail)
        piece = which
    }

    /// Makes `chunk` (holding the last chunk's result) the result for the
    /// chunk `s` reads, when that chunk has the learned shape; false
    /// otherwise (it must be scanned whole).
    private func replay(_ s: inout JSONScanner, into chunk: Chunk) -> Bool {
        guard let piece else { return false }
        let count = s.end
        let newTailStart = count - tail.count
        guard newTailStart >= head.count, memcmp(s.base, head.bytes, head.count) == 0,
              memcmp(s.base + newTailStart, tail.bytes, tail.count) == 0,
              let text = scanPiece(&s), text.end == newTailStart else { return false }
        place(piece, text, into: chunk)
        return true
    }

    /// The shape replayed on an event-stream line: when the bytes from
    /// `start` (`available` of them, then a NUL) begin with a chunk of the
    /// learned shape followed by LF LF, `chunk` becomes its result and its
    /// length is returned; nil otherwise. The piece, a JSON string, holds no
    /// raw CR or LF, nor do the head and tail (`fitsOneLine`): so the chunk
    /// is the whole data of the event, and its end is found without a
    /// search for the line's.
    func replayLine(_ start: UnsafePointer<UInt8>, available: Int, into chunk: Chunk) -> Int? {
        guard let piece, fitsOneLine, available >= head.count + tail.count + 2,
              memcmp(start, head.bytes, head.count) == 0 else { return nil }
        var s = JSONScanner(start, count: available)
        guard let text = scanPiece(&s) else { return nil }
        let length = text.end + tail.count
        guard length + 2 <= available, memcmp(start + text.end, tail.bytes, tail.count) == 0,
              start[length] == 0x0A, start[length + 1] == 0x0A else { return nil }
        place(piece, text, into: chunk)
        return length
    }

    /// The piece: from the head's quote, a string (nil if it is none).
    private func scanPiece(_ s: inout JSONScanner) -> JSONToken? {
        s.move(to: head.count - 1)
        return try? s.string()
    }

    private static func hasLineEnd(_ text: TextBuffer) -> Bool {
        memchr(text.bytes, 0x0A, text.count) != nil || memchr(text.bytes, 0x0D, text.count) != nil
    }

    /// Makes `chunk`, the last chunk's result, that of a chunk with `text`
    /// as its piece.
    private func place(_ piece: Piece, _ text: JSONToken, into chunk: Chunk) {
        if tailHasTokens { moveTail(of: chunk, by: text.end - tailStart) }
        tailStart = text.end
        switch piece {
        case .content: chunk.choices[0].content = text
        case .reasoning: chunk.choices[0].reasoning = text
        case .arguments: chunk.toolCalls[0].arguments = text
        }
    }

    /// Moves the positions of the tokens after the piece by `shift`.
    private func moveTail(of chunk: Chunk, by shift: Int) {
        let after = tailStart
        func moved(_ token: JSONToken?) -> JSONToken? {
            guard var token, token.start > after else { return token }
            token.start += shift
            token.end += shift
            return token
        }
        chunk.id = moved(chunk.id)
        chunk.model = moved(chunk.model)
        var choice = chunk.choices[0]
        choice.role = moved(choice.role)
        choice.reasoning = moved(choice.reasoning)
        choice.content = moved(choice.content)
        choice.finishReason = moved(choice.finishReason)
        chunk.choices[0] = choice
        if !chunk.toolCalls.isEmpty {
            var call = chunk.toolCalls[0]
            call.id = moved(call.id)
            call.type = moved(call.type)
            call.name = moved(call.name)
            call.arguments = moved(call.arguments)
            chunk.toolCalls[0] = call
        }
    }
}
