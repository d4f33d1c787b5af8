import CKimiHeader
import KimiCore

@c @implementation
public func kimi_client_options_set_pricing(_ opts: OpaquePointer?, _ input: Double, _ cachedInput: Double,
                                            _ output: Double) -> Int32 {
    call(#function) { () throws(KimiError) in
        let box = try require(opts, "opts", as: OptionsBox.self)
        box.options.pricing = try Pricing(inputPerMillion: input, cachedInputPerMillion: cachedInput,
                                          outputPerMillion: output,
                                          webSearchPerCall: box.options.pricing.webSearchPerCall).validated()
    }
}

@c @implementation
public func kimi_chat_response_cost_usd(_ resp: OpaquePointer?) -> Double {
    object(resp, as: ResponseBox.self)?.response.costUSD ?? 0
}

private func totals(_ client: OpaquePointer?) -> UsageMeter.Totals {
    object(client, as: ClientBox.self)?.client.usage.current ?? UsageMeter.Totals()
}

@c @implementation
public func kimi_client_usage_prompt_tokens(_ client: OpaquePointer?) -> Int64 { totals(client).promptTokens }

@c @implementation
public func kimi_client_usage_cached_tokens(_ client: OpaquePointer?) -> Int64 { totals(client).cachedTokens }

@c @implementation
public func kimi_client_usage_completion_tokens(_ client: OpaquePointer?) -> Int64 { totals(client).completionTokens }

@c @implementation
public func kimi_client_usage_responses(_ client: OpaquePointer?) -> Int64 { totals(client).responses }

@c @implementation
public func kimi_client_usage_cost_usd(_ client: OpaquePointer?) -> Double { totals(client).costUSD }

@c @implementation
public func kimi_client_usage_reset(_ client: OpaquePointer?) { object(client, as: ClientBox.self)?.client.usage.reset() }

@c @implementation
public func kimi_client_options_set_web_search_price(_ opts: OpaquePointer?, _ usdPerCall: Double) -> Int32 {
    call(#function) { () throws(KimiError) in
        let box = try require(opts, "opts", as: OptionsBox.self)
        var pricing = box.options.pricing
        pricing.webSearchPerCall = usdPerCall
        box.options.pricing = try pricing.validated()
    }
}

@c @implementation
public func kimi_chat_response_web_search_calls(_ resp: OpaquePointer?) -> Int64 {
    object(resp, as: ResponseBox.self)?.response.webSearchCalls ?? 0
}

@c @implementation
public func kimi_client_usage_web_search_calls(_ client: OpaquePointer?) -> Int64 { totals(client).webSearchCalls }
