import Glibc

/// Applies stream chunks to a `ChatResponse` and lists the events each chunk
/// makes, in order: per choice, role, reasoning delta, content delta, tool
/// call start/delta, then (with the finish reason) tool call done for each
/// open call and finish, then usage.
///
/// Kimi's rules: reasoning and content are concatenated, never replaced;
/// tool calls are assembled by `index` (by id or position when a provider
/// leaves `index` out), kept in the response in `index` order whatever
/// order they arrive in, and their ids kept verbatim; usage from
/// `choices[i].usage` or the top-level usage chunk replaces earlier usage
/// (the last one wins, nothing is summed).
final class StreamAccumulator {
    let response: ChatResponse
    /// What ids, names, roles and finish reasons pass (the model's text does not).
    private let gate: Gate
    /// Where such a text is decoded before it passes the gate.
    private let scratch = TextBuffer(capacity: 64)
    /// Events of the latest chunk; the list's memory is reused.
    let events = PlainList<StreamEvent>(capacity: 2)
    var eventCount: Int { events.count }
    /// Decoded event text, each piece followed by a NUL; reused per chunk.
    let arena = TextBuffer(capacity: 256)
    /// Bytes of text kept in the response (content, reasoning, arguments).
    var keptBytes: Int { kept }
    private var kept = 0
    /// A reasoning, content or tool-call piece arrived (a role alone is no
    /// token: Kimi sends it at once, before the model has produced anything).
    private(set) var sawToken = false
    /// One tool call of a choice, in order of arrival.
    private final class CallSlot {
        /// The `index` the server sent, -1 when it left it out.
        let streamIndex: Int
        /// Its place in the choice's calls, in order of arrival.
        let arrival: Int
        let call: ResponseToolCall
        /// The name as sent (pieces joined), before the gate.
        let rawName = TextBuffer()
        /// TOOL_CALL_DONE went out.
        var closed = false

        init(streamIndex: Int, arrival: Int, call: ResponseToolCall) {
            self.streamIndex = streamIndex
            self.arrival = arrival
            self.call = call
        }
    }

    /// Per choice, its tool calls in order of arrival.
    private var slots: [[CallSlot]] = []
    /// The call the latest fragment went to (`slots` keeps it), and its
    /// choice: a call's arguments come in many fragments in a row, each
    /// naming its index.
    private var latest: Unmanaged<CallSlot>?
    private var latestChoice = -1
    /// The response's choices as made so far (`owned` keeps them), and the
    /// same without reference counting, for the per-chunk work (which a
    /// public property's read would also run through an exclusivity check).
    private var owned: [ResponseChoice] = []
    private let choices = PlainList<Unmanaged<ResponseChoice>>(capacity: 1)
    /// The completion's id, model or creation time is still to come.
    private var wantsIdentity = true

    init(gate: Gate) {
        self.gate = gate
        response = ChatResponse(gate: gate)
    }

    /// A string token of the chunk, through the gate.
    private func gated(_ token: JSONToken, _ s: JSONScanner) -> OutsideText {
        scratch.removeAll()
        s.decode(token, into: scratch)
        return gate.admit(scratch.view)
    }

    func beginChunk() {
        events.removeAll()
        arena.removeAll()
    }

    private func push(_ event: StreamEvent) { events.append(event) }

    /// Records `token`'s text in the arena, as the text of `event`, and at
    /// the end of `accumulated`.
    @inline(__always)
    private func addText(_ token: JSONToken, _ s: JSONScanner, to event: inout StreamEvent, accumulated: TextBuffer) {
        let start = arena.count
        s.decode(token, into: arena)
        let count = arena.count - start
        accumulated.append(arena.bytes + start, count: count)
        kept += count
        arena.append(0)
        event.textStart = start
        event.textCount = count
    }

    /// A stream that names more tool calls than this in one choice is refused.
    static let maxToolCalls = Int(ChunkDecoder.maxToolCalls)

    /// The choice with `index`, made (with any before it) on first use.
    private func choiceObject(at index: Int) -> Unmanaged<ResponseChoice> {
        if index < choices.count { return choices[index] }
        _ = response.choice(at: index)
        owned = response.choices
        while choices.count < owned.count { choices.append(.passUnretained(owned[choices.count])) }
        return choices[index]
    }

