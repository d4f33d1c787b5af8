import Testing
@testable import KimiCore

/// Kimi's stream semantics on top of the SSE decoder: what events a stream
/// makes and what the accumulated response holds. Inputs are fed whole and
/// one byte at a time; both must give the same result.
@Suite struct StreamDecoderTests {
    struct Outcome {
        var events: [String] = []
        var response: ChatResponse
        var error: KimiError?
    }

    static func sse(_ chunks: [String], done: Bool = true) -> [UInt8] {
        var text = chunks.map { "data: \($0)\n\n" }.joined()
        if done { text += "data: [DONE]\n\n" }
        return Array(text.utf8)
    }

    /// Runs `input` through a StreamDecoder in `piece`-byte reads.
    static func run(_ input: [UInt8], piece: Int = 0, reusesShapes: Bool = true, maxEventBytes: Int = 16 << 20) -> Outcome {
        let decoder = StreamDecoder(maxEventBytes: maxEventBytes, reusesShapes: reusesShapes)
        let buffer = TextBuffer()
        var events: [String] = []
        var offset = 0
        do {
            repeat {
                let n = piece == 0 ? input.count : min(piece, input.count - offset)
                input[offset..<offset + n].withUnsafeBytes { buffer.append($0) }
                offset += n
                while try decoder.decodeNext(buffer) {
                    for i in 0..<decoder.eventCount {
                        events.append(describe(decoder, decoder.event(i)))
                    }
                }
                decoder.compact(buffer)
            } while offset < input.count
        } catch {
            return Outcome(events: events, response: decoder.response, error: error)
        }
        return Outcome(events: events, response: decoder.response)
    }

    static func describe(_ d: StreamDecoder, _ e: StreamEvent) -> String {
        describe(e, text: d.text(of: e), toolCall: d.toolCall(of:), finishReason: d.finishReason(of:))
    }

