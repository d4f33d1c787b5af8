import Testing
@testable import KimiCore

/// The rules that keep a hostile server (or caller) from hurting the host:
/// saturating numbers, redaction, parsed base URLs, depth limits, the
/// stream's edge rules. Tests/hostile runs the same over real HTTP.
@Suite struct HostileInputTests {
    // MARK: numbers

    @Test func arithmeticSaturates() {
        #expect(Int64.max.saturatingAdd(1) == .max)
        #expect(Int64.min.saturatingAdd(-1) == .min)
        #expect(Int64(9_223_372_036_854_776).saturatingMultiply(1000) == .max)
        #expect(Int64(-9_223_372_036_854_776).saturatingMultiply(1000) == .min)
        #expect(Int64(5).saturatingMultiply(-3) == -15)
        #expect(Int64(saturating: .infinity) == .max)
        #expect(Int64(saturating: -.infinity) == .min)
        #expect(Int64(saturating: .nan) == nil)
        #expect(Int64(saturating: 1e300) == .max)
        #expect(Int64(saturating: 1.5) == 2)
        #expect(deadline(afterMs: .max, from: 5) == .max)
        #expect(deadline(afterMs: -7, from: 5) == 5)
        #expect(millisecondsLeft(until: .max, cap: 60_000, now: 0) == 60_000)
        #expect(Counts.valid(1 << 53) == 1 << 53)
        #expect(Counts.valid((1 << 53) + 1) == nil)
        #expect(Counts.valid(-1) == nil)
        #expect(Counts.httpStatus(Int64.max) == 0 && Counts.httpStatus(503) == 503)
    }

    @Test func waitsFromTheServerSaturate() {
        #expect(ErrorDecoder.retryAfterFromMessage("please try again after 1000000000 seconds") == 1_000_000_000_000)
        #expect(ErrorDecoder.retryAfterFromMessage("try again after 99999999999999999999999999 seconds") == .max)
        #expect(ErrorDecoder.retryAfterFromMessage("try again after 1" + String(repeating: "0", count: 400) + " s") == .max)
        #expect(ErrorDecoder.retryAfterMilliseconds("1e999") == .max)
        #expect(ErrorDecoder.retryAfterMilliseconds("-3") == -1)
        #expect(ErrorDecoder.retryAfterMilliseconds("nan") == -1)
        // libcurl's CURLINFO_RETRY_AFTER: seconds, 0 for "now" or unreadable, negative for a past date.
        #expect(ErrorDecoder.retryAfterHeader(curlSeconds: 9_223_372_036_854_776, raw: "9223372036854776") == .max)
        #expect(ErrorDecoder.retryAfterHeader(curlSeconds: 0, raw: "99999999999999999999999") == .max)
        #expect(ErrorDecoder.retryAfterHeader(curlSeconds: 0, raw: "0") == 0)
        #expect(ErrorDecoder.retryAfterHeader(curlSeconds: -100, raw: "Wed, 21 Oct 2015 07:28:00 GMT") == 0)
        #expect(ErrorDecoder.retryAfterHeader(curlSeconds: 0, raw: "soon") == -1)
        // A wait over the cap is reported, not waited for.
        var error = KimiError(.api, "slow down")
        error.type = "rate_limit_reached_error"
        error.retryAfterMs = 1_000_000_000_000
        #expect(RetryPolicy().decide(after: error, retry: 0) == .stop)
    }

