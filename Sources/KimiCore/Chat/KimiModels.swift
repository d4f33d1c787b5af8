/// What Kimi documents about its models, in one table: the context window,
/// whether sampling values are fixed, whether `thinking.keep` (Preserved
/// Thinking) is taken, and whether the Batch API serves the model. A model
/// matches the first entry its id starts with, so dated variants of an id
/// ("kimi-k2.6-...") get that id's facts. Ids no entry matches are unknown:
/// their window comes from `GET /v1/models` (see `ModelWindows`) and none of
/// the K2 rules apply to them.
public struct KimiModel: Sendable {
    public let prefix: String
    public let window: Int64
    /// Only the fixed temperature, top_p, n and penalties are accepted.
    public let fixedSampling: Bool
    /// `thinking.keep: "all"` is taken.
    public let preservedThinking: Bool
    /// Lines for this model may go into a batch.
    public let servesBatches: Bool
    /// Where each fact comes from.
    public let source: String

    /// Most specific prefix first.
    public static let table: [KimiModel] = [
        KimiModel(prefix: "kimi-k2.6", window: 262_144, fixedSampling: true, preservedThinking: true, servesBatches: true,
                  source: "window: K2.6 quickstart (256K) and the server's \"exceeded model token limit: 262144\"; fixed sampling: platform.kimi.ai/docs/api/models-overview; keep: the OpenAPI KimiK26ChatRequest.thinking.keep; batches: platform.kimi.ai/docs/guide/use-batch-api"),
        KimiModel(prefix: "kimi-k2.5", window: 262_144, fixedSampling: true, preservedThinking: false, servesBatches: true,
                  source: "window and fixed sampling: platform.kimi.ai/docs/api/models-overview (\"keep exists only on K2.6\"); batches: platform.kimi.ai/docs/guide/use-batch-api"),
        KimiModel(prefix: "kimi-k2", window: 262_144, fixedSampling: false, preservedThinking: false, servesBatches: false,
                  source: "the K2 family's 256K window: platform.kimi.ai/docs/api/models-overview"),
    ]

    /// The facts of `model`, or nil when Kimi documents none.
    public static func named(_ model: String) -> KimiModel? {
        table.first { model.hasPrefix($0.prefix) }
    }

    /// The models whose lines a batch may hold, for messages.
    public static var batchModels: String {
        table.filter(\.servesBatches).map(\.prefix).joined(separator: " and ")
    }
}
