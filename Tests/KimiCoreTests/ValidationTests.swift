import Testing
@testable import KimiCore

@Suite struct ValidationTests {
    @Test func functionNameRule() {
        for good in ["get_weather", "_x1", "abc", "A-b_c", String(repeating: "a", count: 64)] {
            #expect(Preflight.isValidFunctionName(good), "\(good)")
        }
        for bad in ["ab", "1abc", "-abc", "a b c", "naïve", "a.b.c", String(repeating: "a", count: 65), ""] {
            #expect(!Preflight.isValidFunctionName(bad), "\(bad)")
        }
    }

    func schema(_ text: String) -> JSONValue {
        guard case .success(let value) = JSONValue.parse(text) else { fatalError("bad JSON in test") }
        return value
    }

    @Test func schemaKeywordsAreFoundOnlyWhereTheyAreKeywords() {
        let problems = SchemaCheck.problems(in: schema(#"""
        {"type":"object","properties":{
           "title":{"type":"string"},
           "format":{"type":"string","format":"email"},
           "a/b":{"type":"array","items":{"type":"integer","maximum":3},"minItems":1},
           "choice":{"anyOf":[{"type":"string","title":"S"},{"type":"null"}]},
           "nested":{"type":"object","$defs":{"x":{"type":"string"}},"properties":{"r":{"$ref":"https://x/schema"}}}
        },"$defs":{"ok":{"type":"string","$comment":"no"}},"$ref":"#/$defs/ok"}
        """#))
        #expect(problems == [
            "format at /properties/format/format",
            "maximum at /properties/a~1b/items/maximum",
            "minItems at /properties/a~1b/minItems",
            "title at /properties/choice/anyOf/0/title",
            "$defs at /properties/nested/$defs (only allowed at the root)",
            "external $ref \"https://x/schema\" at /properties/nested/properties/r/$ref",
            "$comment at /$defs/ok/$comment",
        ])
        #expect(SchemaCheck.problems(in: schema(#"{"type":"object","properties":{"n":{"enum":[1,2.5]},"s":{"enum":["a","b"]}}}"#)).isEmpty)
    }

    @Test func errorKindsFollowTypeAndMessageBeforeStatus() {
        func kind(_ status: Int, _ type: String, _ message: String = "m") -> ErrorKind {
            var error = KimiError(.api, message)
            error.httpStatus = status
            error.type = Gate.none.admit(type)
            return error.kind
        }
        #expect(kind(429, "rate_limit_reached_error") == .rateLimited)
        #expect(kind(429, "engine_overloaded_error") == .overloaded)
        #expect(kind(429, "exceeded_current_quota_error") == .quotaExceeded)
        #expect(kind(403, "exceeded_current_quota_error") == .quotaExceeded)
        #expect(kind(429, "rate_limit_reached_error", "You exceeded your current token quota") == .quotaExceeded)
        #expect(kind(403, "", "Your account is suspended, please check your plan and billing details") == .quotaExceeded)
        #expect(kind(401, "invalid_authentication_error") == .auth)
        #expect(kind(401, "") == .auth)
        #expect(kind(403, "permission_denied_error") == .permission)
        #expect(kind(404, "resource_not_found_error") == .notFound)
        #expect(kind(400, "content_filter") == .contentFilter)
        #expect(kind(400, "invalid_request_error") == .invalidRequest)
        #expect(kind(500, "unexpected_output") == .server)
        #expect(kind(502, "") == .server)
        #expect(kind(429, "", "busy") == .rateLimited)
        #expect(KimiError(.invalidArgument, "x").kind == .invalidRequest)
        #expect(KimiError(.incomplete, "x").kind == .incomplete)
        #expect(KimiError(.stepLimit, "x").kind == .incomplete)
        #expect(KimiError(.parse, "x").kind == .badResponse)
        var http = KimiError(.http, "HTTP 429")
        http.httpStatus = 429
        #expect(http.kind == .rateLimited)
    }
}
