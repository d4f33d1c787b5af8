import CKimiHeader
import KimiCore

final class CallOptionsBox {
    var options = CallOptions()
}

private func withOptions(_ function: StaticString, _ opts: OpaquePointer?,
                         _ body: (CallOptionsBox) throws(KimiError) -> Void) -> Int32 {
    callOn(function, opts, "opts", body)
}

@c @implementation
public func kimi_call_options_new() -> OpaquePointer? { handle(CallOptionsBox()) }

@c @implementation
public func kimi_call_options_free(_ opts: OpaquePointer?) { release(opts, as: CallOptionsBox.self) }

@c @implementation
public func kimi_call_options_set_timeout_ms(_ opts: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.timeoutMs = ms }
}

@c @implementation
public func kimi_call_options_set_idle_timeout_ms(_ opts: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.idleTimeoutMs = ms }
}

@c @implementation
public func kimi_call_options_set_max_retries(_ opts: OpaquePointer?, _ n: Int32) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in try box.options.setMaxRetries(n) }
}

@c @implementation
public func kimi_call_options_add_header(_ opts: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                         _ value: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        try box.options.addHeader(name: try string(name, "name"), value: try string(value, "value"))
    }
}

@c @implementation
public func kimi_call_options_add_query(_ opts: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                        _ value: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        try box.options.addQuery(name: try string(name, "name"), value: try string(value, "value"))
    }
}

@c @implementation
public func kimi_call_options_set_cancel_token(_ opts: OpaquePointer?, _ token: OpaquePointer?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        box.options.cancel = token == nil ? nil : try require(token, "token", as: CancelTokenBox.self).token
    }
}
