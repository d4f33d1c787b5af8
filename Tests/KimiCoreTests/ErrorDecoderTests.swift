import Testing
@testable import KimiCore

@Suite struct ErrorDecoderTests {
    func error(_ status: Int, _ body: String, requestID: String = "", retryAfterMs: Int64 = -1) -> KimiError {
        ErrorDecoder.httpError(status: status, body: TextBuffer(body), requestID: requestID,
                               retryAfterMs: retryAfterMs, label: "POST http://x/v1/chat/completions")
    }

    @Test func kimiErrorShape() {
        let e = error(400, #"{"error":{"type":"invalid_request_error","message":"invalid temperature: only 1 is allowed for this model"}}"#,
                      requestID: "req-1")
        #expect(e.status == .api)
        #expect(e.httpStatus == 400)
        #expect(e.type == "invalid_request_error")
        #expect(e.message == "invalid_request_error: invalid temperature: only 1 is allowed for this model (HTTP 400)")
        #expect(e.code == "")
        #expect(e.requestID == "req-1")
    }

    @Test func codeAsStringOrInteger() {
        #expect(error(400, #"{"error":{"type":"t","message":"m","code":400,"param":"prompt"}}"#).code == "400")
        #expect(error(400, #"{"error":{"type":"t","message":"m","code":"bad_thing"}}"#).code == "bad_thing")
    }

    @Test func htmlIsAnHTTPErrorWithTheBodyStart() {
        let e = error(502, "<html>\n<body><h1>Bad Gateway</h1></body>\n</html>")
        #expect(e.status == .http)
        #expect(e.httpStatus == 502)
        #expect(e.message == "HTTP 502 from POST http://x/v1/chat/completions: <html> <body><h1>Bad Gateway</h1></body> </html>")
        let empty = error(503, "")
        #expect(empty.message == "HTTP 503 with an empty body from POST http://x/v1/chat/completions")
    }

    @Test func retryAfterFromTheMessageOrHeaders() {
        let e = error(429, #"{"error":{"type":"rate_limit_reached_error","message":"Your account org<ak> request reached organization max RPM: 3, please try again after 2 seconds"}}"#)
        #expect(e.retryAfterMs == 2000)
        #expect(ErrorDecoder.retryAfterFromMessage("please try again after 1.5 seconds") == 1500)
        #expect(ErrorDecoder.retryAfterFromMessage("try again later") == -1)
        #expect(error(503, "busy", retryAfterMs: 7000).retryAfterMs == 7000)
    }

    @Test func errorAsAString() {
        let e = error(500, #"{"error":"boom"}"#)
        #expect(e.status == .api)
        #expect(e.message == "boom (HTTP 500)")
    }

    @Test func jsonWithoutAnErrorIsHTTP() {
        #expect(error(500, #"{"detail":"x"}"#).status == .http)
    }

    @Test func longBodiesAreCutToOneLine() {
        let e = error(502, String(repeating: "a\n", count: 500))
        #expect(e.message.count < 300)
        #expect(!e.message.contains("\n"))
        #expect(e.message.hasSuffix("…"))
    }
}
