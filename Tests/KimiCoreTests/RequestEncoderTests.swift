import Testing
@testable import KimiCore

/// Golden bodies: every field, in its fixed place, only when set.
@Suite struct RequestEncoderTests {
    func body(_ request: ChatRequest, _ purpose: RequestEncoder.Purpose = .create) -> String {
        RequestEncoder.encode(request, for: purpose).text
    }

    func json(_ text: String) -> JSONValue {
        guard case .success(let value) = JSONValue.parse(text) else { fatalError("bad JSON in test: \(text)") }
        return value
    }

    @Test func minimalRequest() {
        var request = ChatRequest()
        try! request.addMessage(role: "user", text: "Hello")
        #expect(body(request) == #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"Hello"}]}"#)
    }

    @Test func everyField() throws {
        var request = ChatRequest(model: "kimi-k2.6")
        try request.addMessage(role: "system", text: "You are terse.")
        try request.addMessage(role: "user", text: "Hi")
        request.setThinking(.keepAll)
        try request.setMaxCompletionTokens(1024)
        try request.setMaxTokens(2048)
        try request.setTemperature(1.0)
        try request.setTopP(0.95)
        try request.setN(1)
        try request.setPresencePenalty(0)
        try request.setFrequencyPenalty(0)
        try request.setJSONSchema(name: "answer", schema: json(#"{"type":"object","properties":{"a":{"type":"string"}}}"#), strict: true)
        try request.addStop("END")
        try request.addStop("STOP")
        request.includeUsage = true
        request.promptCacheKey = "session-1"
        request.safetyIdentifier = "user-hash"
        let expected = #"{"model":"kimi-k2.6","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hi"}],"#
            + #""thinking":{"type":"enabled","keep":"all"},"max_completion_tokens":1024,"max_tokens":2048,"temperature":1.0,"#
            + #""top_p":0.95,"n":1,"presence_penalty":0.0,"frequency_penalty":0.0,"#
            + #""response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object","properties":{"a":{"type":"string"}}}}},"#
            + #""stop":["END","STOP"],"prompt_cache_key":"session-1","safety_identifier":"user-hash"}"#
        #expect(body(request) == expected)
    }

    @Test func streamAddsStreamAndIncludeUsage() throws {
        var request = ChatRequest()
        try request.addMessage(role: "user", text: "x")
        request.includeUsage = true
        #expect(body(request, .stream) == #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}"#)
        // stream_options is only valid on streamed calls, so create leaves it out.
        #expect(!body(request, .create).contains("stream"))
    }

    @Test func thinkingModesAndFormats() throws {
        var request = ChatRequest()
        request.setThinking(.disabled)
        try request.setTemperature(0.6)
        try request.setResponseFormat(type: "json_object")
        #expect(body(request) == #"{"model":"kimi-k2.6","messages":[],"thinking":{"type":"disabled"},"temperature":0.6,"response_format":{"type":"json_object"}}"#)
        request.setThinking(.enabled)
        try request.setResponseFormat(type: "text")
        #expect(body(request).contains(#""thinking":{"type":"enabled"},"#))
        #expect(body(request).contains(#""response_format":{"type":"text"}"#))
        request.setThinking(.serverDefault)
        #expect(!body(request).contains("thinking"))
    }

    @Test func assistantHistoryMessages() throws {
        var request = ChatRequest()
        var assistant = Message(role: .assistant)
        try assistant.setReasoningContent("I need the weather.")
        try assistant.addToolCall(ToolCall(id: "functions.get_weather:0", name: "get_weather", arguments: #"{"city":"Paris"}"#))
        request.messages.append(assistant)
        var tool = Message(role: .tool, text: "sunny")
        try tool.setToolCallID("functions.get_weather:0")
        try tool.setName("get_weather")
        request.messages.append(tool)
        var prefix = Message(role: .assistant, text: "{")
        try prefix.setName("Bot")
        try prefix.setPartial(true)
        request.messages.append(prefix)
        let expected = #"{"model":"kimi-k2.6","messages":["#
            + #"{"role":"assistant","reasoning_content":"I need the weather.","tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"#
            + #"{"role":"tool","content":"sunny","name":"get_weather","tool_call_id":"functions.get_weather:0"},"#
            + #"{"role":"assistant","content":"{","name":"Bot","partial":true}]}"#
        #expect(body(request) == expected)
    }

    @Test func contentPartsAndEscaping() throws {
        var request = ChatRequest()
        var message = Message(role: .user)
        message.addText("Line 1\n\"quoted\" \\ tab\t\u{1}")
        message.addPart(.image(.url("ms://file-abc")))
        message.addPart(.video(.url("data:video/mp4;base64,AAAA")))
        request.messages.append(message)
        let expected = #"{"model":"kimi-k2.6","messages":[{"role":"user","content":["#
            + #"{"type":"text","text":"Line 1\n\"quoted\" \\ tab\t\u0001"},"#
            + #"{"type":"image_url","image_url":{"url":"ms://file-abc"}},"#
            + #"{"type":"video_url","video_url":{"url":"data:video/mp4;base64,AAAA"}}]}]}"#
        #expect(body(request) == expected)
    }

    @Test func nonASCIIPassesThroughAsUTF8() throws {
        var request = ChatRequest()
        try request.addMessage(role: "user", text: "Grüße 世界 🌍")
        #expect(body(request).contains(#""content":"Grüße 世界 🌍""#))
    }

    @Test func extrasAreMergedLastAndWin() throws {
        var request = ChatRequest()
        try request.setMaxCompletionTokens(10)
        try request.setExtra(json(#"{"max_completion_tokens":99,"reasoning_effort":"high","x":{"y":[1,2.5,null,true]}}"#))
        #expect(body(request) == #"{"model":"kimi-k2.6","messages":[],"max_completion_tokens":99,"reasoning_effort":"high","x":{"y":[1,2.5,null,true]}}"#)
        #expect(throws: KimiError.self) { try request.setExtra(json(#"{"stream":true}"#)) }
        #expect(throws: KimiError.self) { try request.setExtra(json(#"[1]"#)) }
        try request.setExtra(nil)
        #expect(!body(request).contains("reasoning_effort"))
    }

    @Test func estimateBodyHasModelAndMessagesOnly() throws {
        var request = ChatRequest()
        try request.addMessage(role: "user", text: "x")
        try request.setMaxCompletionTokens(5)
        #expect(body(request, .estimate) == #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"x"}]}"#)
    }

    @Test func settersRefuseBadValues() {
        var request = ChatRequest()
        #expect(throws: KimiError.self) { try request.setTemperature(.nan) }
        #expect(throws: KimiError.self) { try request.setTopP(.infinity) }
        #expect(throws: KimiError.self) { try request.setMaxCompletionTokens(0) }
        #expect(throws: KimiError.self) { try request.setN(-1) }
        #expect(throws: KimiError.self) { try request.addStop("") }
        #expect(throws: KimiError.self) { try request.setModel("") }
        #expect(throws: KimiError.self) { try request.setResponseFormat(type: "yaml") }
        #expect(throws: KimiError.self) { try request.addMessage(role: "robot", text: "x") }
        #expect(throws: KimiError.self) { try request.addMessage(role: "tool", text: "x") }
        var user = Message(role: .user)
        #expect(throws: KimiError.self) { try user.setPartial(true) }
        #expect(throws: KimiError.self) { try user.setReasoningContent("r") }
        #expect(throws: KimiError.self) { try user.setToolCallID("id") }
    }
}
