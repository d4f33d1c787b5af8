/// Where a call's 2xx body goes: kept whole (JSON answers), or read as it
/// arrives (chat events, a file's lines or bytes). A sink only reads; the
/// call (`Call.pull`) decides when the body ended and how: the sink tells it
/// whether it saw its own end marker and what it needs to be complete.
protocol BodySink: AnyObject {
    /// Whether the body is read as it arrives (a streamed answer) or kept
    /// whole in the transfer until it ends.
    var streams: Bool { get }
    /// Reads what `input` holds (bytes of the body, in order, the unread ones
    /// at the front).
    func consume(_ input: TextBuffer) throws(KimiError) -> SinkProgress
    /// The marker without which the body is not complete ("data: [DONE]");
    /// nil when the body's end is its own end (a file).
    var endMarker: String? { get }
    /// What the body is, for messages ("the stream").
    var what: String { get }
    /// A note for a body that ended early ("a finish_reason was seen...").
    var earlyEndNote: String { get }
}

/// What a sink made of the input it was given.
enum SinkProgress {
    /// It has something for its reader; ask again for more.
    case produced
    /// It read all it could: nothing more until more bytes arrive.
    case needsMore
    /// It saw the body's own end marker.
    case ended
}

extension BodySink {
    var endMarker: String? { nil }
    var earlyEndNote: String { "" }
}

/// A body kept whole in the transfer (a JSON answer, an error body); the
/// caller decodes it once the call succeeded.
final class WholeBody: BodySink, @unchecked Sendable {
    static let shared = WholeBody()
    var streams: Bool { false }
    var what: String { "the answer" }
    func consume(_ input: TextBuffer) throws(KimiError) -> SinkProgress { .needsMore }
}

/// A body handed on in pieces as it arrives (a file's content): it tells its
/// reader when bytes wait that the reader has not seen (`.produced`); the
/// reader takes what it can from the front of the input and leaves the rest
/// (a line not yet ended), which is offered again with the next bytes.
/// Memory holds what the reader leaves and one network read, never the
/// whole body.
final class ByteSink: BodySink {
    let what: String
    /// Bytes the reader left in the input when it last read.
    var leftover = 0

    init(_ what: String) { self.what = what }

    var streams: Bool { true }

    func consume(_ input: TextBuffer) throws(KimiError) -> SinkProgress {
        input.count > leftover ? .produced : .needsMore
    }
}
