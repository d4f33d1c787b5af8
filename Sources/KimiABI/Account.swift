import CKimiHeader
import KimiCore

final class ModelListBox {
    let models: [ModelInfo]
    init(_ models: [ModelInfo]) { self.models = models }
}

@c @implementation
public func kimi_chat_estimate_tokens(_ client: OpaquePointer?, _ req: OpaquePointer?,
                                      _ tokensOut: UnsafeMutablePointer<Int64>?) -> Int32 {
    tokensOut?.pointee = -1
    return call(#function) { () throws(KimiError) in
        guard let tokensOut else { throw .invalidArgument("tokens_out must not be NULL") }
        let client = try require(client, "client", as: ClientBox.self).client
        tokensOut.pointee = try client.account.estimateTokens(try require(req, "req", as: RequestBox.self).request)
    }
}

@c @implementation
public func kimi_models_list(_ client: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(ModelListBox(try client.account.listModels()))
    }
}

private func model(_ list: OpaquePointer?, _ i: Int) -> ModelInfo? {
    guard let models = object(list, as: ModelListBox.self)?.models, i >= 0, i < models.count else { return nil }
    return models[i]
}

@c @implementation
public func kimi_model_list_count(_ list: OpaquePointer?) -> Int { object(list, as: ModelListBox.self)?.models.count ?? 0 }

@c @implementation
public func kimi_model_list_id(_ list: OpaquePointer?, _ i: Int) -> UnsafePointer<CChar>? { borrowed(model(list, i)?.id) }

@c @implementation
public func kimi_model_list_context_length(_ list: OpaquePointer?, _ i: Int) -> Int64 { model(list, i)?.contextLength ?? -1 }

@c @implementation
public func kimi_model_list_supports_image_in(_ list: OpaquePointer?, _ i: Int) -> Int32 {
    model(list, i)?.supportsImageIn == true ? 1 : 0
}

@c @implementation
public func kimi_model_list_supports_video_in(_ list: OpaquePointer?, _ i: Int) -> Int32 {
    model(list, i)?.supportsVideoIn == true ? 1 : 0
}

@c @implementation
public func kimi_model_list_supports_reasoning(_ list: OpaquePointer?, _ i: Int) -> Int32 {
    model(list, i)?.supportsReasoning == true ? 1 : 0
}

@c @implementation
public func kimi_model_list_free(_ list: OpaquePointer?) { release(list, as: ModelListBox.self) }

@c @implementation
public func kimi_balance_get(_ client: OpaquePointer?, _ availableOut: UnsafeMutablePointer<Double>?,
                             _ voucherOut: UnsafeMutablePointer<Double>?, _ cashOut: UnsafeMutablePointer<Double>?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let balance = try client.account.balance()
        availableOut?.pointee = balance.available
        voucherOut?.pointee = balance.voucher
        cashOut?.pointee = balance.cash
    }
}
