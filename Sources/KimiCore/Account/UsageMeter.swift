/// A client's running usage totals. Every response the client produces
/// (chat, stream, task, batch line) is recorded once; thread-safe.
public final class UsageMeter: @unchecked Sendable {
    public struct Totals: Sendable, Equatable {
        public var promptTokens: Int64 = 0
        public var cachedTokens: Int64 = 0
        public var completionTokens: Int64 = 0
        /// `$web_search` calls billed (see `ChatResponse.webSearchCalls`).
        public var webSearchCalls: Int64 = 0
        /// Responses recorded (with or without usage).
        public var responses: Int64 = 0
        public var costUSD: Double = 0
        public init() {}
    }

    public let pricing: Pricing
    private let lock = Lock()
    private var totals = Totals()
    /// Per batch id, how many result lines were already counted, so reading
    /// a batch's results again does not count them twice.
    private var batchLinesCounted: [String: Int] = [:]

    init(pricing: Pricing) { self.pricing = pricing }

    public var current: Totals { lock.withLock { totals } }

    public func reset() {
        lock.withLock {
            totals = Totals()
            batchLinesCounted = [:]
        }
    }

    /// Prices `response` with this client's pricing and adds it to the
    /// totals, unless it was recorded before.
    func record(_ response: ChatResponse) {
        lock.withLock {
            guard !response.accounted else { return }
            response.accounted = true
            response.pricing = pricing
            add(response)
        }
    }

    /// Records the response of result line `line` (0-based) of a batch once,
    /// however often its results are read.
    func record(_ response: ChatResponse, batch id: String, line: Int) {
        lock.withLock {
            response.pricing = pricing
            guard !response.accounted, line >= batchLinesCounted[id, default: 0] else { return }
            response.accounted = true
            batchLinesCounted[id] = line + 1
            add(response)
        }
    }

    /// Counts are at most 2^53 each (the decoders drop larger ones), and the
    /// sums saturate, so no response, however odd, can overflow the totals.
    private func add(_ response: ChatResponse) {
        let usage = response.usage
        let searches = response.webSearchCalls
        totals.responses = totals.responses.saturatingAdd(1)
        totals.webSearchCalls = totals.webSearchCalls.saturatingAdd(searches)
        let prompt = max(usage.promptTokens, 0)
        totals.promptTokens = totals.promptTokens.saturatingAdd(prompt)
        totals.cachedTokens = totals.cachedTokens.saturatingAdd(min(max(usage.cachedTokens, 0), prompt))
        totals.completionTokens = totals.completionTokens.saturatingAdd(max(usage.completionTokens, 0))
        totals.costUSD += pricing.cost(of: usage, webSearches: searches)
    }
}