    /// An event as one line of text, for comparing event lists (the
    /// decoder's or a cursor's: `toolCall` and `finishReason` read them).
    static func describe(_ e: StreamEvent, text bytes: UnsafeBufferPointer<UInt8>,
                         toolCall: (StreamEvent) -> ResponseToolCall?,
                         finishReason: (StreamEvent) -> GatedText?) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        switch e.type {
        case .role: return "role[\(e.choiceIndex)]:\(text)"
        case .reasoningDelta: return "reasoning[\(e.choiceIndex)]:\(text)"
        case .contentDelta: return "content[\(e.choiceIndex)]:\(text)"
        case .toolCallStart:
            let call = toolCall(e)
            return "start[\(e.choiceIndex).\(e.toolCallIndex)]:\(call?.id.string ?? "?")/\(call?.name.string ?? "?")"
        case .toolCallDelta: return "args[\(e.choiceIndex).\(e.toolCallIndex)]:\(text)"
        case .toolCallDone: return "done-call[\(e.choiceIndex).\(e.toolCallIndex)]:\(toolCall(e)?.arguments.string ?? "?")"
        case .usage: return "usage[\(e.choiceIndex)]:\(e.usage.promptTokens)/\(e.usage.completionTokens)/\(e.usage.totalTokens)/\(e.usage.cachedTokens)"
        case .finish: return "finish[\(e.choiceIndex)]:\(finishReason(e)?.string ?? "?")"
        case .done: return "DONE"
        case .end: return "END(\(e.status))"
        case .progress, .data, .result: return "job event \(e.type)"  // never from a stream
        }
    }

    /// Same outcome whole and byte by byte.
    static func check(_ input: [UInt8]) -> Outcome {
        let whole = run(input)
        let bytewise = run(input, piece: 1)
        #expect(whole.events == bytewise.events)
        #expect(whole.response.choices.map { $0.content.string } == bytewise.response.choices.map { $0.content.string })
        #expect(whole.error?.status == bytewise.error?.status)
        return whole
    }

    static let head = #""id":"cmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"kimi-k2.6""#

    static func chunk(_ choices: String, usage: String? = nil) -> String {
        "{\(head),\"choices\":[\(choices)]\(usage.map { ",\"usage\":\($0)" } ?? "")}"
    }

    static func delta(_ delta: String, index: Int = 0, finish: String? = nil, usage: String? = nil) -> String {
        "{\"index\":\(index),\"delta\":{\(delta)},\"finish_reason\":\(finish.map { "\"\($0)\"" } ?? "null")\(usage.map { ",\"usage\":\($0)" } ?? "")}"
    }

    @Test func reasoningThenContentThenFinishAndUsage() {
        let u = #"{"prompt_tokens":19,"completion_tokens":13,"total_tokens":32,"cached_tokens":4}"#
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""role":"assistant","content":"""#)),
            Self.chunk(Self.delta(#""reasoning_content":"Let me ""#)),
            Self.chunk(Self.delta(#""reasoning_content":"think.""#)),
            Self.chunk(Self.delta(#""content":"Hello""#)),
            Self.chunk(Self.delta(#""content":" world""#)),
            Self.chunk(Self.delta("", finish: "stop", usage: u)),
        ]))
        #expect(out.error == nil)
        #expect(out.events == ["role[0]:assistant", "reasoning[0]:Let me ", "reasoning[0]:think.", "content[0]:Hello",
                               "content[0]: world", "finish[0]:stop", "usage[0]:19/13/32/4", "DONE"])
        let choice = out.response.choices[0]
        #expect(choice.reasoning.string == "Let me think.", "reasoning is concatenated, never replaced")
        #expect(choice.content.string == "Hello world")
        #expect(choice.finishReason.string == "stop")
        #expect(out.response.usage.totalTokens == 32)
        #expect(out.response.id.string == "cmpl-1")
        #expect(out.response.model.string == "kimi-k2.6")
        #expect(out.response.created == 1700000000)
    }

    @Test func usageInBothPlacesIsTakenNotSummed() {
        let choiceUsage = #"{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}"#
        let topUsage = #"{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7,"prompt_tokens_details":{"cached_tokens":3}}"#
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""content":"a""#)),
            Self.chunk(Self.delta("", finish: "stop", usage: choiceUsage)),
            "{\(Self.head),\"choices\":[],\"usage\":\(topUsage)}",
        ]))
        #expect(out.events.suffix(3) == ["usage[0]:5/2/7/-1", "usage[-1]:5/2/7/3", "DONE"])
        #expect(out.response.usage.totalTokens == 7, "the last usage wins; never 14")
        #expect(out.response.usage.cachedTokens == 3)
        #expect(out.response.choices[0].usage.totalTokens == 7)
    }

    @Test func usageNullOnOrdinaryChunks() {
        let out = Self.check(Self.sse(["{\(Self.head),\"choices\":[\(Self.delta(#""content":"a""#))],\"usage\":null}"]))
        #expect(out.events == ["content[0]:a", "DONE"])
        #expect(out.response.usage.promptTokens == -1)
    }

    @Test func toolCallsAssembledByIndexWithIdsVerbatim() {
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""reasoning_content":"need tools""#)),
            Self.chunk(Self.delta(#""tool_calls":[{"index":0,"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":""}}]"#)),
            Self.chunk(Self.delta(#""tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]"#)),
            Self.chunk(Self.delta(#""tool_calls":[{"index":1,"id":"functions.get_time:1","type":"function","function":{"name":"get_time","arguments":"{}"}}]"#)),
            Self.chunk(Self.delta(#""tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]"#)),
            Self.chunk(Self.delta("", finish: "tool_calls")),
        ]))
        #expect(out.events == [
            "reasoning[0]:need tools",
            "start[0.0]:functions.get_weather:0/get_weather",
            "args[0.0]:{\"city\":",
            "start[0.1]:functions.get_time:1/get_time",
            "args[0.1]:{}",
            "args[0.0]:\"Paris\"}",
            "done-call[0.0]:{\"city\":\"Paris\"}",
            "done-call[0.1]:{}",
            "finish[0]:tool_calls",
            "DONE",
        ])
        let calls = out.response.choices[0].toolCalls
        #expect(calls.map { $0.id.string } == ["functions.get_weather:0", "functions.get_time:1"])
        #expect(calls.map { $0.arguments.string } == [#"{"city":"Paris"}"#, "{}"])
        #expect(calls.map { $0.type.string } == ["function", "function"])
    }

    @Test func toolCallsWithoutIndexFollowIdsThenTheLatestCall() {
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""tool_calls":[{"id":"call_a","function":{"name":"a","arguments":"{\"x\""}}]"#)),
            Self.chunk(Self.delta(#""tool_calls":[{"function":{"arguments":":1}"}}]"#)),
            Self.chunk(Self.delta(#""tool_calls":[{"id":"call_b","function":{"name":"b","arguments":"{}"}}]"#)),
            Self.chunk(Self.delta("", finish: "tool_calls")),
        ]))
        let calls = out.response.choices[0].toolCalls
        #expect(calls.map { $0.id.string } == ["call_a", "call_b"])
        #expect(calls.map { $0.arguments.string } == [#"{"x":1}"#, "{}"])
        #expect(out.events.filter { $0.hasPrefix("start") } == ["start[0.0]:call_a/a", "start[0.1]:call_b/b"])
    }

    @Test func severalChoicesStayApart() {
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""content":"a0""#, index: 0) + "," + Self.delta(#""content":"b0""#, index: 1)),
            Self.chunk(Self.delta(#""content":"b1""#, index: 1)),
            Self.chunk(Self.delta(#""content":"a1""#, index: 0)),
            Self.chunk(Self.delta("", index: 1, finish: "length")),
            Self.chunk(Self.delta("", index: 0, finish: "stop")),
        ]))
        #expect(out.response.choices.map { $0.content.string } == ["a0a1", "b0b1"])
        #expect(out.response.choices.map { $0.finishReason.string } == ["stop", "length"])
        #expect(out.events.contains("content[1]:b1"))
    }

    @Test func textIsWholeUTF8WhateverTheSplits() {
        // Escaped and raw non-ASCII, a surrogate pair, and an invalid byte.
        var input = Self.sse([
            Self.chunk(Self.delta(#""content":"Grüße \u4e16\u754c ""#)),
            Self.chunk(Self.delta(#""content":"\ud83c\udf0d \ud800 ok""#)),
        ], done: false)
        input += Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"".utf8) + [0xFF] + Array("x\"}}]}\n\ndata: [DONE]\n\n".utf8)
        let out = Self.check(input)
        #expect(out.error == nil)
        #expect(out.response.choices[0].content.string == "Grüße 世界 🌍 \u{FFFD} ok\u{FFFD}x")
    }

    @Test func onlyDoneCompletesAStream() {
        let out = Self.check(Self.sse([Self.chunk(Self.delta(#""content":"a""#)), Self.chunk(Self.delta("", finish: "stop"))], done: false))
        #expect(!out.events.contains("DONE"))
        #expect(out.response.choices[0].finishReason.string == "stop")
    }

    @Test func errorFrameMidStream() {
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""content":"partial""#)),
            #"{"error":{"type":"server_error","message":"engine failed"}}"#,
        ]))
        #expect(out.error?.status == .api)
        #expect(out.error?.type == "server_error")
        #expect(out.error?.message == "server_error: engine failed (in stream)")
        #expect(out.response.choices[0].content.string == "partial", "the partial answer is kept")
    }

    @Test func errorEvent() {
        let out = Self.check(Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\nevent: error\ndata: {\"type\":\"rate_limit_reached_error\",\"message\":\"slow down\"}\n\n".utf8))
        #expect(out.error?.status == .api)
        #expect(out.error?.type == "rate_limit_reached_error")
        let plain = Self.check(Array("event: error\ndata: upstream exploded\n\n".utf8))
        #expect(plain.error?.message == "error event in stream: upstream exploded")
    }

    @Test func nonJSONDataNamesTheByteOffset() {
        let first = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\n"
        let out = Self.check(Array((first + "data: {\"choices\": nope}\n\n").utf8))
        #expect(out.error?.status == .parse)
        // The bad payload starts at first.count + 6; "nope" is 12 bytes into it.
        #expect(out.error?.message.hasPrefix("data: payload at stream byte \(first.utf8.count + 6 + 12) is not a valid chunk") == true)
        #expect(out.response.choices[0].content.string == "ok")
    }

    @Test func malformedChunksAreParseErrors() {
        for bad in ["{", "[]", "{\"choices\":[{\"index\":-1}]}", "{\"choices\":[{\"index\":9999}]}", "{} trailing",
                    "{\"a\":\"\u{1}\"}", String(repeating: "[", count: 200) + String(repeating: "]", count: 200),
                    "{\"choices\":[{\"delta\":{\"content\":5}}]}", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":tru}"] {
            let out = Self.check(Self.sse([bad]))
            #expect(out.error?.status == .parse, "\(bad)")
        }
    }

    @Test func unknownFieldsAndEventTypesAreSkipped() {
        let out = Self.check(Array(("event: ping\ndata: {}\n\n" + "data: {\"choices\":[{\"index\":0,\"logprobs\":null,\"delta\":{\"content\":\"a\",\"extra\":{\"n\":[1,2.5e3,true,null]}}}],\"system_fingerprint\":\"x\"}\n\ndata: [DONE]\n\n").utf8))
        #expect(out.error == nil)
        #expect(out.events == ["content[0]:a", "DONE"])
    }

    @Test func openToolCallsCloseAtDone() {
        let out = Self.check(Self.sse([Self.chunk(Self.delta(#""tool_calls":[{"index":0,"id":"t","function":{"name":"f","arguments":"{}"}}]"#))]))
        #expect(out.events.suffix(2) == ["done-call[0.0]:{}", "DONE"])
    }

    @Test func accumulatedJSONLooksLikeANonStreamedResponse() throws {
        let out = Self.check(Self.sse([
            Self.chunk(Self.delta(#""role":"assistant","reasoning_content":"r""#)),
            Self.chunk(Self.delta(#""content":"Hi \"you\"""#)),
            Self.chunk(Self.delta("", finish: "stop", usage: #"{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#)),
        ]))
        let again = try ResponseDecoder.decode(TextBuffer(out.response.json.string))
        #expect(again.choices[0].content.string == "Hi \"you\"")
        #expect(again.choices[0].reasoning.string == "r")
        #expect(again.choices[0].finishReason.string == "stop")
        #expect(again.usage.totalTokens == 3)
        #expect(out.response.json.string.contains(#""object":"chat.completion""#))
    }
}

/// A stream's input memory after a burst: a read that brought much of a
/// stream (as after a pause) is given back once it is consumed, and all of
/// it at the end, so a thousand streams do not each keep their largest read.
@Suite struct StreamInputMemoryTests {
    static let chunk = #"{"id":"c","choices":[{"index":0,"delta":{"content":"a piece of text"}}]}"#

    @Test func aBurstIsGivenBackOnceConsumed() throws {
        let cursor = EventCursor(maxEventBytes: 1 << 20, maxResponseBytes: 64 << 20)
        let input = TextBuffer()
        let burst = StreamDecoderTests.sse(Array(repeating: Self.chunk, count: 5000), done: false)
        burst.withUnsafeBytes { input.append($0) }
        #expect(input.allocatedCapacity >= burst.count)
        var messages = 0
        while try cursor.consume(input) == .produced { messages += 1 }
        #expect(messages == 5000)
        #expect(input.count == 0)
        #expect(input.allocatedCapacity <= SSEDecoder.keptInputBytes)  // the stream goes on with 4 KiB

        // A burst that ends in part of a message keeps that part, and the
        // memory goes once the rest came and was read.
        let cut = StreamDecoderTests.sse(Array(repeating: Self.chunk, count: 5000), done: false)
        cut.withUnsafeBytes { input.append(UnsafeRawBufferPointer(rebasing: $0[..<($0.count - 10)])) }
        messages = 0
        while try cursor.consume(input) == .produced { messages += 1 }
        #expect(messages == 4999)
        #expect(input.count == Array("data: \(Self.chunk)\n\n".utf8).count - 10)
        cut.withUnsafeBytes { input.append(UnsafeRawBufferPointer(rebasing: $0[($0.count - 10)...])) }
        while try cursor.consume(input) == .produced { messages += 1 }
        #expect(messages == 5000)
        #expect(input.allocatedCapacity <= SSEDecoder.keptInputBytes)

        StreamDecoderTests.sse([], done: true).withUnsafeBytes { input.append($0) }
        #expect(try cursor.consume(input) == .produced)  // [DONE]
        #expect(try cursor.consume(input) == .ended)
        #expect(input.allocatedCapacity <= 15)  // and all of it at the end
    }
}
