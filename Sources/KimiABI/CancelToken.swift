import CKimiHeader
import KimiCore

final class CancelTokenBox {
    let token = CancelToken()
}

@c @implementation
public func kimi_cancel_token_new() -> OpaquePointer? { handle(CancelTokenBox()) }

@c @implementation
public func kimi_cancel_token_cancel(_ token: OpaquePointer?) {
    object(token, as: CancelTokenBox.self)?.token.cancel()
}

@c @implementation
public func kimi_cancel_token_is_cancelled(_ token: OpaquePointer?) -> Int32 {
    object(token, as: CancelTokenBox.self)?.token.isCancelled == true ? 1 : 0
}

@c @implementation
public func kimi_cancel_token_reset(_ token: OpaquePointer?) {
    object(token, as: CancelTokenBox.self)?.token.reset()
}

@c @implementation
public func kimi_cancel_token_free(_ token: OpaquePointer?) { release(token, as: CancelTokenBox.self) }

@c @implementation
public func kimi_chat_request_set_cancel_token(_ req: OpaquePointer?, _ token: OpaquePointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let box = try require(req, "req", as: RequestBox.self)
        box.request.cancelToken = token == nil ? nil : try require(token, "token", as: CancelTokenBox.self).token
    }
}
