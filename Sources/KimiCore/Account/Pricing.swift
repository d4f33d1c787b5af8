/// Prices in US dollars per million tokens. Kimi bills input tokens served
/// from its context cache at the cached rate and the rest at the input rate.
public struct Pricing: Sendable, Equatable {
    public var inputPerMillion: Double
    public var cachedInputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, cachedInputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    /// Kimi K2.6's published prices (platform.kimi.ai pricing page).
    public static let kimiK26 = Pricing(inputPerMillion: 0.60, cachedInputPerMillion: 0.15, outputPerMillion: 3.00)

    /// Refuses prices that cannot be right (negative, NaN, infinite).
    public func validated() throws(KimiError) -> Pricing {
        for (name, value) in [("input", inputPerMillion), ("cached input", cachedInputPerMillion),
                              ("output", outputPerMillion)] where !(value.isFinite && value >= 0) {
            throw .invalidArgument("\(name) price: \(value) is not a finite price of 0 or more (USD per million tokens)")
        }
        return self
    }

    /// The cost of `usage`: uncached input (prompt - cached) at the input
    /// rate, cached input at the cached rate, completion at the output rate.
    /// Counts the server left out (-1) cost nothing.
    public func cost(of usage: Usage) -> Double {
        let prompt = max(usage.promptTokens, 0)
        let cached = min(max(usage.cachedTokens, 0), prompt)
        let completion = max(usage.completionTokens, 0)
        return (Double(prompt - cached) * inputPerMillion + Double(cached) * cachedInputPerMillion
            + Double(completion) * outputPerMillion) / 1_000_000
    }
}