    @Test func responseHeadsNeverTrap() {
        var head = ResponseHead()
        for line in ["HTTP/1.1 99999999999999999999 Huge\r\n", "HTTP/1.1 -5 X\r\n", "HTTP/1.1 2000 X\r\n"] {
            _ = Array(line.utf8).withUnsafeBufferPointer { head.read($0) }
            #expect(head.status == 0)
        }
        for line in ["HTTP/1.1 429 Too Many\r\n", "Retry-After: 5\r\n", "retry-after-ms: 1e999\r\n",
                     "Content-Encoding: GZIP\r\n", "X-Request-Id: req-1\r\n", "\r\n"] {
            _ = Array(line.utf8).withUnsafeBufferPointer { head.read($0) }
        }
        head.settleRetryAfter(curlSeconds: 5)
        #expect(head.status == 429)
        #expect(head.retryAfterMs == .max) // retry-after-ms wins over Retry-After
        #expect(head.hasUnrequestedEncoding)
        #expect(head.value(of: "X-REQUEST-ID") == "req-1")
        #expect(head.totalBytes > 80)
    }

    // MARK: redaction

    static let key = "sk-SECRET-0123456789abcdef"
    let redactor = Redactor(secret: HostileInputTests.key)

    @Test func theKeyGoesWholeInPiecesAndEscaped() {
        let key = HostileInputTests.key
        #expect(redactor.redact("key \(key) used") == "key [redacted] used")
        // Pieces of 8 characters or more, wherever a message was cut.
        #expect(redactor.redact("cut at …\(key.prefix(12))") == "cut at …[redacted]")
        #expect(redactor.redact("\(key.suffix(9)) then") == "[redacted] then")
        #expect(redactor.redact("only \(key.prefix(7)) survives") == "only \(key.prefix(7)) survives")
        // JSON escapes: every character, or some of them.
        let escaped = key.map { "\\u00" + hex($0) }.joined()
        #expect(!redactor.reveals(redactor.redact("\"message\":\"\(escaped)\"")))
        #expect(redactor.redact("\"\(escaped)\"") == "\"[redacted]\"")
        let mixed = key.enumerated().map { $0.offset % 2 == 0 ? String($0.element) : "\\u00" + hex($0.element) }.joined()
        #expect(redactor.redact(mixed) == "[redacted]")
        // Split in two halves, each long enough to be useful.
        let half = key.count / 2
        #expect(redactor.redact("\(key.prefix(half)) and \(key.suffix(key.count - half))") == "[redacted] and [redacted]")
        // Ordinary text is left alone, and eight NUL bytes are no key.
        #expect(redactor.redact("nothing to see here, sk-other-key") == "nothing to see here, sk-other-key")
        #expect(redactor.redact(String(repeating: "\0", count: 16)) == String(repeating: "\0", count: 16))
        // A short key is matched whole.
        #expect(Redactor(secret: "abc").redact("xabcx") == "x[redacted]x")
    }

    /// `reveals` looks up only runs of bytes the key holds: every piece of
    /// the key is still found wherever it sits, after a run of key bytes,
    /// after bytes the key lacks, and written with escapes.
    @Test func everyPieceIsFoundWhateverSurroundsIt() {
        let key = Array(HostileInputTests.key.utf8)
        let noises = ["", "x", "\"\u{0}:", "SECRETSECRET", "0123", "{\"id\":\"cmpl-"]
        for start in 0...(key.count - Redactor.pieceLength) {
            let piece = String(decoding: key[start..<(start + Redactor.pieceLength)], as: UTF8.self)
            let escaped = piece.map { "\\u00" + hex($0) }.joined()
            for before in noises {
                for after in noises {
                    #expect(redactor.reveals(before + piece + after), "\(before)|\(piece)|\(after)")
                    #expect(redactor.reveals(before + escaped + after), "\(before)|\(escaped)|\(after)")
                }
            }
            // One byte short of a piece, among key bytes: nothing to find.
            #expect(!redactor.reveals("=" + String(piece.dropLast()) + "="))
        }
    }

