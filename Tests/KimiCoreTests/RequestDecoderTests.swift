import Testing
@testable import KimiCore

@Suite struct RequestDecoderTests {
    func message(_ body: String) -> String {
        do {
            _ = try RequestDecoder.decode(body)
            return "no error"
        } catch {
            #expect(error.status == .invalidArgument)
            return error.message
        }
    }

    @Test func openAIBodyRoundTrips() throws {
        let body = #"{"model":"kimi-k2.6","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"ms://f1"}},{"type":"video_url","video_url":"ms://f2"}]},{"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[{"id":"functions.a:0","type":"function","function":{"name":"a","arguments":"{}"}}]},{"role":"tool","tool_call_id":"functions.a:0","name":"a","content":"1"}],"thinking":{"type":"enabled","keep":"all"},"max_completion_tokens":5,"temperature":1,"top_p":0.95,"n":1,"presence_penalty":0,"frequency_penalty":0,"response_format":{"type":"json_object"},"stop":"END","stream":true,"stream_options":{"include_usage":true},"prompt_cache_key":"k","safety_identifier":"u","reasoning_effort":"high"}"#
        let request = try RequestDecoder.decode(body)
        #expect(request.messages.count == 4)
        #expect(request.messages[1].parts.count == 3)
        #expect(request.messages[2].toolCalls[0].id == "functions.a:0")
        #expect(request.includeUsage == true)
        #expect(request.stop == ["END"])
        let encoded = RequestEncoder.encode(request, for: .stream).text
        #expect(encoded == #"{"model":"kimi-k2.6","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"ms://f1"}},{"type":"video_url","video_url":{"url":"ms://f2"}}]},{"role":"assistant","reasoning_content":"r","tool_calls":[{"id":"functions.a:0","type":"function","function":{"name":"a","arguments":"{}"}}]},{"role":"tool","content":"1","name":"a","tool_call_id":"functions.a:0"}],"thinking":{"type":"enabled","keep":"all"},"max_completion_tokens":5,"temperature":1.0,"top_p":0.95,"n":1,"presence_penalty":0.0,"frequency_penalty":0.0,"response_format":{"type":"json_object"},"stop":["END"],"stream":true,"stream_options":{"include_usage":true},"prompt_cache_key":"k","safety_identifier":"u","reasoning_effort":"high"}"#)
    }