    func apply(_ chunk: Chunk, _ s: JSONScanner) throws(KimiError) {
        if wantsIdentity {
            if response.id.isEmpty, let id = chunk.id { response.id.set(gated(id, s)) }
            if response.model.isEmpty, let model = chunk.model { response.model.set(gated(model, s)) }
            if response.created == 0, let created = chunk.created { response.created = created }
            wantsIdentity = response.id.isEmpty || response.model.isEmpty || response.created == 0
        }

        for position in 0..<chunk.choices.count {
            let choiceDelta = chunk.choices[position]
            // `owned` holds the choice: borrowed, not retained.
            let applied = choiceObject(at: choiceDelta.index)._withUnsafeGuaranteedRef { choice in
                apply(choiceDelta, of: chunk, s, to: choice)
            }
            if !applied, let failure {
                self.failure = nil
                throw failure
            }
        }
        if let usage = chunk.usage {
            record(usage)
            var event = StreamEvent(type: .usage)
            event.usage = usage
            push(event)
        }
    }

    /// Why the last choice's delta failed (`apply(_:of:_:to:)` returned false).
    private var failure: KimiError?

    /// One choice's delta; false (and `failure`) when it ends the stream.
    /// (Not an optional error: returning one writes the whole error's
    /// storage for every chunk.)
    private func apply(_ choiceDelta: Chunk.Choice, of chunk: Chunk, _ s: JSONScanner, to choice: ResponseChoice) -> Bool {
        do throws(KimiError) {
            let index = choiceDelta.index
            if let role = choiceDelta.role {
                var event = StreamEvent(type: .role, choiceIndex: index)
                let text = gated(role, s)
                event.textStart = arena.count
                arena.append(text.string)
                event.textCount = arena.count - event.textStart
                arena.append(0)
                if choice.role.isEmpty { choice.role.set(text) }
                push(event)
            }
            if let reasoning = choiceDelta.reasoning, reasoning.count > 0 {
                sawToken = true
                var event = StreamEvent(type: .reasoningDelta, choiceIndex: index)
                addText(reasoning, s, to: &event, accumulated: choice.reasoning)
                push(event)
            }
            if let content = choiceDelta.content, content.count > 0 {
                sawToken = true
                var event = StreamEvent(type: .contentDelta, choiceIndex: index)
                addText(content, s, to: &event, accumulated: choice.content)
                push(event)
            }
            for call in choiceDelta.toolCalls {
                try applyToolCall(chunk.toolCalls[call], s, choice, index: index)
            }
            if let finish = choiceDelta.finishReason {
                closeToolCalls(of: choice)
                choice.finishReason.set(gated(finish, s))
                push(StreamEvent(type: .finish, choiceIndex: index))
            }
            if let usage = choiceDelta.usage {
                record(usage, choice: choice)
                var event = StreamEvent(type: .usage, choiceIndex: index)
                event.usage = usage
                push(event)
            }
            return true
        } catch {
            failure = error
            return false
        }
    }

    /// The response's (and the choice's) usage: the last one sent wins. Not
    /// inlined: the optimizer would otherwise begin the (checked) accesses to
    /// these public properties at the top of the caller, for every chunk.
    @inline(never)
    private func record(_ usage: Usage, choice: ResponseChoice? = nil) {
        choice?.usage = usage
        response.usage = usage
    }

    /// `c` is the choice's index (read from the delta: the choice's public
    /// `index` would cost an exclusivity check per chunk).
    private func applyToolCall(_ fragment: Chunk.ToolCall, _ s: JSONScanner, _ choice: ResponseChoice, index c: Int)
        throws(KimiError) {
        sawToken = true
        if let latest, latestChoice == c, let index = fragment.index,
           latest._withUnsafeGuaranteedRef({ $0.streamIndex }) == index {
            // `slots` holds it: borrowed, not retained.
            latest._withUnsafeGuaranteedRef { fill($0, with: fragment, s, choice: c, created: false) }
            return
        }
        while slots.count <= c { slots.append([]) }
        let (slot, created) = try self.slot(for: fragment, s, choice)
        latest = .passUnretained(slot)
        latestChoice = c
        fill(slot, with: fragment, s, choice: c, created: created)
    }

