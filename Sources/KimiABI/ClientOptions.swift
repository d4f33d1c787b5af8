import CKimiHeader
import KimiCore

final class OptionsBox {
    var options = ClientOptions()
}

private func withOptions(_ function: StaticString, _ opts: OpaquePointer?,
                         _ body: (OptionsBox) throws(KimiError) -> Void) -> Int32 {
    callOn(function, opts, "opts", body)
}

@c @implementation
public func kimi_client_options_new() -> OpaquePointer? { handle(OptionsBox()) }

@c @implementation
public func kimi_client_options_free(_ opts: OpaquePointer?) { release(opts, as: OptionsBox.self) }

@c @implementation
public func kimi_client_options_set_api_key(_ opts: OpaquePointer?, _ apiKey: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        let key = try string(apiKey, "api_key")
        try ClientOptions.validateAPIKey(key)
        box.options.apiKey = key
    }
}

@c @implementation
public func kimi_client_options_set_base_url(_ opts: OpaquePointer?, _ baseURL: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        let url = try string(baseURL, "base_url")
        try ClientOptions.validateBaseURL(url)
        box.options.baseURL = url
    }
}

@c @implementation
public func kimi_client_options_set_connect_timeout_ms(_ opts: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.connectTimeoutMs = ms }
}

@c @implementation
public func kimi_client_options_set_timeout_ms(_ opts: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.timeoutMs = ms }
}

@c @implementation
public func kimi_client_options_set_idle_timeout_ms(_ opts: OpaquePointer?, _ ms: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.idleTimeoutMs = ms }
}

@c @implementation
public func kimi_client_options_add_header(_ opts: OpaquePointer?, _ name: UnsafePointer<CChar>?,
                                           _ value: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        let name = try string(name, "name")
        let value = try string(value, "value")
        try ClientOptions.validateHeader(name: name, value: value)
        box.options.headers.append((name, value))
    }
}

@c @implementation
public func kimi_client_options_set_user_agent(_ opts: OpaquePointer?, _ userAgent: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        let agent = try string(userAgent, "user_agent")
        try ClientOptions.validateHeader(name: "User-Agent", value: agent)
        box.options.userAgent = agent
    }
}

@c @implementation
public func kimi_client_options_set_ca_file(_ opts: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in box.options.caFile = try string(path, "path") }
}

@c @implementation
public func kimi_client_options_set_proxy(_ opts: OpaquePointer?, _ proxy: UnsafePointer<CChar>?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        let proxy = try string(proxy, "proxy")
        try ClientOptions.validateProxy(proxy)
        box.options.proxy = proxy
    }
}

@c @implementation
public func kimi_client_options_set_max_response_bytes(_ opts: OpaquePointer?, _ bytes: UInt64) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard bytes > 0, bytes <= UInt64(Int.max / 2) else { throw .invalidArgument("bytes must be between 1 and 2^62") }
        box.options.maxBodyBytes = Int(bytes)
    }
}

@c @implementation
public func kimi_client_options_set_max_event_bytes(_ opts: OpaquePointer?, _ bytes: UInt64) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard bytes > 0, bytes <= UInt64(Int.max / 2) else { throw .invalidArgument("bytes must be between 1 and 2^62") }
        box.options.maxEventBytes = Int(bytes)
    }
}

@c @implementation
public func kimi_client_options_set_max_retries(_ opts: OpaquePointer?, _ retries: UInt32) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard retries <= 100 else { throw .invalidArgument("retries: \(retries) is over 100") }
        box.options.retry.maxRetries = retries
    }
}

@c @implementation
public func kimi_client_options_set_retry_delay_ms(_ opts: OpaquePointer?, _ baseMs: UInt32, _ maxMs: UInt32) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard baseMs <= maxMs else { throw .invalidArgument("base_ms: \(baseMs) is over max_ms (\(maxMs))") }
        box.options.retry.baseDelayMs = baseMs
        box.options.retry.maxDelayMs = maxMs
    }
}

@c @implementation
public func kimi_client_options_set_max_connections(_ opts: OpaquePointer?, _ n: UInt32) -> Int32 {
    withOptions(#function, opts) { box in box.options.maxConnections = n }
}

@c @implementation
public func kimi_client_options_set_coalesce_us(_ opts: OpaquePointer?, _ us: UInt32) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard us <= ClientOptions.maxCoalesceMicros else {
            throw .invalidArgument("us: \(us) is over \(ClientOptions.maxCoalesceMicros) (100 ms)")
        }
        box.options.coalesceMicros = us
    }
}

@c @implementation
public func kimi_client_options_set_kimi_rules(_ opts: OpaquePointer?, _ enabled: Int32) -> Int32 {
    withOptions(#function, opts) { box in box.options.kimiRules = enabled != 0 }
}

@c @implementation
public func kimi_client_options_set_auto_upload(_ opts: OpaquePointer?, _ enabled: Int32) -> Int32 {
    withOptions(#function, opts) { box in box.options.autoUpload = enabled != 0 }
}

@c @implementation
public func kimi_client_options_set_log(_ opts: OpaquePointer?, _ level: Int32, _ cb: kimi_log_cb?,
                                        _ userData: UnsafeMutableRawPointer?) -> Int32 {
    withOptions(#function, opts) { box throws(KimiError) in
        guard level == 0 || LogLevel(rawValue: level) != nil else {
            throw .invalidArgument("level: \(level) is not a KIMI_LOG_* value (0-4)")
        }
        guard let chosen = LogLevel(rawValue: level) else {
            box.options.logLevel = nil
            box.options.logSink = { _, _ in }
            return
        }
        box.options.logLevel = chosen
        guard let cb else {
            box.options.logSink = nil
            return
        }
        let address = userData.map { UInt(bitPattern: $0) }
        box.options.logSink = { level, message in
            message.withCString { cb(level.rawValue, $0, address.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }) }
        }
    }
}
