import Glibc

/// The shape of a stream's chunks, learned from one and replayed for the
/// next: a server sends every chunk of a stream in one shape (the same id,
/// model, keys and nesting), and only its text piece (the content,
/// reasoning or tool-call arguments string) differs from chunk to chunk.
///
/// After a chunk is scanned whole, its bytes before the piece (`head`, up
/// to the piece's opening quote) and after it (`tail`, from its closing
/// quote) are kept with what the scan made of them. A chunk that begins
/// with exactly `head` and ends with exactly `tail`, and whose middle scans
/// as one JSON string ending at the tail's quote, is that shape with another
/// piece: the scanner reads a chunk front to back, deciding from the bytes
/// it has read and never from the ones ahead, so a whole scan would reach
/// the piece in the same state, read it the same way, and read the tail as
/// before; its result is the kept one with the new piece (and the tail's
/// positions moved by the difference in length). Everything else is scanned
/// whole, which also gives every error its message and byte offset.
///
/// Per chunk this compares about 200 bytes and scans the piece, where a
/// whole scan reads every key, string and number.
final class ChunkShape {
    private enum Piece { case content, reasoning, arguments }

    /// The learned chunk's bytes up to and with the piece's opening quote.
    private let head = TextBuffer(capacity: 256)
    /// The learned chunk's bytes from the piece's closing quote to its end.
    private let tail = TextBuffer(capacity: 64)
    /// Which string is the piece; nil: no shape learned.
    private var piece: Piece?
    /// The learned chunk's length.
    private var learnedCount = 0
    // What the learned chunk's scan made (positions in the learned chunk).
    private var id: JSONToken?
    private var model: JSONToken?
    private var created: Int64?
    private var usage: Usage?
    private var choice = Chunk.Choice()
    private var call: Chunk.ToolCall?

    /// Learns the shape of `chunk`, just scanned whole from `base[0..<count]`:
    /// one choice with a content, reasoning or tool-call arguments string
    /// (the first present, in that order), at most one tool call, no error.
    func learn(_ chunk: Chunk, _ base: UnsafePointer<UInt8>, count: Int) {
        piece = nil
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
        learnedCount = count
        id = chunk.id
        model = chunk.model
        created = chunk.created
        usage = chunk.usage
        self.choice = choice
        self.call = call
        piece = which
    }

    /// Fills `chunk` when the chunk `s` reads (not yet scanned) has the
    /// learned shape; false otherwise (it must be scanned whole).
    func replay(_ s: inout JSONScanner, into chunk: Chunk) -> Bool {
        guard let piece else { return false }
        let count = s.end
        let tailStart = count - tail.count
        guard tailStart >= head.count, memcmp(s.base, head.bytes, head.count) == 0,
              memcmp(s.base + tailStart, tail.bytes, tail.count) == 0 else { return false }
        // The piece: from the head's quote, a string that ends at the tail's.
        s.move(to: head.count - 1)
        guard let text = try? s.string(), text.end == tailStart else { return false }
        let shift = count - learnedCount
        let learnedTailStart = learnedCount - tail.count
        func moved(_ token: JSONToken?) -> JSONToken? {
            guard var token, token.start > learnedTailStart else { return token }
            token.start += shift
            token.end += shift
            return token
        }
        chunk.reset()
        chunk.id = moved(id)
        chunk.model = moved(model)
        chunk.created = created
        chunk.usage = usage
        var choice = self.choice
        choice.role = moved(choice.role)
        choice.reasoning = moved(choice.reasoning)
        choice.content = moved(choice.content)
        choice.finishReason = moved(choice.finishReason)
        if var call {
            call.id = moved(call.id)
            call.type = moved(call.type)
            call.name = moved(call.name)
            call.arguments = moved(call.arguments)
            if piece == .arguments { call.arguments = text }
            chunk.toolCalls.append(call)
        }
        switch piece {
        case .content: choice.content = text
        case .reasoning: choice.reasoning = text
        case .arguments: break
        }
        chunk.choices.append(choice)
        return true
    }
}
