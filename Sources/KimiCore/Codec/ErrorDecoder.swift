/// Turns error answers into `KimiError`s: Kimi's `{"error":{"type",
/// "message","code"}}` (code as string or integer) becomes `.api`; anything
/// else (a proxy's HTML page, an empty body) becomes `.http` with the start
/// of the body.
public enum ErrorDecoder {
    /// The error for a non-2xx answer.
    public static func httpError(status: Int, body: TextBuffer, requestID: String,
                                 retryAfterMs: Int64, label: String) -> KimiError {
        var error: KimiError
        if case .success(let root) = JSONValue.parse(body), let decoded = apiError(in: root, httpStatus: status) {
            error = decoded
        } else {
            let snippet = bodySnippet(body)
            error = KimiError(.http, snippet.isEmpty
                ? "HTTP \(status) with an empty body from \(label)"
                : "HTTP \(status) from \(label): \(snippet)")
        }
        error.httpStatus = status
        error.body = bodySnippet(body, limit: 4096)
        if error.requestID.isEmpty { error.requestID = requestID }
        if retryAfterMs >= 0 { error.retryAfterMs = retryAfterMs }
        return error
    }

    /// An `.api` error from a document that carries `error` (an object or a
    /// string), or nil when it does not look like an error.
    public static func apiError(in root: JSONValue, httpStatus: Int) -> KimiError? {
        guard root.isObject, let payload = root.member("error") else { return nil }
        var type = "", message = "", code = ""
        if let text = payload.string {
            message = text
        } else if payload.isObject {
            type = payload.member("type")?.string ?? ""
            message = payload.member("message")?.string ?? ""
            if let value = payload.member("code") {
                code = value.string ?? value.int64.map(String.init) ?? value.jsonText
            }
        } else {
            return nil
        }
        let place = httpStatus > 0 ? "HTTP \(httpStatus)" : "in stream"
        let kind = type.isEmpty ? "" : "\(type): "
        var error = KimiError(.api, "\(kind)\(message.isEmpty ? "(no message)" : oneLine(message)) (\(place))")
        error.type = type
        error.code = code
        error.requestID = payload.member("request_id")?.string ?? root.member("request_id")?.string ?? ""
        error.retryAfterMs = retryAfterFromMessage(message)
        return error
    }

    /// Kimi's rate-limit messages say "please try again after N seconds".
    public static func retryAfterFromMessage(_ message: String) -> Int64 {
        let lower = message.lowercased()
        guard let range = lower.firstRange(of: "try again after") else { return -1 }
        var rest = lower[range.upperBound...].drop { $0 == " " }
        let number = rest.prefix { ("0"..."9").contains($0) || $0 == "." }
        rest = rest.dropFirst(number.count).drop { $0 == " " }
        guard let seconds = Double(number), seconds >= 0, seconds < 86_400,
              rest.hasPrefix("s") else { return -1 }
        return Int64((seconds * 1000).rounded(.up))
    }

    /// The start of a body as one printable line.
    static func bodySnippet(_ body: TextBuffer, limit: Int = 200) -> String {
        let count = min(body.count, limit)
        let text = String(decoding: UnsafeBufferPointer(start: body.bytes, count: count), as: UTF8.self)
        let line = oneLine(text)
        return body.count > limit ? line + "…" : line
    }

    static func oneLine(_ text: String) -> String {
        var result = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let isSpace = scalar.value < 0x20 || scalar == " " || scalar.value == 0x7F
            if isSpace {
                if !lastWasSpace && !result.isEmpty { result.unicodeScalars.append(" ") }
                lastWasSpace = true
            } else {
                result.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        while result.hasSuffix(" ") { result.removeLast() }
        return result
    }
}
