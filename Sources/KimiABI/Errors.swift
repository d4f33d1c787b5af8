import CKimiHeader
import KimiCore

@c @implementation
public func kimi_status_str(_ status: Int32) -> UnsafePointer<CChar>? {
    cString(Status(rawValue: status)?.summary ?? "unknown status")
}

@c @implementation
public func kimi_error_status() -> Int32 { LastError.existing?.status.rawValue ?? 0 }

@c @implementation
public func kimi_error_message() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.message) }

@c @implementation
public func kimi_error_detail() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.detail) }

@c @implementation
public func kimi_error_hint() -> UnsafePointer<CChar>? { borrowed(LastError.existing?.hint) }

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
public func kimi_error_header(_ name: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    LastError.existing?.headers.value(named: name) ?? emptyCString
}

@c @implementation
public func kimi_error_header_count() -> Int { LastError.existing?.headers.count ?? 0 }

@c @implementation
public func kimi_error_header_name(_ i: Int) -> UnsafePointer<CChar>? { LastError.existing?.headers.name(at: i) ?? emptyCString }

@c @implementation
public func kimi_error_header_value(_ i: Int) -> UnsafePointer<CChar>? { LastError.existing?.headers.value(at: i) ?? emptyCString }

@c @implementation
public func kimi_error_clear() { LastError.existing?.clear() }

@c @implementation
public func kimi_error_kind() -> Int32 { LastError.existing?.kind.rawValue ?? 0 }
