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
        #expect(!whole)  // and no records at all: see PartialResponseRecordsTests
    }

    /// A record's part count is 16-bit: a choice of 32,767 tool calls (65,536
    /// parts with its role and finish reason) said 65,535, and a reader
    /// following the count lost the finish reason while the records said WHOLE.
    @Test func aChoiceOfMorePartsThanARecordCanCountIsNotWhole() throws {
        #expect(try decode(choices(1, calls: 32766)).shape != nil)  // 65,534 parts
        let response = try decode(choices(1, calls: 32767))
        let whole = response.shape != nil
        #expect(!whole)  // and no records at all: see PartialResponseRecordsTests
    }
}

/// Records without the WHOLE flag are still exact about what they hold: a
/// choice is named by its position, whatever `index` the body gave, and a
/// choice of more parts than a record counts goes on in the next records.
@Suite struct PartialResponseRecordsTests {
    /// (choice of each part, per EVENTS record; parts per EVENTS record) of `response`'s records.
    func layout(_ response: ChatResponse) throws -> (choices: [[Int16]], parts: [Int]) {
        var buffer = [UInt8](repeating: 0, count: 8 << 20)
        return try buffer.withUnsafeMutableBytes { raw in
            var writer = RecordWriter(raw)
            try response.writeRecords(requestID: UnsafeBufferPointer(start: nil, count: 0), into: &writer)
            var choices: [[Int16]] = []
            var parts: [Int] = []
            var at = 0
            while at < writer.written {
                let size = Int(raw.load(fromByteOffset: at, as: UInt32.self))
                if raw.load(fromByteOffset: at + 4, as: UInt16.self) == RecordWriter.events {
                    let count = Int(raw.load(fromByteOffset: at + 6, as: UInt16.self))
                    parts.append(count)
                    choices.append([])
                    var p = at + 16
                    for _ in 0..<count {
                        choices[choices.count - 1].append(raw.load(fromByteOffset: p + 2, as: Int16.self))
                        let n = Int(raw.load(fromByteOffset: p + 8, as: UInt32.self)) + Int(raw.load(fromByteOffset: p + 12, as: UInt32.self))
                        p += 16 + ((n + 7) & ~7)
                    }
                    #expect(p == at + size)
                }
                at += size
            }
            return (choices, parts)
        }
    }

    @Test func aChoiceIsNamedByItsPosition() throws {
        let body = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":-1,"message":{"role":"assistant","content":"x"},"finish_reason":"stop","usage":{"prompt_tokens":9,"completion_tokens":9,"total_tokens":18}}]}"#
        let response = try ResponseDecoder.decode(TextBuffer(body))
        #expect(response.shape == nil)
        let written = try layout(response)
        // The choice's record, then the response's usage (a copy of the choice's, choice -1).
        #expect(written.choices == [[0, 0, 0, 0], [-1]], "\(written.choices)")
    }

    @Test func aChoiceOfManyPartsGoesOnInTheNextRecord() throws {
        let call = #"{"id":"c","type":"function","function":{"name":"f","arguments":""}}"#
        let calls = Array(repeating: call, count: 32767).joined(separator: ",")
        let body = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[\#(calls)]},"finish_reason":"tool_calls"}]}"#
        let response = try ResponseDecoder.decode(TextBuffer(body))
        #expect(response.shape == nil)
        let written = try layout(response)
        #expect(written.parts == [65535, 2])  // role, content, 32,767 starts and deltas, then the finish reason
    }

    @Test func moreChoicesThanAPartCanNameAreRefused() throws {
        let choice = #"{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"stop"}"#
        let body = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[\#(Array(repeating: choice, count: 32769).joined(separator: ","))]}"#
        let response = try ResponseDecoder.decode(TextBuffer(body))
        var buffer = [UInt8](repeating: 0, count: 64)
        buffer.withUnsafeMutableBytes { raw in
            var writer = RecordWriter(raw)
            #expect(throws: KimiError.self) {
                try response.writeRecords(requestID: UnsafeBufferPointer(start: nil, count: 0), into: &writer)
            }
            #expect(writer.written == 0 && writer.needed == 0)
        }
    }
}

/// The JSON a response exports is the body as received only when the body
/// holds nothing the gate would change: a key split by invisible characters
/// (which the gate drops before it looks for the key) is found either way.
@Suite struct ExportedJSONTests {
    @Test func aKeySplitByInvisibleCharactersDoesNotPassAsIs() throws {
        let key = "sk-" + String(repeating: "k", count: 40)
        let gate = Gate(redactor: Redactor(secret: key))
        for (name, separator) in [("raw zero-width space", "\u{200B}"), ("escaped zero-width space", "\\u200b"),
                                  ("raw soft hyphen", "\u{00AD}"), ("escaped byte order mark", "\\uFEFF"),
                                  ("raw word joiner", "\u{2060}"), ("raw right-to-left override", "\u{202E}")] {
            let split = key.map(String.init).joined(separator: separator)
            let body = #"{"id":"\#(split)","object":"chat.completion","created":1,"model":"m","choices":[]}"#
            let response = try ResponseDecoder.decode(TextBuffer(body), gate: gate)
            #expect(!response.exportsBodyAsIs, "\(name)")
            let exported = response.json.string
            #expect(!exported.contains(String(key.suffix(12))), "\(name): \(exported)")
            #expect(!response.id.string.contains(String(key.suffix(12))), "\(name)")
        }
    }

    @Test func plainTextAndPayloadCharactersStillPassAsIs() throws {
        let body = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"caf\u00e9 \u2019 \t tab\nline é ’ 日本"},"finish_reason":"stop"}]}"#
        let response = try ResponseDecoder.decode(TextBuffer(body), gate: Gate(redactor: Redactor(secret: "sk-" + String(repeating: "q", count: 40))))
        #expect(response.exportsBodyAsIs)
        #expect(response.json.string == body)
    }
}
