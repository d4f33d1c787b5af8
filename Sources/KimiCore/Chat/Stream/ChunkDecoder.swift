/// The parts of one `chat.completion.chunk` the stream uses, as ranges into
/// the scanned text. One per stream, refilled per chunk: its lists keep
/// their memory, so scanning a chunk allocates nothing once they have grown.
final class Chunk {
    struct Choice {
        var index = 0
        var role: JSONToken?
        var reasoning: JSONToken?
        var content: JSONToken?
        var finishReason: JSONToken?
        var usage: Usage?
        /// This choice's tool-call fragments in `Chunk.toolCalls`.
        var toolCalls: Range<Int> = 0..<0
    }

    struct ToolCall {
        /// The `index` the server sent, or nil when it left it out.
        var index: Int?
        /// Position in the delta's `tool_calls` array.
        var position = 0
        var id: JSONToken?
        var type: JSONToken?
        var name: JSONToken?
        var arguments: JSONToken?
    }

    var id: JSONToken?
    var model: JSONToken?
    var created: Int64?
    let choices = PlainList<Choice>(capacity: 1)
    let toolCalls = PlainList<ToolCall>(capacity: 1)
    var usage: Usage?
    /// True when the chunk carries a truthy `error` member.
    var hasError = false

    func reset() {
        id = nil
        model = nil
        created = nil
        choices.removeAll()
        toolCalls.removeAll()
        usage = nil
        hasError = false
    }
}

/// Scans chunk JSON into a `Chunk`: a direct scan, because this runs once per
/// token of every stream (jansson would build and free a tree each time).
enum ChunkDecoder {
    typealias Failure = JSONScanner.Failure

    /// Choices beyond this are refused, so a hostile index cannot make the
    /// accumulator allocate without bound.
    static let maxChoices: Int64 = 128
    static let maxToolCalls: Int64 = 1024

    static func scan(_ s: inout JSONScanner, into chunk: Chunk) throws(Failure) {
        chunk.reset()
        try s.enterObject()
        var first = true
        while let key = try s.nextMember(&first) {
            if s.matches(key, "choices") {
                if s.takeNull() { continue }
                try s.enterArray()
                var firstChoice = true
                while try s.nextElement(&firstChoice) { try scanChoice(&s, chunk) }
            } else if s.matches(key, "id") {
                chunk.id = try s.optionalString()
            } else if s.matches(key, "model") {
                chunk.model = try s.optionalString()
            } else if s.matches(key, "created") {
                chunk.created = Counts.valid(try s.optionalInteger())
            } else if s.matches(key, "usage") {
                chunk.usage = try scanUsage(&s)
            } else if s.matches(key, "error") {
                // As openai-python reads it: only a truthy `error` makes an
                // error chunk; some servers send "error": null in every chunk.
                if try s.truthyValue() { chunk.hasError = true }
            } else {
                try s.skipValue()
            }
        }
        try s.finish()
    }

    private static func scanChoice(_ s: inout JSONScanner, _ chunk: Chunk) throws(Failure) {
        var choice = Chunk.Choice()
        let firstCall = chunk.toolCalls.count
        try s.enterObject()
        var first = true
        while let key = try s.nextMember(&first) {
            if s.matches(key, "delta") {
                if s.takeNull() { continue }
                try scanDelta(&s, &choice, chunk)
            } else if s.matches(key, "index") {
                guard let index = try s.integer(), (0..<maxChoices).contains(index) else {
                    throw s.fail("choice index is not an integer from 0 to \(maxChoices - 1)")
                }
                choice.index = Int(index)
            } else if s.matches(key, "finish_reason") {
                choice.finishReason = try s.optionalString()
            } else if s.matches(key, "usage") {
                choice.usage = try scanUsage(&s)
            } else {
                try s.skipValue()
            }
        }
        choice.toolCalls = firstCall..<chunk.toolCalls.count
        chunk.choices.append(choice)
    }

    private static func scanDelta(_ s: inout JSONScanner, _ choice: inout Chunk.Choice, _ chunk: Chunk) throws(Failure) {
        try s.enterObject()
        var first = true
        while let key = try s.nextMember(&first) {
            if s.matches(key, "content") {
                choice.content = try s.optionalString()
            } else if s.matches(key, "reasoning_content") {
                choice.reasoning = try s.optionalString()
            } else if s.matches(key, "tool_calls") {
                if s.takeNull() { continue }
                try s.enterArray()
                var firstCall = true
                var position = 0
                while try s.nextElement(&firstCall) {
                    chunk.toolCalls.append(try scanToolCall(&s, position))
                    position += 1
                }
            } else if s.matches(key, "role") {
                choice.role = try s.optionalString()
            } else {
                try s.skipValue()
            }
        }
    }

    private static func scanToolCall(_ s: inout JSONScanner, _ position: Int) throws(Failure) -> Chunk.ToolCall {
        var call = Chunk.ToolCall(position: position)
        try s.enterObject()
        var first = true
        while let key = try s.nextMember(&first) {
            if s.matches(key, "index") {
                if s.takeNull() { continue }
                guard let index = try s.integer(), (0..<maxToolCalls).contains(index) else {
                    throw s.fail("tool call index is not an integer from 0 to \(maxToolCalls - 1)")
                }
                call.index = Int(index)
            } else if s.matches(key, "function") {
                if s.takeNull() { continue }
                try s.enterObject()
                var firstField = true
                while let field = try s.nextMember(&firstField) {
                    if s.matches(field, "arguments") {
                        call.arguments = try s.optionalString()
                    } else if s.matches(field, "name") {
                        call.name = try s.optionalString()
                    } else {
                        try s.skipValue()
                    }
                }
            } else if s.matches(key, "id") {
                call.id = try s.optionalString()
            } else if s.matches(key, "type") {
                call.type = try s.optionalString()
            } else {
                try s.skipValue()
            }
        }
        return call
    }

    private static func scanUsage(_ s: inout JSONScanner) throws(Failure) -> Usage? {
        if s.takeNull() { return nil }
        var usage = Usage()
        var topCached: Int64?
        var detailsCached: Int64?
        try s.enterObject()
        var first = true
        while let key = try s.nextMember(&first) {
            if s.matches(key, "prompt_tokens") {
                usage.promptTokens = Counts.valid(try s.optionalInteger()) ?? -1
            } else if s.matches(key, "completion_tokens") {
                usage.completionTokens = Counts.valid(try s.optionalInteger()) ?? -1
            } else if s.matches(key, "total_tokens") {
                usage.totalTokens = Counts.valid(try s.optionalInteger()) ?? -1
            } else if s.matches(key, "cached_tokens") {
                topCached = Counts.valid(try s.optionalInteger())
            } else if s.matches(key, "prompt_tokens_details") {
                if s.takeNull() { continue }
                try s.enterObject()
                var firstDetail = true
                while let detail = try s.nextMember(&firstDetail) {
                    if s.matches(detail, "cached_tokens") {
                        detailsCached = Counts.valid(try s.optionalInteger())
                    } else {
                        try s.skipValue()
                    }
                }
            } else {
                try s.skipValue()
            }
        }
        usage.cachedTokens = Usage.cachedTokens(top: topCached, details: detailsCached)
        return usage
    }
}
