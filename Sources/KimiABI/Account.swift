import CKimiHeader
import KimiCore

final class ModelBox {
    let model: ModelInfo
    init(_ model: ModelInfo) { self.model = model }
}

final class ModelListBox {
    let models: [ModelBox]
    init(_ models: [ModelInfo]) { self.models = models.map(ModelBox.init) }
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

@c @implementation
public func kimi_model_retrieve(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(ModelBox(try client.account.retrieveModel(id: try string(id, "model_id"))))
    }
}

private func info(_ model: OpaquePointer?) -> ModelInfo? { object(model, as: ModelBox.self)?.model }

@c @implementation
public func kimi_model_id(_ model: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(info(model)?.id) }

@c @implementation
public func kimi_model_owned_by(_ model: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(info(model)?.ownedBy) }

@c @implementation
public func kimi_model_created(_ model: OpaquePointer?) -> Int64 { info(model)?.created ?? 0 }

@c @implementation
public func kimi_model_context_length(_ model: OpaquePointer?) -> Int64 { info(model)?.contextLength ?? -1 }

@c @implementation
public func kimi_model_supports_image_in(_ model: OpaquePointer?) -> Int32 { info(model)?.supportsImageIn == true ? 1 : 0 }

@c @implementation
public func kimi_model_supports_video_in(_ model: OpaquePointer?) -> Int32 { info(model)?.supportsVideoIn == true ? 1 : 0 }

@c @implementation
public func kimi_model_supports_reasoning(_ model: OpaquePointer?) -> Int32 {
    info(model)?.supportsReasoning == true ? 1 : 0
}

@c @implementation
public func kimi_model_free(_ model: OpaquePointer?) { release(model, as: ModelBox.self) }

private func model(_ list: OpaquePointer?, _ i: Int) -> ModelInfo? {
    guard let models = object(list, as: ModelListBox.self)?.models, i >= 0, i < models.count else { return nil }
    return models[i].model
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
public func kimi_model_list_get(_ list: OpaquePointer?, _ i: Int) -> OpaquePointer? {
    borrowedHandle(object(list, as: ModelListBox.self)?.models, i)
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
