import Testing
@testable import KimiCore

/// A response's records (kimi_chat_response_read_records) say WHOLE only
/// when they hold everything its JSON holds; every other body falls back to
/// the JSON, so a binding never builds a result that differs from it.
@Suite struct ResponseRecordsTests {
    static let documented = #"""
    {"id":"cmpl-1","object":"chat.completion","created":1698999496,"model":"kimi-k2.6",
     "choices":[{"index":0,"message":{"role":"assistant","content":"","reasoning_content":"think",
       "tool_calls":[{"id":"functions.get_weather:0","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
       "finish_reason":"tool_calls","usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}],
     "usage":{"prompt_tokens":19,"completion_tokens":21,"total_tokens":40,"cached_tokens":10,"prompt_tokens_details":{"cached_tokens":10}}}
    """#

    func decode(_ text: String, gate: Gate = .none) throws -> ChatResponse {
        try ResponseDecoder.decode(TextBuffer(text), gate: gate)
    }

    /// The records of `response` into a buffer of `capacity` bytes:
    /// (bytes written, bytes needed).
    func records(_ response: ChatResponse, capacity: Int = 4096) throws -> (bytes: [UInt8], needed: Int) {
        var buffer = [UInt8](repeating: 0xEE, count: capacity)
        return try buffer.withUnsafeMutableBytes { raw in
            var writer = RecordWriter(raw)
            try response.writeRecords(requestID: UnsafeBufferPointer(start: nil, count: 0), into: &writer)
            return (Array(raw.prefix(writer.written)), writer.needed)
        }
    }

    func flags(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { $0.load(fromByteOffset: 32, as: UInt32.self) }
    }

    @Test func kimisDocumentedShapeIsWhole() throws {
        let response = try decode(Self.documented)
        let shape = try #require(response.shape)
        #expect(shape.usage == 3)
        #expect(shape.choices.count == 1)
        #expect(shape.choices[0].content && shape.choices[0].reasoning)
        #expect(shape.choices[0].usage == 0)
        let written = try records(response)
        #expect(written.needed == 0)
        #expect(flags(written.bytes) == ChatResponse.recordsWhole)
        // RESPONSE, COMPLETION, one EVENTS record for the choice, one for the usage.
        var types: [UInt16] = []
        var at = 0
        while at < written.bytes.count {
            let (size, type) = written.bytes.withUnsafeBytes { ($0.load(fromByteOffset: at, as: UInt32.self),
                                                               $0.load(fromByteOffset: at + 4, as: UInt16.self)) }
            types.append(type)
            #expect(size % 8 == 0 && size >= 32)
            at += Int(size)
        }
        #expect(at == written.bytes.count)
        #expect(types == [RecordWriter.response, RecordWriter.completion, RecordWriter.events, RecordWriter.events])
    }

    @Test func anythingElseIsNotWhole() throws {
        let deviations: [(String, String)] = [
            ("an extra member", #""model":"kimi-k2.6","system_fingerprint":"fp""#),
            ("a null", #""model":null"#),
            ("a real time", #""created":1698999496.0"#),
            ("another object", #""object":"chat.completion.chunk""#),
            ("a choice out of order", #""index":1"#),
            ("logprobs", #""finish_reason":"tool_calls","logprobs":null"#),
            ("a null content", #""content":null"#),
            ("arguments as an object", #""arguments":{"city":"Paris"}"#),
            ("a tool call index", #""type":"function","index":0"#),
            ("other cached tokens in the details", #""prompt_tokens_details":{"cached_tokens":9}"#),
            ("reasoning tokens", #""total_tokens":40,"completion_tokens_details":{"reasoning_tokens":1}"#),
            ("an id the gate changes", #""id":"cmpl-1  two spaces""#),
            ("a role the gate changes", #""role":"assistant\u0007""#),
        ]
        for (what, change) in deviations {
            let key = String(change.prefix { $0 != ":" })
            var text = Self.documented
            let range = try #require(text.range(of: key + ":"), "\(what)")
            // Replace that member's first occurrence: up to the next comma or brace at its depth.
            let tail = text[range.lowerBound...]
            var depth = 0
            var inString = false
            var end = tail.endIndex
            var previous: Character = " "
            for index in tail.indices.dropFirst(key.count + 1) {
                let c = tail[index]
                if inString {
                    if c == "\"" && previous != "\\" { inString = false }
                } else if c == "\"" {
                    inString = true
                } else if c == "{" || c == "[" {
                    depth += 1
                } else if c == "}" || c == "]" {
                    if depth == 0 { end = index; break }
                    depth -= 1
                } else if c == "," && depth == 0 {
                    end = index
                    break
                }
                previous = c
            }
            text.replaceSubrange(range.lowerBound..<end, with: change)
            #expect(text != Self.documented, "\(what)")
            let response = try decode(text)
            #expect(response.shape == nil, "\(what): \(text)")
            #expect(flags(try records(response).bytes) == 0, "\(what)")
        }
    }

    @Test func aBodyHoldingTheKeyIsNotWhole() throws {
        let key = "sk-" + String(repeating: "a", count: 40)
        let text = Self.documented.replacingOccurrences(of: #""think""#, with: "\"\(key)\"")
        let response = try decode(text, gate: Gate(redactor: Redactor(secret: key)))
        #expect(response.shape != nil)  // its shape is Kimi's, but the JSON it exports is not the body
        #expect(!response.exportsBodyAsIs)
        #expect(flags(try records(response).bytes) == 0)
    }

    @Test func recordsThatDoNotFitAreNotWrittenAndSayTheirSize() throws {
        let response = try decode(Self.documented)
        let whole = try records(response)
        let short = try records(response, capacity: whole.bytes.count - 8)
        #expect(short.bytes.isEmpty)
        #expect(short.needed == whole.bytes.count)
        let exact = try records(response, capacity: whole.bytes.count)
        #expect(exact.bytes == whole.bytes)
    }

    @Test func aStreamedResponseIsWrittenWithoutTheFlag() throws {
        let response = ChatResponse()
        response.id.set("cmpl-s")
        response.choice(at: 0).content.append("hi")
        let written = try records(response)
        #expect(flags(written.bytes) == 0)
        #expect(written.needed == 0)
    }

    /// A Partial Mode request answered with no choice: finishing the
    /// response makes choice 0 (for its full content) after the body's shape
    /// was taken with none; writing its records trapped (index out of range).
    @Test func aPrefixOnABodyWithoutChoicesIsWrittenWithoutTheFlag() throws {
        let response = try decode(#"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}"#)
        #expect(response.shape?.choices.count == 0)
        response.completePartial(prefix: "Sure: ")
        let written = try records(response)
        #expect(written.needed == 0)
        #expect(flags(written.bytes) == 0)
    }

    func choices(_ n: Int, calls: Int = 0) -> String {
        let call = #"{"id":"c","type":"function","function":{"name":"f","arguments":""}}"#
        let message = calls == 0 ? #"{"role":"assistant","content":""}"#
            : #"{"role":"assistant","tool_calls":["# + Array(repeating: call, count: calls).joined(separator: ",") + "]}"
        let list = (0..<n).map { #"{"index":\#($0),"message":\#(message),"finish_reason":"stop"}"# }
        return #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":["# + list.joined(separator: ",") + "]}"
    }

    /// A part's choice is 16-bit: choice 32768 read back as 32767 while the
    /// records said WHOLE.
    @Test func moreChoicesThanAPartCanNameAreNotWhole() throws {
        #expect(try decode(choices(32768)).shape != nil)
        let response = try decode(choices(32769))
        let whole = response.shape != nil  // (not the shape itself: a failure would print 32,769 choices)
        #expect(!whole)
        #expect(flags(try records(response, capacity: 8 << 20).bytes) == 0)
    }

    /// A record's part count is 16-bit: a choice of 32,767 tool calls (65,536
    /// parts with its role and finish reason) said 65,535, and a reader
    /// following the count lost the finish reason while the records said WHOLE.
    @Test func aChoiceOfMorePartsThanARecordCanCountIsNotWhole() throws {
        #expect(try decode(choices(1, calls: 32766)).shape != nil)  // 65,534 parts
        let response = try decode(choices(1, calls: 32767))
        let whole = response.shape != nil
        #expect(!whole)
        #expect(flags(try records(response, capacity: 8 << 20).bytes) == 0)
    }
}