    /// A fragment's parts added to its call, and its events.
    private func fill(_ slot: CallSlot, with fragment: Chunk.ToolCall, _ s: JSONScanner, choice c: Int, created: Bool) {
        let call = slot.call
        if let id = fragment.id, call.id.isEmpty { call.id.set(gated(id, s)) }
        if let type = fragment.type, call.type.isEmpty { call.type.set(gated(type, s)) }
        if let name = fragment.name, name.count > 0 {
            // Kimi sends the name once; a provider that streams it in pieces
            // is followed, one that repeats it whole is not doubled.
            let raw = slot.rawName
            let before = raw.count
            s.decode(name, into: raw)
            if before > 0, raw.count == 2 * before, memcmp(raw.bytes, raw.bytes + before, before) == 0 {
                raw.truncate(to: before)
            }
            call.name.set(gate.admit(raw.view))
        }
        if created { push(toolCallEvent(.toolCallStart, c, slot)) }
        if let arguments = fragment.arguments, arguments.count > 0 {
            var event = toolCallEvent(.toolCallDelta, c, slot)
            addText(arguments, s, to: &event, accumulated: call.arguments)
            push(event)
        }
    }

    private func toolCallEvent(_ type: StreamEventType, _ choice: Int, _ slot: CallSlot) -> StreamEvent {
        var event = StreamEvent(type: type, choiceIndex: choice)
        event.toolCallIndex = slot.streamIndex >= 0 ? slot.streamIndex : slot.arrival
        event.callSlot = slot.arrival
        return event
    }

    /// The slot of the call a fragment belongs to, and whether it is new.
    /// By `index` when sent; otherwise (providers that leave it out) an id
    /// not seen before starts a call, and a fragment without one continues
    /// the latest call.
    private func slot(for fragment: Chunk.ToolCall, _ s: JSONScanner, _ choice: ResponseChoice) throws(KimiError) -> (CallSlot, Bool) {
        let calls = slots[choice.index]
        if let index = fragment.index {
            if let existing = calls.first(where: { $0.streamIndex == index }) { return (existing, false) }
            return (try newCall(choice, streamIndex: index), true)
        }
        if let id = fragment.id {
            let wanted = gated(id, s).string
            if let existing = calls.first(where: { $0.call.id.string == wanted }) { return (existing, false) }
            return (try newCall(choice, streamIndex: -1), true)
        }
        guard let last = calls.last else { return (try newCall(choice, streamIndex: -1), true) }
        return (last, false)
    }

    /// A new call, placed in the response in `index` order (calls without
    /// an index go last, in order of arrival).
    private func newCall(_ choice: ResponseChoice, streamIndex: Int) throws(KimiError) -> CallSlot {
        let c = choice.index
        guard slots[c].count < StreamAccumulator.maxToolCalls else {
            throw KimiError(.parse, "the stream names more than \(StreamAccumulator.maxToolCalls) tool calls in choice \(c)")
        }
        let call = ResponseToolCall()
        var position = choice.toolCalls.count
        if streamIndex >= 0 {
            let order = slots[c]
            position = choice.toolCalls.firstIndex { existing in
                guard let slot = order.first(where: { $0.call === existing }) else { return false }
                return slot.streamIndex < 0 || slot.streamIndex > streamIndex
            } ?? position
        }
        choice.toolCalls.insert(call, at: position)
        let slot = CallSlot(streamIndex: streamIndex, arrival: slots[c].count, call: call)
        slots[c].append(slot)
        return slot
    }

    /// TOOL_CALL_DONE for every call of `choice` not yet closed.
    private func closeToolCalls(of choice: ResponseChoice) {
        let c = choice.index
        guard c < slots.count else { return }
        for slot in slots[c] where !slot.closed {
            slot.closed = true
            push(toolCallEvent(.toolCallDone, c, slot))
        }
    }

    /// After `data: [DONE]`: close what is still open, then DONE.
    func finishStream() {
        for choice in response.choices { closeToolCalls(of: choice) }
        push(StreamEvent(type: .done))
    }

    func toolCall(of event: StreamEvent) -> ResponseToolCall? {
        guard event.callSlot >= 0, event.choiceIndex >= 0, event.choiceIndex < slots.count,
              event.callSlot < slots[event.choiceIndex].count else { return nil }
        return slots[event.choiceIndex][event.callSlot].call
    }

    func finishReason(of event: StreamEvent) -> GatedText? {
        guard event.type == .finish, event.choiceIndex >= 0, event.choiceIndex < response.choices.count else { return nil }
        return response.choices[event.choiceIndex].finishReason
    }

    func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { text(start: event.textStart, count: event.textCount) }
    /// An event without text (finish, usage, a tool call's start or end,
    /// done) has none in the arena: its view is the empty NUL-terminated
    /// one, not the arena's first bytes (another event's text), which C
    /// would read as a string.
    func text(start: Int, count: Int) -> UnsafeBufferPointer<UInt8> {
        count == 0 ? .emptyText : UnsafeBufferPointer(start: arena.bytes + start, count: count)
    }
}
