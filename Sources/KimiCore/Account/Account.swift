/// Token estimates, models and the account balance.
public struct Account {
    let client: Client
    private var config: ClientConfig { client.config }

    /// `POST /v1/tokenizers/estimate-token-count` for the request's model and
    /// messages (images and video included).
    public func estimateTokens(_ request: ChatRequest) throws(KimiError) -> Int64 {
        let body = try client.chat.prepareBody(request, for: .estimate)
        let root = try client.json(HTTPRequest(method: .post, url: config.base.endpoint("/tokenizers/estimate-token-count"),
                                               headers: config.jsonHeaders, body: body), request.callOptions)
        guard let tokens = root.member("data")?.member("total_tokens")?.count64 else {
            throw KimiError(.parse, "estimate-token-count answered without a count in data.total_tokens (0 to 2^53)")
        }
        return tokens
    }

    /// `GET /v1/models`, with Kimi's capability fields.
    public func listModels() throws(KimiError) -> [ModelInfo] {
        let root = try client.json(HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders))
        let models = (root.member("data")?.elements ?? []).map { ModelInfo($0, gate: config.gate) }
        client.engine.windows.learn(models)  // context_length bounds max_completion_tokens from now on
        return models
    }

    /// `GET /v1/users/me/balance`.
    public func balance() throws(KimiError) -> Balance {
        let root = try client.json(HTTPRequest(method: .get, url: config.base.endpoint("/users/me/balance"),
                                               headers: config.jsonHeaders))
        return try Balance(root)
    }
}
