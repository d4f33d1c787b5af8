import FuzzSupport
import KimiCore

/// libFuzzer target: the error-body decoder, with the HTTP status taken from
/// the first two bytes. Any body must give an `.api` or `.http` error with a
/// one-line message, a kind, and a sane retry-after; never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzError(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size >= 2 else { return 0 }
    let status = 100 + (Int(data[0]) << 8 | Int(data[1])) % 500
    let body = TextBuffer(bytes: UnsafeRawBufferPointer(start: data + 2, count: size - 2))
    let error = ErrorDecoder.httpError(status: status, body: body, requestID: "req-fuzz", retryAfterMs: -1,
                                       label: "POST https://api.moonshot.ai/v1/chat/completions")
    require(error.status == .api || error.status == .http, "status \(error.status)")
    require(!error.message.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }), "message is not one line")
    require(error.httpStatus == status)
    require(error.retryAfterMs >= -1 && error.retryAfterMs <= 86_400_000, "retry after \(error.retryAfterMs)")
    _ = error.kind
    _ = RetryPolicy.isRetryable(error)
    _ = ErrorDecoder.retryAfterFromMessage(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    return 0
}

/// `precondition` that prints its message in optimized builds too.
