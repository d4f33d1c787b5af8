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

    /// Reads one header line, with or without its line end. Works on the
    /// bytes (names and the values compared here are ASCII): a response's
    /// headers cost no Character-by-Character String work.
    public mutating func read(_ line: UnsafeBufferPointer<UInt8>) -> Line {
        totalBytes = totalBytes.saturatingAdd(line.count)
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        if end == 0 { return .end }
        let bytes = UnsafeBufferPointer(rebasing: line[0..<end])
        if bytes.starts(with: "HTTP/".utf8) {
            guard let code = Self.statusCode(bytes) else { return .other }
            let total = totalBytes
            self = ResponseHead()
            totalBytes = total
            status = code
            return .status
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return .other }
        var from = colon + 1
        var to = bytes.count
        while from < to, bytes[from] == 0x20 || bytes[from] == 0x09 { from += 1 }
        while to > from, bytes[to - 1] == 0x20 || bytes[to - 1] == 0x09 { to -= 1 }
        let name = String(asciiLowercased: UnsafeBufferPointer(rebasing: bytes[..<colon]))
        let valueBytes = UnsafeBufferPointer(rebasing: bytes[from..<to])
        let value = String(decoding: valueBytes, as: UTF8.self)
        fields.append((name, value))
        switch name {
        case "content-type": contentType = String(asciiLowercased: valueBytes)
        case "content-encoding": contentEncoding = String(asciiLowercased: valueBytes)
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

    /// The code of a status line ("HTTP/1.1 200 OK", "HTTP/2 429"): three
    /// digits after the version, ending the line or followed by a space.
    private static func statusCode(_ line: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let space = line.firstIndex(of: 0x20), space + 4 <= line.count,
              space + 4 == line.count || line[space + 4] == 0x20 else { return nil }
        var code = 0
        for byte in line[(space + 1)..<(space + 4)] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            code = code * 10 + Int(byte - 0x30)
        }
        return code >= 100 ? code : nil
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

extension String {
    /// The bytes as text, ASCII letters lower-cased (other bytes kept; bad
    /// UTF-8 repaired as `String(decoding:)` does).
    init(asciiLowercased bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else {
            self = String(decoding: bytes, as: UTF8.self)
            return
        }
        self = String(unsafeUninitializedCapacity: bytes.count) { out in
            for (i, byte) in bytes.enumerated() { out[i] = byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
            return bytes.count
        }
    }
}
