import FuzzSupport
import KimiCore

/// libFuzzer target: what the server controls before the body. The input is
/// a response head, one header line per input line: status lines, the
/// headers the library reads (Content-Type, Content-Encoding, request ids,
/// Retry-After, retry-after-ms, Location) and anything else. Oracles: no
/// trap; a status is 0 or 100 ... 999; a wait is -1 or more; the header
/// size is counted; and the key, redacted from any of the lines (as error
/// messages and log lines are), leaves no piece of 8 characters behind.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHeaders(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    var head = ResponseHead()
    var start = 0
    var total = 0
    for i in 0...size where i == size || input[i] == 0x0A {
        let line = UnsafeBufferPointer(rebasing: input[start..<min(i + 1, size)])
        start = i + 1
        total += line.count
        let kind = head.read(line)
        if kind == .end {
            // libcurl's reading of Retry-After: any number, as it may give.
            let raw = head.retryAfterRaw ?? ""
            let seconds = Int64(raw.prefix(20)) ?? Int64(raw.utf8.count) - 8
            head.settleRetryAfter(curlSeconds: seconds)
            head.settleStatus(Int(seconds))
        }
        require(head.status == 0 || (100...999).contains(head.status), "status \(head.status)")
        require(head.retryAfterMs >= -1, "retry after \(head.retryAfterMs)")
        _ = head.value(of: "content-type")
        _ = head.hasUnrequestedEncoding
        let text = String(decoding: line, as: UTF8.self)
        require(ErrorDecoder.retryAfterFromMessage(text) >= -1, "a wait from the message below -1")
        let redacted = redactor.redact(text)
        require(!redactor.reveals(redacted), "a piece of the key survives in: \(redacted)")
    }
    require(head.totalBytes >= min(total, Int.max), "header bytes not counted")
    return 0
}

private let redactor = Redactor(secret: "sk-fuzz-KEY0123456789abcdef")

/// `precondition` that prints its message in optimized builds too.