    @Test func oneLineTextIsCleanedOnlyWhereItMustBe() {
        // Each case reaches another exit of the clean-text check (Gate.isOneLine).
        let cases: [(String, String)] = [
            ("", ""), (" ", ""), ("req-1a2b", "req-1a2b"), ("a b c", "a b c"),
            (" lead", "lead"), ("trail ", "trail"), ("two  spaces", "two spaces"), ("  ", ""),
            ("tab\there", "tab here"), ("new\r\nline", "new line"), ("bell\u{07}", "bell"), ("del\u{7F}x", "delx"),
            ("caf\u{E9} ok", "caf\u{E9} ok"), ("\u{4F60}\u{597D}", "\u{4F60}\u{597D}"),
            ("c1\u{85}x", "c1 x"), ("ls\u{2028}ps\u{2029}end", "ls ps end"), ("zero\u{200B}width", "zerowidth"),
            ("\u{E9} \u{E9}  \u{E9} ", "\u{E9} \u{E9} \u{E9}"), ("rtl\u{202E}x", "rtlx"),
        ]
        for (text, cleaned) in cases {
            #expect(Gate.none.admit(text).string == cleaned, "\(Array(text.unicodeScalars))")
        }
    }

    @Test func bodiesAreRedactedBeforeTheyAreCut() {
        let key = HostileInputTests.key
        let body = TextBuffer(String(repeating: "x", count: 190) + key + " tail")
        let snippet = ErrorDecoder.bodySnippet(body, limit: 200, gate: Gate(redactor: redactor)).string
        #expect(!redactor.reveals(snippet))
        #expect(snippet.contains("[redacted]"))
        #expect(snippet.utf8.count <= 200 + "…".utf8.count)
    }

    private func hex(_ c: Character) -> String {
        let value = c.unicodeScalars.first!.value
        let digits = Array("0123456789abcdef")
        return String([digits[Int(value >> 4)], digits[Int(value & 15)]])
    }

    // MARK: base URLs

