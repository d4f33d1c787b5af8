import Testing
@testable import KimiCore

@Suite struct BatchTests {
    @Test func windowsFromTwelveHoursToSevenDays() throws {
        for good in ["12h", "24h", "168h", "1d", "7d", "012h"] {
            #expect(try BatchRules.window(good) == good)
        }
        #expect(try BatchRules.window(nil) == "24h")
        for bad in ["11h", "169h", "8d", "0d", "30d", "", "h", "24", "24H", "1w", "-1d", "1.5d", "99999h", " 24h"] {
            #expect(throws: KimiError.self, "\(bad)") { try BatchRules.window(bad) }
        }
    }

    @Test func metadataLimits() throws {
        #expect(try BatchRules.metadata(nil) == nil)
        let sixteen = "{" + (0..<16).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"
        #expect(try BatchRules.metadata(sixteen)?.members.count == 16)
        // Characters, not bytes: 512 two-byte characters are fine.
        #expect(try BatchRules.metadata("{\"k\":\"\(String(repeating: "é", count: 512))\"}") != nil)
        let seventeen = "{" + (0..<17).map { "\"k\($0)\":\"v\"" }.joined(separator: ",") + "}"
        for bad in [seventeen, "{\"\(String(repeating: "k", count: 65))\":\"v\"}",
                    "{\"k\":\"\(String(repeating: "v", count: 513))\"}", "{\"k\":1}", "{\"k\":null}", "[]", "{"] {
            #expect(throws: KimiError.self) { try BatchRules.metadata(bad) }
        }
    }

    @Test func costSplitsCachedFromUncachedInput() {
        var usage = Usage()
        usage.promptTokens = 1_000_000
        usage.cachedTokens = 400_000
        usage.completionTokens = 100_000
        #expect(abs(Pricing.kimiK26.cost(of: usage) - 0.72) < 1e-12)
        usage.cachedTokens = -1  // not sent: all input uncached
        #expect(abs(Pricing.kimiK26.cost(of: usage) - 0.90) < 1e-12)
        usage.cachedTokens = 2_000_000  // more cached than prompt: clamped
        #expect(abs(Pricing.kimiK26.cost(of: usage) - 0.45) < 1e-12)
        #expect(Pricing.kimiK26.cost(of: Usage()) == 0)
        #expect(throws: KimiError.self) {
            try Pricing(inputPerMillion: .nan, cachedInputPerMillion: 0, outputPerMillion: 0).validated()
        }
    }

    func decode(_ line: String) -> BatchResult {
        let text = TextBuffer(line)  // NUL-terminated, as lines from FileLines are
        return BatchResult.decode(text.rawBuffer, number: 7, file: "output file f")
    }

    @Test func resultLines() {
        let ok = decode(#"{"id":"r1","custom_id":"a","response":{"status_code":200,"request_id":"x","body":{"id":"c","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop","usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}]}},"error":null}"#)
        #expect(ok.customID == "a" && ok.httpStatus == 200 && ok.errorMessage == nil)
        #expect(ok.response?.choices.first?.content.string == "hi")
        #expect(ok.response?.usage.promptTokens == 3)
        #expect(ok.response?.json.string.hasPrefix(#"{"id":"c","choices":[{"#) == true)
        #expect(ok.response?.json.string.hasSuffix(#""total_tokens":4}}]}"#) == true)

        let refused = decode(#"{"custom_id":"b","response":{"status_code":429,"body":{"error":{"type":"rate_limit_reached_error","message":"slow"}}},"error":null}"#)
        #expect(refused.response == nil && refused.httpStatus == 429)
        #expect(refused.errorMessage?.string.contains("rate_limit_reached_error: slow") == true)

        let failed = decode(#"{"custom_id":"c","response":null,"error":{"code":"batch_expired","message":"too late"}}"#)
        #expect(failed.httpStatus == 0 && failed.errorMessage == "batch_expired: too late")

        let broken = decode(#"{"custom_id":"d","#)
        #expect(broken.response == nil && broken.errorMessage?.string.contains("line 7 of output file f is not valid JSON") == true)

        let empty = decode(#"{"custom_id":"e"}"#)
        #expect(empty.errorMessage?.string.contains("neither a response nor an error") == true)
    }
}
