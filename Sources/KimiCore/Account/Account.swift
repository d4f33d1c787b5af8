/// Token estimates, models and the account balance.
public struct Account {
    let client: Client
    private var config: ClientConfig { client.config }

    /// `POST /v1/tokenizers/estimate-token-count` for the request's model and
    /// messages (images and video included).
    public func estimateTokens(_ request: ChatRequest) throws(KimiError) -> Int64 {
        try client.perform(estimateEndpoint(request))
    }

    func estimateEndpoint(_ request: ChatRequest) throws(KimiError) -> Endpoint<Int64> {
        let body = try client.chat.prepareBody(request, for: .estimate)
        return Endpoint(HTTPRequest(method: .post, url: config.base.endpoint("/tokenizers/estimate-token-count"),
                                    headers: config.jsonHeaders, body: body), options: request.callOptions) { root throws(KimiError) in
            guard let tokens = root.member("data")?.member("total_tokens")?.count64 else {
                throw KimiError(.parse, "estimate-token-count answered without a count in data.total_tokens (0 to 2^53)")
            }
            return tokens
        }
    }

    /// `GET /v1/models`, with Kimi's capability fields.
    public func listModels() throws(KimiError) -> [ModelInfo] {
        try client.perform(modelsEndpoint())
    }

    func modelsEndpoint() -> Endpoint<[ModelInfo]> {
        let gate = config.gate
        let windows = client.engine.windows
        return Endpoint(HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders)) { root in
            let models = (root.member("data")?.elements ?? []).map { ModelInfo($0, gate: gate) }
            windows.learn(models)  // context_length bounds max_completion_tokens from now on
            return models
        }
    }

    /// `GET /v1/models/{id}`: one model, as the list has it.
    public func retrieveModel(id: String) throws(KimiError) -> ModelInfo {
        try client.perform(modelEndpoint(id: id))
    }

    func modelEndpoint(id: String) throws(KimiError) -> Endpoint<ModelInfo> {
        let gate = config.gate
        let windows = client.engine.windows
        let url = config.base.endpoint("/models/" + (try pathSegment(id, "model_id")))
        return Endpoint(HTTPRequest(method: .get, url: url, headers: config.jsonHeaders)) { root throws(KimiError) in
            guard root.member("id")?.string != nil else {
                throw KimiError(.parse, "the model answer has no id (not a model object)")
            }
            let model = ModelInfo(root, gate: gate)
            windows.learn([model])
            return model
        }
    }

    /// `GET /v1/users/me/balance`.
    public func balance() throws(KimiError) -> Balance {
        try client.perform(balanceEndpoint())
    }

    func balanceEndpoint() -> Endpoint<Balance> {
        Endpoint(HTTPRequest(method: .get, url: config.base.endpoint("/users/me/balance"), headers: config.jsonHeaders)) {
            root throws(KimiError) in try Balance(root)
        }
    }

    // MARK: - As tasks

    public func estimateTokensTask(_ request: ChatRequest) throws(KimiError) -> Task {
        try client.task(estimateEndpoint(request), TaskResult.count)
    }

    public func listModelsTask() throws(KimiError) -> Task { try client.task(modelsEndpoint(), TaskResult.models) }

    public func retrieveModelTask(id: String) throws(KimiError) -> Task {
        try client.task(modelEndpoint(id: id), TaskResult.model)
    }

    public func balanceTask() throws(KimiError) -> Task { try client.task(balanceEndpoint(), TaskResult.balance) }
}