    @Test func baseURLsAreParsedByCurl() throws {
        #expect(try BaseURL(parsing: "https://api.moonshot.ai/v1/").string == "https://api.moonshot.ai/v1")
        #expect(try BaseURL(parsing: "http://[::1]:8080/v1").string == "http://[::1]:8080/v1")
        let base = try BaseURL(parsing: "http://127.0.0.1:9/v1")
        #expect(base.endpoint("/batches", query: [("limit", "5"), ("after", "a b&c")])
            == "http://127.0.0.1:9/v1/batches?limit=5&after=a%20b%26c")
        for (url, says) in [("http://u:secret-pass@h/v1", "credentials"), ("http://h/v1?a=b", "query"),
                            ("http://h/v1#x", "fragment"), ("http://h:0/v1", "port"), ("http://h:70000/v1", "port"),
                            ("http://[::1/v1", "usable"), ("http:// h/v1", "spaces"), ("gopher://h", "http://")] {
            do {
                _ = try BaseURL(parsing: url)
                Issue.record("\(url) was accepted")
            } catch {
                #expect(error.message.contains(says), "\(url): \(error.message)")
                #expect(!error.message.contains("secret-pass"))
            }
        }
    }

    // MARK: JSON

    @Test func deepDocumentsAreRefusedBeforeJansson() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        let strings = "[\"" + String(repeating: "[", count: 500) + "\"]"
        if case .failure = JSONValue.parse(ok) { Issue.record("64 levels refused") }
        if case .failure = JSONValue.parse(strings) { Issue.record("brackets inside a string counted") }
        guard case .failure(let error) = JSONValue.parse(String(repeating: "{\"a\":", count: 3000)) else {
            Issue.record("3000 levels accepted")
            return
        }
        #expect(error.message == "nested deeper than 64 levels")
        if case .success = JSONValue.parse(deep) { Issue.record("65 levels accepted") }
    }

    @Test func numbersJanssonCannotHoldReadAsNull() throws {
        guard case .success(let value) = JSONValue.parse(
            "{\"a\":9223372036854775808,\"b\":1e999,\"c\":-9223372036854775809,\"d\":5,\"e\":1.5,\"f\":[1e400]}") else {
            Issue.record("refused")
            return
        }
        #expect(value.member("a") == nil && value.member("b") == nil && value.member("c") == nil)
        #expect(value.member("d")?.count64 == 5)
        #expect(value.member("e")?.count64 == nil)
        #expect(value.member("f")?.elements.first?.isNull == true)
    }

    // MARK: streams

    @Test func blankEventsCarryNoChunk() {
        let input = Array("data:\n\ndata:   \n\n".utf8) + StreamDecoderTests.sse(["{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}"])
        let outcome = StreamDecoderTests.run(input, piece: 1)
        #expect(outcome.error == nil)
        #expect(outcome.response.choices.first?.content.string == "x")
    }

    @Test func onlyATruthyErrorMakesAnErrorChunk() {
        for falsy in ["null", "false", "0", "0.0", "-0e5", "\"\"", "{}", "[ ]"] {
            let chunk = "{\"error\":\(falsy),\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}"
            let outcome = StreamDecoderTests.run(StreamDecoderTests.sse([chunk]))
            #expect(outcome.error == nil, "\(falsy)")
        }
        for truthy in ["true", "1", "0.5", "\"x\"", "{\"message\":\"m\"}", "[0]"] {
            let outcome = StreamDecoderTests.run(StreamDecoderTests.sse(["{\"error\":\(truthy)}"]))
            #expect(outcome.error?.status == .api, "\(truthy)")
        }
    }

    @Test func invalidUTF8BecomesOneReplacementPerMaximalSubpart() {
        // Unicode's own example (Table 3-8): 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
        let bytes: [UInt8] = [0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64]
        let input = Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"".utf8) + bytes
            + Array("\"}}]}\n\ndata: [DONE]\n\n".utf8)
        let outcome = StreamDecoderTests.run(input)
        #expect(outcome.response.choices.first?.content.string == "a\u{FFFD}\u{FFFD}\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}d")
    }

    @Test func toolCallsAreOrderedByIndex() {
        let input = StreamDecoderTests.sse([
            "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":2,\"id\":\"functions.c:2\",\"function\":{\"name\":\"c\",\"arguments\":\"{}\"}}]}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"functions.a:0\",\"function\":{\"name\":\"a\",\"arguments\":\"{\"}}]}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"functions.b:1\",\"function\":{\"name\":\"b\",\"arguments\":\"{}\"}}]}}]}",
            "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}",
        ])
        let outcome = StreamDecoderTests.run(input, piece: 7)
        #expect(outcome.response.choices[0].toolCalls.map(\.id.string) == ["functions.a:0", "functions.b:1", "functions.c:2"])
        #expect(outcome.response.choices[0].toolCalls[0].arguments.string == "{}")
        // Events name each call by the index the server gave it, and its own id.
        #expect(outcome.events.contains("start[0.2]:functions.c:2/c"))
        #expect(outcome.events.contains("args[0.0]:}"))
        #expect(outcome.events.contains("done-call[0.0]:{}"))
    }

    @Test func chunksNestedTooDeepAreRefused() {
        let deep = String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        let outcome = StreamDecoderTests.run(StreamDecoderTests.sse(["{\"choices\":[],\"x\":\(deep)}"]))
        #expect(outcome.error?.status == .parse)
        #expect(outcome.error?.message.contains("nested deeper than 64 levels") == true)
    }

    @Test func countsOutOfRangeAreAbsentInStreams() {
        for value in ["9223372036854775807", "9223372036854775808", "-5", "12.5", "1e999", "1e2", "9007199254740993"] {
            let chunk = "{\"choices\":[],\"usage\":{\"prompt_tokens\":\(value),\"completion_tokens\":2,\"total_tokens\":3}}"
            let outcome = StreamDecoderTests.run(StreamDecoderTests.sse([chunk]))
            #expect(outcome.error == nil)
            #expect(outcome.response.usage.promptTokens == -1, "\(value)")
            #expect(outcome.response.usage.completionTokens == 2)
        }
    }
}
