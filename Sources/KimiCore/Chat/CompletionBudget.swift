import Synchronization

/// The completion budget under Kimi's rules: `max_tokens` is deprecated and
/// not honoured by Kimi, so it is sent as `max_completion_tokens`; the
/// budget must fit the model's context window, which prompt and completion
/// share; and `fit` sets it to what still fits after the prompt.
enum CompletionBudget {
    /// Folds `max_tokens` (a field, or a member of the extra JSON) into
    /// `max_completion_tokens`. Returns true when `max_tokens` was moved;
    /// both given with different values is an error.
    static func settle(_ request: inout ChatRequest) throws(KimiError) -> Bool {
        let extraLimit = try extraCount(request, "max_completion_tokens")
        let extraMaxTokens = try extraCount(request, "max_tokens")
        guard let maxTokens = extraMaxTokens ?? request.maxTokens else { return false }
        if let limit = extraLimit ?? request.maxCompletionTokens {
            guard limit == maxTokens else {
                throw .invalidArgument("max_tokens: \(maxTokens) and max_completion_tokens: \(limit) disagree; Kimi honours only max_completion_tokens (max_tokens is deprecated), so set that one alone", hint: .useMaxCompletionTokens)
            }
        }
        request.maxCompletionTokens = maxTokens
        request.maxTokens = nil
        if extraMaxTokens != nil || extraLimit != nil {
            request.extra = request.extra.flatMap { extra in
                JSONValue.object(extra.members.filter { $0.key != "max_tokens" && $0.key != "max_completion_tokens" })
            }
            if request.extra?.count == 0 { request.extra = nil }
        }
        return true
    }

    /// `max_completion_tokens` over the model's context window is refused.
    static func checkWindow(_ request: ChatRequest, windows: ModelWindows) throws(KimiError) {
        guard let limit = try extraCount(request, "max_completion_tokens") ?? request.maxCompletionTokens,
              let window = windows.window(of: request.model), limit > window else { return }
        throw .invalidArgument("max_completion_tokens: \(limit) is more than \(request.model)'s whole context window of \(window) tokens, which the prompt and the completion share; ask for less, or let the library fit it to what the prompt leaves", hint: .fitMaxCompletionTokens)
    }

    /// An integer member of the extra JSON, or nil when there is none.
    private static func extraCount(_ request: ChatRequest, _ key: String) throws(KimiError) -> Int64? {
        guard let value = request.extra?.member(key), !value.isNull else { return nil }
        guard let count = value.count64, count > 0 else {
            throw .invalidArgument("\(key): must be a positive integer, got \(value.jsonText.prefix(40))")
        }
        return count
    }
}

/// The context windows a client knows: Kimi's K2 models' documented
/// 262,144 tokens, and whatever `GET /v1/models` reported once the client
/// has listed them. Shared by a client and its views; thread-safe.
final class ModelWindows: @unchecked Sendable {
    /// K2.6's (and the K2 family's) window.
    static let k2Window: Int64 = 262_144

    private let lock = Lock()
    private var listed: [String: Int64] = [:]
    /// Set once the "max_tokens was sent as max_completion_tokens" notice
    /// has been logged (once per client).
    let maxTokensNoticed = Atomic<Bool>(false)

    /// The window of `model`, or nil when it is not known.
    func window(of model: String) -> Int64? {
        if let known = lock.withLock({ listed[model] }) { return known }
        return model.hasPrefix("kimi-k2") ? ModelWindows.k2Window : nil
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
    public func fitMaxCompletionTokens(_ request: inout ChatRequest) throws(KimiError) -> Int64 {
        _ = try CompletionBudget.settle(&request)
        guard let window = client.engine.windows.window(of: request.model) else {
            throw .invalidArgument("model: the context window of \"\(request.model)\" is not known; list the models first (their context_length is remembered), or set max_completion_tokens yourself")
        }
        var counted = request
        counted.maxCompletionTokens = nil  // the prompt is counted, not the budget
        let prompt = try client.account.estimateTokens(counted)
        guard prompt < window else {
            throw .invalidArgument("messages: the prompt alone takes \(prompt) tokens of \(request.model)'s \(window)-token context window, leaving nothing for the completion; shorten the messages")
        }
        let fitted = min(window - prompt, request.maxCompletionTokens ?? Int64.max)
        request.maxCompletionTokens = fitted
        return fitted
    }
}