    /// A loaded request keeps its text until a field changes, however it
    /// changes; call options are not in the body and keep it.
    @Test func theLoadedTextLastsUntilAFieldChanges() throws {
        let body = #" {"model":"kimi-k2.6", "stream":true, "messages":[{"role":"user","content":"hi"}]} "#
        let request = try RequestDecoder.decode(body)
        let loaded = try #require(request.loaded)
        #expect(loaded.body(streamed: false, includeUsage: nil).text == #"{"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}"#)
        #expect(loaded.body(streamed: true, includeUsage: false).text == #"{"stream":true,"stream_options":{"include_usage":false},"model":"kimi-k2.6","messages":[{"role":"user","content":"hi"}]}"#)
        var options = request
        options.callOptions.timeoutMs = 5
        options.cancelToken = CancelToken()
        #expect(options.loaded != nil)
        var copy = request
        try copy.setPrefill("so", name: nil)
        #expect(copy.loaded == nil && request.loaded != nil)
        var edited = request
        edited.fields.temperature = 1
        #expect(edited.loaded == nil)
        var folded = try request.folded()
        #expect(folded.loaded != nil)
        try folded.setExtra(try #require(try? JSONValue.parse("{}").get()))
        #expect(folded.loaded == nil)
        // Read as something the text does not say: no text kept.
        #expect(try RequestDecoder.decode(#"{"messages":[]}"#).loaded == nil)
        #expect(try RequestDecoder.decode(#"{"model":"m","messages":[],"seed":1e999}"#).loaded == nil)
        #expect(try RequestDecoder.decode(#"{"model":"m","messages":[],"thinking":null}"#).loaded == nil)
    }

    @Test func aMemberNamedTwiceIsNamed() {
        #expect(message(#"{"a":{"b\"c":1,"b\"c":2}}"#) == #"body: member "b\"c" is given twice in one object (the second time at byte 21); Kimi's rules would check one value and a server might read the other, so give it once"#)
    }

    @Test func aQuotedValueIsWholeUpTo80ScalarsThenItsHead() {
        #expect(quoted("robot") == #""robot""#)
        let eighty = String(repeating: "a", count: 80)
        #expect(quoted(eighty) == "\"\(eighty)\"")
        #expect(quoted(eighty + "b") == "\"\(String(repeating: "a", count: 64))…\" (81 bytes)")
        // Scalars are never cut, and a character of many scalars (a base and
        // thousands of combining marks) is cut between them, so the head
        // stays at most 64 scalars whatever the text.
        #expect(quoted(String(repeating: "é", count: 80)) == "\"\(String(repeating: "é", count: 80))\"")
        #expect(quoted(String(repeating: "é", count: 81)) == "\"\(String(repeating: "é", count: 64))…\" (162 bytes)")
        let marks = "e" + String(repeating: "\u{301}", count: 5000)
        #expect(quoted(marks).unicodeScalars.count == 64 + 2 + " (10001 bytes)".unicodeScalars.count + 1)
        #expect(excerpt("[1,2]") == "[1,2]")
        #expect(excerpt(String(repeating: "7", count: 100)) == String(repeating: "7", count: 64) + "… (100 bytes)")
    }

    @Test func aHugeValueMakesABoundedMessage() {
        let role = String(repeating: "R", count: 100_000)
        let text = message(#"{"messages":[{"role":"\#(role)","content":"a"}]}"#)
        #expect(text == "messages[0].role: \"\(String(repeating: "R", count: 64))…\" (100000 bytes) is not one of system, user, assistant, tool")
        let name = String(repeating: "n", count: 100_000)
        #expect(message(#"{"\#(name)":1,"\#(name)":2}"#).hasPrefix("body: member \"\(String(repeating: "n", count: 64))…\" (100000 bytes) is given twice"))
    }

    /// A message member that is not a field is named as an excerpt too: a
    /// 100 KB member name made a 100 KB message.
    @Test func aHugeMessageMemberNameMakesABoundedMessage() {
        let name = String(repeating: "m", count: 100_000)
        let text = message(#"{"messages":[{"role":"user","content":"a","\#(name)":1}]}"#)
        #expect(text == "messages[0].\(String(repeating: "m", count: 64))… (100000 bytes): not a message field Kimi accepts")
        #expect(message(#"{"messages":[{"role":"user","content":"a","colour":1}]}"#) == "messages[0].colour: not a message field Kimi accepts")
    }

    /// Kimi's rules name the caller's schema property names (in JSON
    /// pointers) and its unlisted fields: each as an excerpt, and the
    /// schema's problems by the first few, whatever their number.
    @Test func kimiRulesNameHugeValuesByExcerpts() throws {
        func ruleMessage(_ body: String, batch: Bool = false) throws -> String {
            let request = try RequestDecoder.decode(body)
            do {
                if batch {
                    _ = try BatchRules.line(request, firstModel: nil)
                } else {
                    _ = try Preflight.settled(request, for: .create, windows: ModelWindows(), log: .off)
                }
                return "no error"
            } catch {
                return error.message
            }
        }
        let name = String(repeating: "p", count: 100_000)
        let messages = #""messages":[{"role":"user","content":"a"}]"#
        let long = try ruleMessage(#"{"model":"kimi-k2.6",\#(messages),"tools":[{"type":"function","function":{"name":"f_a","parameters":{"type":"object","properties":{"\#(name)":{"type":"string","format":"x"}}}}}]}"#)
        #expect(long.contains("format at /properties/\(String(repeating: "p", count: 52))… (100019 bytes)"))
        #expect(long.utf8.count < 400)
        let properties = (0..<20_000).map { #""p\#($0)":{"type":"string","title":"t"}"# }.joined(separator: ",")
        let many = try ruleMessage(#"{"model":"kimi-k2.6",\#(messages),"tools":[{"type":"function","function":{"name":"f_a","parameters":{"type":"object","properties":{\#(properties)}}}}]}"#)
        #expect(many.contains("title at /properties/p4/title and 19995 more; remove them"))
        #expect(many.utf8.count < 600)
        let unlisted = try ruleMessage(#"{"model":"kimi-k2.6",\#(messages),"\#(name)":1}"#, batch: true)
        #expect(unlisted == "\(String(repeating: "p", count: 64))… (100000 bytes): not a request field of Kimi's API reference; a batch line carries only the fields Kimi lists, so leave it out")
        #expect(UnlistedFields.notice(name).hasPrefix("\(String(repeating: "p", count: 64))… (100000 bytes): not a request field"))
    }

    @Test func errorsNameTheField() {
        #expect(message("[1]") == "body: must be a JSON object, got an array")
        #expect(message("{") .hasPrefix("body: invalid JSON:"))
        #expect(message(#"{"model":3}"#) == "model: expected a string, got a number")
        #expect(message(#"{"messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]}"#)
                == #"messages[1].role: "robot" is not one of system, user, assistant, tool"#)
        #expect(message(#"{"messages":[{"role":"user","content":5}]}"#)
                == "messages[0].content: expected a string or an array of parts, got a number")
        #expect(message(#"{"messages":[{"role":"user","content":[{"type":"audio"}]}]}"#)
                == #"messages[0].content[0].type: "audio" is not a content part type (text, image_url, video_url)"#)
        #expect(message(#"{"messages":[{"role":"assistant","tool_calls":[{"id":"x","function":{}}]}]}"#)
                == "messages[0].tool_calls[0].function.name: missing")
        #expect(message(#"{"temperature":"hot"}"#) == "temperature: expected a number, got a string")
        #expect(message(#"{"max_completion_tokens":0}"#) == "max_completion_tokens: must be greater than 0, got 0")
        #expect(message(#"{"thinking":{"type":"maybe"}}"#) == #"thinking.type: "maybe" is not enabled or disabled"#)
        #expect(message(#"{"stop":["a",7]}"#) == "stop[1]: expected a string, got a number")
        #expect(message(#"{"messages":[{"role":"user","content":"a","contnet":"b"}]}"#)
                == "messages[0].contnet: not a message field Kimi accepts")
        #expect(message(#"{"response_format":{"type":"json_schema","json_schema":{"name":"n","schema":[]}}}"#)
                == "response_format.json_schema.schema: must be a JSON object, got an array")
    }
}
