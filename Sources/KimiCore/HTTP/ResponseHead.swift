/// What the library reads from a response's status line and headers, fed
/// one raw header line at a time (as curl's header callback delivers them).
/// Everything here comes from the server, so nothing can trap: status codes
/// outside 100 ... 999 are ignored, waits saturate, and the lines of one
/// response are capped at `maxBytes` in all.
public struct ResponseHead {
    /// More header bytes than this (all responses of a transfer together)
    /// end the transfer: a server sending endless headers is refused.
    public static let maxBytes = 256 << 10

    public private(set) var status = 0
    /// Lower-cased, parameters included ("text/event-stream; charset=utf-8").
    public private(set) var contentType = ""
    /// Lower-cased; "" when absent.
    public private(set) var contentEncoding = ""
    public private(set) var requestID = ""
    /// The wait asked for by `retry-after-ms`, or by `Retry-After` once
    /// `settleRetryAfter` has read libcurl's parse of it; -1 when none.
    public private(set) var retryAfterMs: Int64 = -1
    /// A `Retry-After` value waiting for `settleRetryAfter`.
    public private(set) var retryAfterRaw: String?
    /// A redirect's target (never followed).
    public private(set) var location = ""
    /// The headers of the current response, in order, names lower-cased.
    public private(set) var fields: [(name: String, value: String)] = []
    /// Header bytes read so far, all responses included.
    public private(set) var totalBytes = 0

    public enum Line: Equatable {
        /// A status line started a new response (after 100 Continue, say).
        case status
        case field
        /// The blank line ending the headers.
        case end
        /// A line that is neither (ignored).
        case other
    }

    public init() {}

    /// Reads one header line, with or without its line end.
    public mutating func read(_ line: UnsafeBufferPointer<UInt8>) -> Line {
        totalBytes = totalBytes.saturatingAdd(line.count)
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        if end == 0 { return .end }
        let text = String(decoding: UnsafeBufferPointer(rebasing: line[0..<end]), as: UTF8.self)
        if text.hasPrefix("HTTP/") {
            let parts = text.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[1].utf8.count == 3, let code = Int(parts[1]), code >= 100 else { return .other }
            let total = totalBytes
            self = ResponseHead()
            totalBytes = total
            status = code
            return .status
        }
        guard let colon = text.firstIndex(of: ":") else { return .other }
        let name = text[..<colon].lowercased()
        let value = text[text.index(after: colon)...].trimmingSpaces()
        fields.append((name, value))
        switch name {
        case "content-type": contentType = value.lowercased()
        case "content-encoding": contentEncoding = value.lowercased()
        case "location": location = value
        case "x-request-id", "request-id", "msh-request-id", "x-trace-id":
            if requestID.isEmpty { requestID = value }
        case "retry-after-ms":
            let ms = ErrorDecoder.retryAfterMilliseconds(value)
            if ms >= 0 { retryAfterMs = ms }
        case "retry-after":
            retryAfterRaw = value
        default: break
        }
        return .field
    }

    /// Takes the `Retry-After` wait from libcurl's parse of the header
    /// (seconds or an HTTP-date; see ErrorDecoder.retryAfterHeader), unless
    /// `retry-after-ms` already named one.
    public mutating func settleRetryAfter(curlSeconds: Int64) {
        guard let raw = retryAfterRaw else { return }
        retryAfterRaw = nil
        if retryAfterMs < 0 { retryAfterMs = ErrorDecoder.retryAfterHeader(curlSeconds: curlSeconds, raw: raw) }
    }

    /// Takes the status libcurl settled on for the response (it reads status
    /// lines its own way); codes outside 100 ... 999 are not statuses.
    public mutating func settleStatus(_ code: Int) {
        if code >= 100 && code <= 999 { status = code }
    }

    /// The value of header `name` (any case) of the current response.
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name == wanted }?.value
    }

    /// True when the body is encoded in a way nobody asked for (libkimi
    /// never sends Accept-Encoding, so only "identity" is acceptable).
    public var hasUnrequestedEncoding: Bool { !contentEncoding.isEmpty && contentEncoding != "identity" }
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
