/// Turns error answers into `KimiError`s: Kimi's `{"error":{"type",
/// "message","code"}}` (code as string or integer) becomes `.api`; anything
/// else (a proxy's HTML page, an empty body) becomes `.http` with the start
/// of the body. Everything the server sent passes `gate`.
public enum ErrorDecoder {
    /// The error for a non-2xx answer. `requestID` is the answer's request
    /// id header, as read (it passes the gate here).
    public static func httpError(status: Int, body: TextBuffer, requestID: String,
                                 retryAfterMs: Int64, label: String, gate: Gate = .none) -> KimiError {
        var error: KimiError
        if let root = parseLeniently(body), let decoded = apiError(in: root, httpStatus: status, gate: gate) {
            error = decoded
        } else {
            let snippet = bodySnippet(body, gate: gate)
            error = KimiError(.http, snippet.isEmpty
                ? "HTTP \(status) with an empty body from \(label)"
                : "HTTP \(status) from \(label): \(snippet.string)")
        }
        error.httpStatus = status
        // A whole JSON body is gated as JSON (its strings, escapes read);
        // a longer one is cut, as text.
        error.body = body.count <= 4096 && JSONValue.parse(body).isSuccess
            ? withExtendedLifetime(body) { gate.admitJSON(body.view, payload: .none) }
            : bodySnippet(body, limit: 4096, gate: gate)
        if error.requestID.isEmpty { error.requestID = gate.admit(requestID) }
        if retryAfterMs >= 0 { error.retryAfterMs = retryAfterMs }
        return error
    }

    /// A body as JSON, also when a byte of it is not UTF-8 (a proxy that
    /// cut a character, a server that sent Latin-1): such bytes read as
    /// U+FFFD rather than losing the error's type and code.
    static func parseLeniently(_ body: TextBuffer) -> JSONValue? {
        if case .success(let root) = JSONValue.parse(body) { return root }
        let repaired = body.string
        guard repaired.utf8.count != body.count || !repaired.utf8.elementsEqual(UnsafeBufferPointer(start: body.bytes, count: body.count)),
              case .success(let root) = JSONValue.parse(repaired) else { return nil }
        return root
    }

    /// An `.api` error from a document that carries `error` (an object or a
    /// string), or nil when it does not look like an error.
    public static func apiError(in root: JSONValue, httpStatus: Int, gate: Gate = .none) -> KimiError? {
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
        let gatedType = gate.admit(type), gatedMessage = gate.admit(message)
        let kind = gatedType.isEmpty ? "" : "\(gatedType): "
        var error = KimiError(.api, "\(kind)\(gatedMessage.isEmpty ? "(no message)" : gatedMessage.string) (\(place))")
        error.type = gatedType
        error.code = gate.admit(code)
        error.requestID = gate.admit(payload.member("request_id")?.string ?? root.member("request_id")?.string ?? "")
        error.retryAfterMs = retryAfterFromMessage(message)
        return error
    }

    /// Kimi's rate-limit messages say "please try again after N seconds".
    /// A wait too long to represent saturates (it is then far over the
    /// retry policy's cap, so it is reported rather than waited for).
    public static func retryAfterFromMessage(_ message: String) -> Int64 {
        let lower = message.lowercased()
        guard let range = lower.firstOccurrence(of: "try again after") else { return -1 }
        var rest = lower[range.upperBound...].drop { $0 == " " }
        let number = rest.prefix { ("0"..."9").contains($0) || $0 == "." }
        rest = rest.dropFirst(number.count).drop { $0 == " " }
        guard let seconds = Double(number), seconds >= 0, rest.hasPrefix("s") else { return -1 }
        return Int64(saturating: seconds * 1000) ?? -1
    }

    /// A `retry-after-ms` header value: milliseconds, fractions allowed (as
    /// OpenAI's SDKs read it), saturating; -1 when it is not a wait.
    public static func retryAfterMilliseconds(_ value: String) -> Int64 {
        guard let ms = Double(value), ms >= 0 else { return -1 }
        return Int64(saturating: ms) ?? -1
    }

    /// The wait of a `Retry-After` header, from the seconds libcurl parsed
    /// (CURLINFO_RETRY_AFTER: delay-seconds or an HTTP-date) and the raw
    /// value. libcurl reports 0 both for "now" and for what it could not
    /// read, and a negative number for a date already past: a value of only
    /// digits that libcurl read as 0 overflowed it (the wait saturates); a
    /// past date means now; anything else is no wait at all (-1).
    public static func retryAfterHeader(curlSeconds: Int64, raw: String) -> Int64 {
        if curlSeconds > 0 { return curlSeconds.saturatingMultiply(1000) }
        if curlSeconds < 0 { return 0 }
        let digits = raw.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && !raw.isEmpty
        if digits { return raw.utf8.allSatisfy { $0 == 0x30 } ? 0 : Int64.max }
        return -1
    }

    /// The start of a body as one printable line, at most `limit` bytes.
    /// The key is removed before the cut: the text read reaches past the
    /// limit far enough to hold a key that crosses it, even JSON-escaped.
    static func bodySnippet(_ body: TextBuffer, limit: Int = 200, gate: Gate = .none) -> OutsideText {
        let count = min(body.count, limit.saturatingAdd(gate.redactor.reach))
        let line = gate.admit(UnsafeBufferPointer(start: body.bytes, count: count)).string
        guard line.utf8.count > limit else { return body.count > count ? gate.admit(line + "…") : gate.admit(line) }
        var end = line.utf8.index(line.utf8.startIndex, offsetBy: limit)
        while end > line.startIndex, end.samePosition(in: line.unicodeScalars) == nil { end = line.utf8.index(before: end) }
        return gate.admit(String(line[..<end]) + "…")
    }
}
