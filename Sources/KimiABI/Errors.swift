import CKimiHeader
import KimiCore

@c @implementation
public func kimi_status_str(_ status: Int32) -> UnsafePointer<CChar>? {
    switch Status(rawValue: status) {
    case .ok: return cString("success")
    case .invalidArgument: return cString("invalid argument")
    case .noMemory: return cString("out of memory")
    case .transport: return cString("transport error")
    case .timeout: return cString("timed out")
    case .http: return cString("HTTP error")
    case .api: return cString("API error")
    case .parse: return cString("malformed response")
    case .aborted: return cString("aborted")
    case .incomplete: return cString("incomplete stream")
    case .internal: return cString("internal error")
    case .tooLarge: return cString("response too large")
    case .stepLimit: return cString("tool loop step limit")
    case nil: return cString("unknown status")
    }
}

@c @implementation
public func kimi_error_status() -> Int32 { LastError.existing?.status.rawValue ?? 0 }

@c @implementation
public func kimi_error_message() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.message) }

@c @implementation
public func kimi_error_http_status() -> Int32 { LastError.existing?.httpStatus ?? 0 }

@c @implementation
public func kimi_error_type() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.type) }

@c @implementation
public func kimi_error_code() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.code) }

@c @implementation
public func kimi_error_request_id() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.requestID) }

@c @implementation
public func kimi_error_retry_after_ms() -> Int64 { LastError.existing?.retryAfterMs ?? -1 }

@c @implementation
public func kimi_error_body() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.body) }

@c @implementation
public func kimi_error_clear() { LastError.existing?.clear() }

@c @implementation
public func kimi_error_kind() -> Int32 { LastError.existing?.kind.rawValue ?? 0 }
