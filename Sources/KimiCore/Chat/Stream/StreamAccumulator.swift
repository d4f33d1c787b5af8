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
    let response = ChatResponse()
    /// Events of the latest chunk: the first `eventCount` of `events`, whose
    /// storage is reused from chunk to chunk.
    private(set) var events: [StreamEvent] = []
    private(set) var eventCount = 0
    /// Decoded event text, each piece followed by a NUL; reused per chunk.
    let arena = TextBuffer(capacity: 256)
    /// Bytes of text kept in the response (content, reasoning, arguments).
    private(set) var keptBytes = 0
    /// One tool call of a choice, in order of arrival.
    private struct CallSlot {
        /// The `index` the server sent, -1 when it left it out.
        let streamIndex: Int
        let call: ResponseToolCall
        /// TOOL_CALL_DONE went out.
        var closed = false
    }

    /// Per choice, its tool calls in order of arrival.
    private var slots: [[CallSlot]] = []

    init() { events.reserveCapacity(2) }  // most chunks make one event; more grow it once

    func beginChunk() {
        eventCount = 0
        arena.removeAll()
    }

    private func push(_ event: StreamEvent) {
        if eventCount < events.count {
            events[eventCount] = event
        } else {
            events.append(event)
        }
        eventCount += 1
    }

    /// Records `token`'s text in the arena (and in `accumulated`), as the
    /// text of `event`.
    private func addText(_ token: JSONToken, _ s: JSONScanner, to event: inout StreamEvent, accumulated: TextBuffer?) {
        event.textStart = arena.count
        s.decode(token, into: arena)
        event.textCount = arena.count - event.textStart
        if let accumulated {
            accumulated.append(arena.bytes + event.textStart, count: event.textCount)
            keptBytes += event.textCount
        }
        arena.append(0)
    }

    /// A stream that names more tool calls than this in one choice is refused.
    static let maxToolCalls = Int(ChunkDecoder.maxToolCalls)

    func apply(_ chunk: Chunk, _ s: JSONScanner) throws(KimiError) {
        if response.id.isEmpty, let id = chunk.id { s.decode(id, into: response.id) }
        if response.model.isEmpty, let model = chunk.model { s.decode(model, into: response.model) }
        if response.created == 0, let created = chunk.created { response.created = created }

        for choiceDelta in chunk.choices[..<chunk.choiceCount] {
            let choice = response.choice(at: choiceDelta.index)
            let index = choiceDelta.index
            if let role = choiceDelta.role {
                var event = StreamEvent(type: .role, choiceIndex: index)
                addText(role, s, to: &event, accumulated: choice.role.isEmpty ? choice.role : nil)
                push(event)
            }
            if let reasoning = choiceDelta.reasoning, reasoning.count > 0 {
                var event = StreamEvent(type: .reasoningDelta, choiceIndex: index)
                addText(reasoning, s, to: &event, accumulated: choice.reasoning)
                push(event)
            }
            if let content = choiceDelta.content, content.count > 0 {
                var event = StreamEvent(type: .contentDelta, choiceIndex: index)
                addText(content, s, to: &event, accumulated: choice.content)
                push(event)
            }
            for fragment in chunk.toolCalls[choiceDelta.toolCalls] {
                try applyToolCall(fragment, s, choice)
            }
            if let finish = choiceDelta.finishReason {
                closeToolCalls(of: choice)
                choice.finishReason.removeAll()
                s.decode(finish, into: choice.finishReason)
                push(StreamEvent(type: .finish, choiceIndex: index))
            }
            if let usage = choiceDelta.usage {
                choice.usage = usage
                response.usage = usage
                var event = StreamEvent(type: .usage, choiceIndex: index)
                event.usage = usage
                push(event)
            }
        }
        if let usage = chunk.usage {
            response.usage = usage
            var event = StreamEvent(type: .usage)
            event.usage = usage
            push(event)
        }
    }

    private func applyToolCall(_ fragment: Chunk.ToolCall, _ s: JSONScanner, _ choice: ResponseChoice) throws(KimiError) {
        let c = choice.index
        while slots.count <= c { slots.append([]) }
        let (slot, created) = try slot(for: fragment, s, choice)
        let call = slots[c][slot].call
        if let id = fragment.id, call.id.isEmpty { s.decode(id, into: call.id) }
        if let type = fragment.type, call.type.isEmpty { s.decode(type, into: call.type) }
        if let name = fragment.name, name.count > 0 {
            // Kimi sends the name once; a provider that streams it in pieces
            // is followed, one that repeats it whole is not doubled.
            let before = call.name.count
            s.decode(name, into: call.name)
            if before > 0, call.name.count == 2 * before, memcmp(call.name.bytes, call.name.bytes + before, before) == 0 {
                call.name.truncate(to: before)
            }
        }
        if created { push(toolCallEvent(.toolCallStart, c, slot)) }
        if let arguments = fragment.arguments, arguments.count > 0 {
            var event = toolCallEvent(.toolCallDelta, c, slot)
            addText(arguments, s, to: &event, accumulated: call.arguments)
            push(event)
        }
    }

    private func toolCallEvent(_ type: StreamEventType, _ choice: Int, _ slot: Int) -> StreamEvent {
        var event = StreamEvent(type: type, choiceIndex: choice)
        let streamIndex = slots[choice][slot].streamIndex
        event.toolCallIndex = streamIndex >= 0 ? streamIndex : slot
        event.callSlot = slot
        return event
    }

    /// The slot of the call a fragment belongs to, and whether it is new.
    /// By `index` when sent; otherwise (providers that leave it out) an id
    /// not seen before starts a call, and a fragment without one continues
    /// the latest call.
    private func slot(for fragment: Chunk.ToolCall, _ s: JSONScanner, _ choice: ResponseChoice) throws(KimiError) -> (Int, Bool) {
        let calls = slots[choice.index]
        if let index = fragment.index {
            if let existing = calls.firstIndex(where: { $0.streamIndex == index }) { return (existing, false) }
            return (try newCall(choice, streamIndex: index), true)
        }
        if let id = fragment.id {
            let text = TextBuffer()
            s.decode(id, into: text)
            let wanted = text.string
            if let existing = calls.firstIndex(where: { $0.call.id.string == wanted }) { return (existing, false) }
            return (try newCall(choice, streamIndex: -1), true)
        }
        if calls.isEmpty { return (try newCall(choice, streamIndex: -1), true) }
        return (calls.count - 1, false)
    }

    /// A new call, placed in the response in `index` order (calls without
    /// an index go last, in order of arrival).
    private func newCall(_ choice: ResponseChoice, streamIndex: Int) throws(KimiError) -> Int {
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
        slots[c].append(CallSlot(streamIndex: streamIndex, call: call))
        return slots[c].count - 1
    }

    /// TOOL_CALL_DONE for every call of `choice` not yet closed.
    private func closeToolCalls(of choice: ResponseChoice) {
        let c = choice.index
        guard c < slots.count else { return }
        for slot in slots[c].indices where !slots[c][slot].closed {
            slots[c][slot].closed = true
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

    func finishReason(of event: StreamEvent) -> TextBuffer? {
        guard event.type == .finish, event.choiceIndex >= 0, event.choiceIndex < response.choices.count else { return nil }
        return response.choices[event.choiceIndex].finishReason
    }

    func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena.bytes + event.textStart, count: event.textCount)
    }
}
