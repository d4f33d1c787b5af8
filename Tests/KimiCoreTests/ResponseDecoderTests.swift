import Testing
@testable import KimiCore

@Suite struct ResponseDecoderTests {
    func decode(_ text: String) throws(KimiError) -> ChatResponse {
        try ResponseDecoder.decode(TextBuffer(text))
    }

    @Test func kimiResponseWithReasoningAndToolCalls() throws {
        let response = try decode(#"""
        {"id":"cmpl-1","object":"chat.completion","created":1698999496,"model":"kimi-k2.6",
         "choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning_content":"think",
           "tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
           "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":19,"completion_tokens":21,"total_tokens":40,"cached_tokens":10}}
        """#)
        #expect(response.id.string == "cmpl-1")
        #expect(response.model.string == "kimi-k2.6")
        #expect(response.created == 1698999496)
        let choice = try #require(response.choices.first)
        #expect(choice.reasoning.string == "think")
        #expect(choice.finishReason.string == "tool_calls")
        #expect(choice.toolCalls.count == 1)
        #expect(choice.toolCalls[0].id.string == "functions.get_weather:0")
        #expect(choice.toolCalls[0].name.string == "get_weather")
        #expect(choice.toolCalls[0].arguments.string == #"{"city":"Paris"}"#)
        #expect(response.usage.promptTokens == 19)
        #expect(response.usage.completionTokens == 21)
        #expect(response.usage.totalTokens == 40)
        #expect(response.usage.cachedTokens == 10)
    }

    @Test func cachedTokensInEitherSpelling() throws {
        let details = try decode(#"{"choices":[],"usage":{"prompt_tokens":5,"prompt_tokens_details":{"cached_tokens":3}}}"#)
        #expect(details.usage.cachedTokens == 3)
        let top = try decode(#"{"choices":[],"usage":{"prompt_tokens":5,"cached_tokens":4,"prompt_tokens_details":{"cached_tokens":3}}}"#)
        #expect(top.usage.cachedTokens == 4)
        let none = try decode(#"{"choices":[],"usage":{"prompt_tokens":5}}"#)
        #expect(none.usage.cachedTokens == -1)
    }

    @Test func missingFieldsAreEmptyNotErrors() throws {
        let response = try decode(#"{"choices":[{"message":{"content":null}}]}"#)
        #expect(response.id.isEmpty)
        #expect(response.created == 0)
        #expect(response.choices[0].content.isEmpty)
        #expect(response.choices[0].finishReason.isEmpty)
        #expect(response.usage == Usage())
        #expect(response.usage.promptTokens == -1)
    }

    @Test func usageOnlyInsideTheChoiceIsReported() throws {
        let response = try decode(#"{"choices":[{"index":0,"message":{"content":"a"},"finish_reason":"stop","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}]}"#)
        #expect(response.usage.totalTokens == 3)
        #expect(response.choices[0].usage.completionTokens == 2)
    }

    @Test func severalChoices() throws {
        let response = try decode(#"{"choices":[{"index":0,"message":{"content":"a"}},{"index":1,"message":{"content":"b"},"finish_reason":"length"}]}"#)
        #expect(response.choices.map { $0.content.string } == ["a", "b"])
        #expect(response.choices[1].index == 1)
        #expect(response.choices[1].finishReason.string == "length")
    }

    /// Found by the fuzzer: choices stay in index order whatever the body's order.
    @Test func choicesAreOrderedByIndex() throws {
        let response = try decode(#"{"choices":[{"index":2,"message":{"content":"c"}},{"index":0,"message":{"content":"a"}},{"index":1,"message":{"content":"b"}}]}"#)
        #expect(response.choices.map(\.index) == [0, 1, 2])
        #expect(response.choices.map { $0.content.string } == ["a", "b", "c"])
    }

    @Test func argumentsSentAsAnObjectBecomeJSONText() throws {
        let response = try decode(#"{"choices":[{"message":{"tool_calls":[{"id":"a","function":{"name":"f","arguments":{"x":1}}}]}}]}"#)
        #expect(response.choices[0].toolCalls[0].arguments.string == #"{"x":1}"#)
        #expect(response.choices[0].toolCalls[0].type.string == "function")
    }

    @Test func notJSONIsAParseError() {
        for body in ["", "<html>", "[1,2]", "{\"choices\":[1]}"] {
            #expect(throws: KimiError.self) { try decode(body) }
            do { _ = try decode(body) } catch { #expect(error.status == .parse) }
        }
    }

    @Test func rawJSONIsKept() throws {
        let text = #"{"id":"x","choices":[]}"#
        #expect(try decode(text).json.string == text)
    }

    @Test func synthesizedJSONRoundTrips() throws {
        let response = ChatResponse()
        response.id.set("cmpl-9")
        response.model.set("kimi-k2.6")
        let choice = response.choice(at: 0)
        choice.content.append("Hi \"there\"")
        choice.reasoning.append("r")
        choice.finishReason.set("stop")
        response.usage.promptTokens = 1
        response.usage.completionTokens = 2
        response.usage.totalTokens = 3
        let again = try ResponseDecoder.decode(TextBuffer(response.json.string))
        #expect(again.choices[0].content.string == "Hi \"there\"")
        #expect(again.choices[0].reasoning.string == "r")
        #expect(again.usage.totalTokens == 3)
        #expect(again.id.string == "cmpl-9")
    }
}
