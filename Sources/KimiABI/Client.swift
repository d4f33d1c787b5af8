import CKimiHeader
import KimiCore

final class ClientBox {
    let client: Client
    let baseURL: TextBuffer
    /// A view made by kimi_client_with_options: freeing it leaves the
    /// client's tasks and loop alone.
    let isView: Bool
    init(_ client: Client, isView: Bool = false) {
        self.client = client
        self.isView = isView
        baseURL = TextBuffer(client.config.baseURL)
    }
}

@c @implementation
public func kimi_client_new(_ opts: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        var options = ClientOptions()
        if opts != nil { options = try require(opts, "opts", as: OptionsBox.self).options }
        return handle(ClientBox(try Client(options: options)))
    }
}

@c @implementation
public func kimi_client_free(_ client: OpaquePointer?) {
    if let box = object(client, as: ClientBox.self), !box.isView { box.client.close() }
    release(client, as: ClientBox.self)
}

@c @implementation
public func kimi_client_with_options(_ client: OpaquePointer?, _ opts: OpaquePointer?,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let options = try require(opts, "opts", as: CallOptionsBox.self).options
        return handle(ClientBox(client.with(options), isView: true))
    }
}

@c @implementation
public func kimi_client_base_url(_ client: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(payload: object(client, as: ClientBox.self)?.baseURL)
}
