import CKimiHeader
import KimiCore

final class ClientBox {
    let client: Client
    let baseURL: TextBuffer
    init(_ client: Client) {
        self.client = client
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
    object(client, as: ClientBox.self)?.client.close()
    release(client, as: ClientBox.self)
}

@c @implementation
public func kimi_client_base_url(_ client: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(client, as: ClientBox.self)?.baseURL)
}
