/// Token estimates, models and the account balance.
extension Client {
    /// `POST /v1/tokenizers/estimate-token-count` for the request's model and
    /// messages (images and video included).
    public func estimateTokens(_ request: ChatRequest) throws(KimiError) -> Int64 {
        let body = try prepareBody(request, for: .estimate)
        let root = try requestJSON(HTTPRequest(method: .post, url: config.base.endpoint("/tokenizers/estimate-token-count"),
                                               headers: config.jsonHeaders, body: body, cancel: request.cancelToken))
        guard let tokens = root.member("data")?.member("total_tokens")?.count64 else {
            throw KimiError(.parse, "estimate-token-count answered without a count in data.total_tokens (0 to 2^53)")
        }
        return tokens
    }

    /// `GET /v1/models`, with Kimi's capability fields.
    public func listModels() throws(KimiError) -> [ModelInfo] {
        let root = try requestJSON(HTTPRequest(method: .get, url: config.base.endpoint("/models"), headers: config.jsonHeaders))
        return (root.member("data")?.elements ?? []).map(ModelInfo.init)
    }

    /// `GET /v1/users/me/balance`.
    public func balance() throws(KimiError) -> Balance {
        let root = try requestJSON(HTTPRequest(method: .get, url: config.base.endpoint("/users/me/balance"),
                                               headers: config.jsonHeaders))
        return try Balance(root)
    }

    /// Runs a request and parses its 2xx body as a JSON object.
    func requestJSON(_ request: HTTPRequest) throws(KimiError) -> JSONValue {
        let transfer = try perform(request)
        switch JSONValue.parse(transfer.body) {
        case .success(let root) where root.isObject:
            return root
        case .success(let root):
            throw KimiError(.parse, "\(request.label) answered with \(root.kindName), expected a JSON object")
        case .failure(let error):
            throw KimiError(.parse, "\(request.label) answered with invalid JSON: \(error.message) at byte \(error.position)")
        }
    }
}
