/// One line of a batch's output or error file, in the OpenAI batch format
/// Kimi uses: `{"id", "custom_id", "response": {"status_code",
/// "request_id", "body"}, "error": {"code", "message"}}`.
public struct BatchResult {
    public var customID = OutsideText.empty
    /// The chat completion of a successful line.
    public var response: ChatResponse?
    /// The line's HTTP status; 0 when the request got no response.
    public var httpStatus: Int
    /// Why the line failed (nil on success).
    public var errorMessage: OutsideText?

    /// Decodes line `number` of `file`; a line that cannot be understood
    /// becomes a failed result that says so, never a dropped one. Texts
    /// from the file pass `gate` (the key goes before any cut).
    public static func decode(_ line: UnsafeRawBufferPointer, number: Int, file: String,
                              gate: Gate = .none) -> BatchResult {
        var result = decodeLine(line, number: number, file: file, gate: gate)
        result.errorMessage = result.failure.map { gate.admit($0) }
        return result
    }

    /// Why the line failed, before the gate.
    private var failure: String?

    private static func decodeLine(_ line: UnsafeRawBufferPointer, number: Int, file: String,
                                   gate: Gate) -> BatchResult {
        let root: JSONValue
        switch JSONValue.parse(line) {
        case .success(let value) where value.isObject: root = value
        case .success(let value):
            return BatchResult(failure: "line \(number) of \(file) is \(value.kindName), expected a result object")
        case .failure(let error):
            return BatchResult(failure: "line \(number) of \(file) is not valid JSON: \(error.message) at byte \(error.position)")
        }
        var result = BatchResult(failure: nil)
        result.customID = gate.admit(root.member("custom_id")?.string ?? "")
        let response = root.member("response").flatMap { $0.isObject ? $0 : nil }
        result.httpStatus = Counts.httpStatus(response?.member("status_code")?.int64)
        if let error = root.member("error"), error.isObject {
            let code = error.member("code")?.string ?? error.member("code")?.int64.map(String.init) ?? ""
            let message = error.member("message")?.string ?? "(no message)"
            result.failure = code.isEmpty ? message : "\(code): \(message)"
            return result
        }
        if response != nil, result.httpStatus == 0 {
            // (A number past any integer reads as absent.)
            let raw = response?.member("status_code").map { " (\(excerpt($0.jsonText)))" } ?? ""
            result.failure = "line \(number) of \(file) has a response without an HTTP status_code\(raw)"
            return result
        }
        guard let response, let body = response.member("body") else {
            result.failure = "line \(number) of \(file) has neither a response nor an error"
            return result
        }
        guard (200..<300).contains(result.httpStatus) else {
            result.failure = ErrorDecoder.apiError(in: body, httpStatus: result.httpStatus, gate: gate)?.message
                ?? "HTTP \(result.httpStatus): \(ErrorDecoder.bodySnippet(TextBuffer(body.jsonText), gate: gate))"
            return result
        }
        do throws(KimiError) {
            let raw = BatchResult.bodyText(in: line) ?? TextBuffer(body.jsonText)
            result.response = try ResponseDecoder.decode(body, raw: raw, gate: gate)
        } catch {
            result.failure = "line \(number) of \(file): \(error.message)"
        }
        return result
    }

    /// The bytes of `response.body` as they are in the line (a copy is
    /// several times cheaper than printing the parsed value again). `line`
    /// must be followed by a NUL byte, as the scanner requires.
    static func bodyText(in line: UnsafeRawBufferPointer) -> TextBuffer? {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var scanner = JSONScanner(base, count: line.count)
        do throws(JSONScanner.Failure) {
            try scanner.enterObject()
            var first = true
            while let key = try scanner.nextMember(&first) {
                guard scanner.matches(key, "response") else {
                    try scanner.skipValue()
                    continue
                }
                try scanner.enterObject()
                var inner = true
                while let field = try scanner.nextMember(&inner) {
                    guard scanner.matches(field, "body") else {
                        try scanner.skipValue()
                        continue
                    }
                    scanner.skipSpace()
                    let start = scanner.position
                    try scanner.skipValue()
                    return TextBuffer(bytes: UnsafeRawBufferPointer(rebasing: line[start..<scanner.position]))
                }
                return nil
            }
        } catch {}
        return nil
    }

    private init(failure: String?) {
        httpStatus = 0
        self.failure = failure
    }
}
