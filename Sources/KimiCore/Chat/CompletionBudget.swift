import Synchronization

/// The completion budget under Kimi's rules: `max_tokens` is deprecated and
/// not honoured by Kimi, so it is sent as `max_completion_tokens`; the
/// budget must fit the model's context window, which prompt and completion
/// share; and `fit` sets it to what still fits after the prompt.
enum CompletionBudget {
    /// Folds `max_tokens` into `max_completion_tokens` (the extra JSON's
    /// members are fields by now: `ChatRequest.folded`). Returns true when
    /// `max_tokens` was moved; both given with different values is an error.
    static func settle(_ request: inout ChatRequest) throws(KimiError) -> Bool {
        guard let maxTokens = request.maxTokens else { return false }
        if let limit = request.maxCompletionTokens, limit != maxTokens {
            throw .invalidArgument("max_tokens: \(maxTokens) and max_completion_tokens: \(limit) disagree; Kimi honours only max_completion_tokens (max_tokens is deprecated), so set that one alone", hint: .useMaxCompletionTokens)
        }
        request.maxCompletionTokens = maxTokens
        request.maxTokens = nil
        return true
    }

    /// `max_completion_tokens` over the model's context window is refused.
    static func checkWindow(_ request: ChatRequest, windows: ModelWindows) throws(KimiError) {
        guard let limit = request.maxCompletionTokens, let window = windows.window(of: request.model),
              limit > window else { return }
        throw .invalidArgument("max_completion_tokens: \(limit) is more than \(request.model)'s whole context window of \(window) tokens, which the prompt and the completion share; ask for less, or let the library fit it to what the prompt leaves", hint: .fitMaxCompletionTokens)
    }

    /// What tool definitions take of the window, at most: one token per
    /// byte of their JSON (a token of Kimi's byte-level tokenizer covers at
    /// least one byte). The token-estimate endpoint counts messages only.
    static func toolTokenBound(_ request: ChatRequest) -> Int64 {
        guard !request.tools.isEmpty else { return 0 }
        var alone = ChatRequest(model: request.model)
        alone.tools = request.tools
        let withTools = RequestEncoder.encode(alone, for: .create).count
        alone.tools = []
        return Int64(withTools - RequestEncoder.encode(alone, for: .create).count)
    }
}

/// The context windows a client knows: the documented ones
/// (`KimiModel.table`), and whatever `GET /v1/models` reported once the
/// client has listed them; and the notices of Kimi's rules already logged
/// (each once per client). Shared by a client and its views; thread-safe.
final class ModelWindows: @unchecked Sendable {
    private let lock = Lock()
    private var listed: [String: Int64] = [:]
    private var noticed: Set<String> = []
    /// Set once the "max_tokens was sent as max_completion_tokens" notice
    /// has been logged (once per client).
    let maxTokensNoticed = Atomic<Bool>(false)

    /// The window of `model`, or nil when it is not known.
    func window(of model: String) -> Int64? {
        if let known = lock.withLock({ listed[model] }) { return known }
        return KimiModel.named(model)?.window
    }

    /// True the first time it is asked about `notice` (a field name, say),
    /// so a line about it is logged once per client. The set is capped: a
    /// caller inventing names without end gets no more lines, not more memory.
    func firstNotice(of notice: String) -> Bool {
        lock.withLock {
            guard noticed.count < 1024 else { return false }
            return noticed.insert(notice).inserted
        }
    }

    /// Remembers the windows a model list reported.
    func learn(_ models: [ModelInfo]) {
        lock.withLock {
            for model in models where model.contextLength > 0 { listed[model.id.string] = model.contextLength }
        }
    }
}

extension Chat {
    /// Sets `request`'s `max_completion_tokens` to what its model's window
    /// leaves after the prompt (as the token-estimate endpoint counts it),
    /// never more than the caller's own value; returns it.
    /// Tool definitions take prompt tokens too; the estimate endpoint does
    /// not count them, so they are added at `toolTokenBound`, an upper bound.
    /// The request's extra JSON is read into its fields first (`folded`).
    public func fitMaxCompletionTokens(_ request: inout ChatRequest) throws(KimiError) -> Int64 {
        var (endpoint, fitting) = try fitEndpoint(request)
        let fitted = try client.perform(endpoint)
        fitting.maxCompletionTokens = fitted
        request = fitting
        return fitted
    }

    /// `fitMaxCompletionTokens` as a task; the result is the fitted budget
    /// (`.count`); the request is not changed.
    public func fitMaxCompletionTokensTask(_ request: ChatRequest) throws(KimiError) -> Task {
        try client.task(try fitEndpoint(request).endpoint, TaskResult.count)
    }

    /// The call that fits the budget (a token estimate whose answer is read
    /// as the budget the window leaves), and the request as it is sent
    /// (folded, `max_tokens` settled). Its errors before the call: a model
    /// whose window is not known.
    /// They quote the caller's model (which may hold the key) and pass the
    /// client's gate, as errors of the call do.
    private func fitEndpoint(_ request: ChatRequest) throws(KimiError) -> (endpoint: Endpoint<Int64>, fitting: ChatRequest) {
        try client.config.gate.admitting { () throws(KimiError) in try buildFitEndpoint(request) }
    }

    private func buildFitEndpoint(_ request: ChatRequest) throws(KimiError) -> (endpoint: Endpoint<Int64>, fitting: ChatRequest) {
        var fitting = try request.folded()
        _ = try CompletionBudget.settle(&fitting)
        guard let window = client.engine.windows.window(of: fitting.model) else {
            throw .invalidArgument("model: the context window of \(quoted(fitting.model)) is not known; list the models first (their context_length is remembered), or set max_completion_tokens yourself")
        }
        var counted = fitting
        counted.maxCompletionTokens = nil  // the prompt is counted, not the budget
        let estimate = try client.account.estimateEndpoint(counted)
        let tools = CompletionBudget.toolTokenBound(fitting)
        let (model, limit) = (fitting.model, fitting.maxCompletionTokens ?? Int64.max)
        let endpoint = Endpoint<Int64>(estimate.request, options: estimate.options) { root throws(KimiError) in
            let messages = try estimate.decode(root)
            let prompt = messages.saturatingAdd(tools)
            guard prompt < window else {
                let what = tools > 0 ? "the prompt alone takes \(prompt) tokens (\(messages) for the messages, at most \(tools) for the tool definitions)" : "the prompt alone takes \(prompt) tokens"
                throw .invalidArgument("messages: \(what) of \(model)'s \(window)-token context window, leaving nothing for the completion; shorten the messages\(tools > 0 ? " or the tools" : "")")
            }
            return min(window - prompt, limit)
        }
        return (endpoint, fitting)
    }
}
