/// Prices in US dollars: tokens per million, and `$web_search` per call.
/// Kimi bills input tokens served from its context cache at the cached rate
/// and the rest at the input rate, and each `$web_search` call it makes
/// (a response ending in a `$web_search` tool call) at a flat fee.
public struct Pricing: Sendable, Equatable {
    public var inputPerMillion: Double
    public var cachedInputPerMillion: Double
    public var outputPerMillion: Double
    public var webSearchPerCall: Double

    public init(inputPerMillion: Double, cachedInputPerMillion: Double, outputPerMillion: Double,
                webSearchPerCall: Double = Pricing.webSearchFee) {
        self.inputPerMillion = inputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.outputPerMillion = outputPerMillion
        self.webSearchPerCall = webSearchPerCall
    }

    /// Kimi K2.6's token prices as the platform.kimi.ai pricing page listed
    /// them when they were written in (third-party listings differ: set
    /// your own), and the `$web_search` fee.
    public static let kimiK26 = Pricing(inputPerMillion: 0.60, cachedInputPerMillion: 0.15, outputPerMillion: 3.00)
    /// `$web_search`: $0.005 per successful call, charged for a response
    /// with finish_reason "tool_calls" calling it (platform.kimi.ai/docs/pricing/tools).
    public static let webSearchFee = 0.005

    /// Refuses prices that cannot be right (negative, NaN, infinite).
    public func validated() throws(KimiError) -> Pricing {
        for (name, value) in [("input", inputPerMillion), ("cached input", cachedInputPerMillion),
                              ("output", outputPerMillion)] where !(value.isFinite && value >= 0) {
            throw .invalidArgument("\(name) price: \(value) is not a finite price of 0 or more (USD per million tokens)")
        }
        guard webSearchPerCall.isFinite && webSearchPerCall >= 0 else {
            throw .invalidArgument("web search price: \(webSearchPerCall) is not a finite price of 0 or more (USD per call)")
        }
        return self
    }

    /// The cost of `usage`: uncached input (prompt - cached) at the input
    /// rate, cached input at the cached rate, completion at the output rate;
    /// and `webSearches` calls at the web search fee. Counts the server left
    /// out (-1) cost nothing.
    public func cost(of usage: Usage, webSearches: Int64 = 0) -> Double {
        let prompt = max(usage.promptTokens, 0)
        let cached = min(max(usage.cachedTokens, 0), prompt)
        let completion = max(usage.completionTokens, 0)
        return (Double(prompt - cached) * inputPerMillion + Double(cached) * cachedInputPerMillion
            + Double(completion) * outputPerMillion) / 1_000_000 + Double(max(webSearches, 0)) * webSearchPerCall
    }
}
