/// The JSON text a request was loaded from, sent as the body while the
/// request is as it was loaded (`ChatRequest.loaded`): decoding it was the
/// check of Kimi's rules, so it is not written again. Only the stream fields
/// are the call's: a `stream` or `stream_options` member of the text is left
/// out, and a streamed call's are written as the encoder writes them.
public final class LoadedBody {
    /// The loaded text without `stream` and `stream_options`.
    let text: TextBuffer
    /// Where its opening brace is (whitespace may come before).
    let open: Int

    /// `text` (a JSON object jansson parsed) as the body, or nil when its
    /// stream members cannot be cut out (it is then encoded, as a built
    /// request is). `callMembers` says whether it has any to cut.
    init?(_ text: TextBuffer, callMembers: Bool) {
        guard callMembers else {
            var open = 0
            while open < text.count, text.bytes[open] != UInt8(ascii: "{") { open += 1 }
            self.text = text
            self.open = open
            return
        }
        guard let kept = LoadedBody.withoutCallMembers(text) else { return nil }
        self.text = kept
        open = 0
    }

    /// The top-level members of `text` but `stream` and `stream_options`,
    /// as one object: member by member as they came, found with the
    /// stream scanner (no second parse into values).
    private static func withoutCallMembers(_ text: TextBuffer) -> TextBuffer? {
        var s = JSONScanner(text.bytes, count: text.count)
        var w = JSONWriter(into: TextBuffer(capacity: text.count))
        do throws(JSONScanner.Failure) {
            try s.enterObject()
            w.beginObject()
            var first = true
            while true {
                s.skipSpace()
                let before = s.position
                guard let key = try s.nextMember(&first) else { break }
                try s.skipValue()
                if isCallMember(key, in: s) { continue }
                // From the key's opening quote: a comma of the text's own goes.
                var start = before
                while text.bytes[start] != UInt8(ascii: "\"") { start += 1 }
                w.raw(UnsafeRawBufferPointer(start: text.bytes + start, count: s.position - start))
            }
            try s.finish()
        } catch {
            return nil
        }
        w.endObject()
        return w.out
    }

    /// True for `stream` and `stream_options`, however the key is written
    /// (`"str\u0065am"` is `stream` to jansson, so it is to this too).
    private static func isCallMember(_ key: JSONToken, in s: JSONScanner) -> Bool {
        guard key.escaped else { return s.matches(key, "stream") || s.matches(key, "stream_options") }
        let name = TextBuffer(capacity: key.count)
        s.decode(key, into: name)
        return name.string == "stream" || name.string == "stream_options"
    }

    /// The body of a call: the text as it is, or for a streamed call with
    /// the stream fields in front of its members.
    func body(streamed: Bool, includeUsage: Bool?) -> RequestBody {
        guard streamed else { return RequestBody([.text(text)]) }
        var w = JSONWriter(into: TextBuffer(capacity: text.count + 56))
        w.beginObject()
        RequestEncoder.writeStreamFields(includeUsage: includeUsage, to: &w)
        var next = open + 1
        while next < text.count, isSpace(text.bytes[next]) { next += 1 }
        if next < text.count, text.bytes[next] != UInt8(ascii: "}") { w.out.append(UInt8(ascii: ",")) }
        w.out.append(UnsafeRawBufferPointer(start: text.bytes + open + 1, count: text.count - open - 1))
        return RequestBody([.text(w.out)])
    }

    private func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
}

extension ChatRequest {
    /// The body this request is sent as for `purpose` when no rule rewrites
    /// it: its loaded text while it is as it was loaded (`loaded`), else
    /// the encoder's writing. `kimi_chat_request_to_json` shows this, so
    /// what it shows of a loaded request is what goes (members the fields
    /// do not hold, such as `thinking.budget` or a tool's own extras, and
    /// numbers as written), not a re-encoding that is never sent.
    public func body(for purpose: RequestEncoder.Purpose) -> RequestBody {
        loadedBody(for: purpose) ?? RequestEncoder.encode(self, for: purpose)
    }

    /// The loaded text as the body of a create or a stream, while it is the
    /// request's; nil otherwise (an estimate's body is its own: model and
    /// messages only).
    func loadedBody(for purpose: RequestEncoder.Purpose) -> RequestBody? {
        guard purpose != .estimate, let loaded else { return nil }
        return loaded.body(streamed: purpose == .stream, includeUsage: self.includeUsage)
    }
}
