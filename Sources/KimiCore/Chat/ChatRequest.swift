/// A chat completion request, built field by field or loaded from an
/// OpenAI-style JSON body. Optional fields are sent only when set. A loaded
/// request keeps the text it came from and sends it as it came until a
/// field changes (`fields`, `loaded`); call options are not in the body and
/// change nothing of it.
@dynamicMemberLookup
public struct ChatRequest {
    public static let defaultModel = "kimi-k2.6"

    public enum ThinkingType: String, Sendable { case enabled, disabled }

    public struct Thinking: Sendable {
        public var type: ThinkingType
        /// `"all"` turns on Preserved Thinking; nil leaves `keep` out.
        public var keep: String?
        public init(type: ThinkingType, keep: String? = nil) {
            self.type = type
            self.keep = keep
        }
    }

    public enum ResponseFormat {
        case text
        case jsonObject
        case jsonSchema(name: String, schema: JSONValue, strict: Bool?)
    }

    /// Everything the body says, as fields. A request reads and writes
    /// them as its own (`request.model`, through `subscript(dynamicMember:)`).
    public struct Fields {
        public var model: String
        public var messages: [Message] = []
        public var thinking: Thinking?
        public var maxCompletionTokens: Int64?
        public var maxTokens: Int64?
        public var temperature: Double?
        public var topP: Double?
        public var n: Int64?
        public var presencePenalty: Double?
        public var frequencyPenalty: Double?
        public var responseFormat: ResponseFormat?
        public var stop: [String] = []
        /// `stream_options.include_usage`; only sent on streamed calls.
        public var includeUsage: Bool?
        public var promptCacheKey: String?
        public var safetyIdentifier: String?
        public var tools: [Tool] = []
        public var toolChoice: ToolChoice?
        /// Members of a loaded body (`RequestDecoder`) that are not request
        /// fields, sent after the fields as they came.
        public var unlisted: JSONValue?
        /// Extra members merged into the body last (the caller's extra JSON,
        /// like openai-python's `extra_body`); they win over built ones.
        public var extra: JSONValue?

        public init(model: String) { self.model = model }
    }

    /// The body's fields. Changing any of them, in any way (a setter, a
    /// conversation's turn, a copy edited before it is sent), drops
    /// `loaded`, so what is sent is then the encoder's writing of the
    /// changed request; this observer is the only place that knows it.
    public var fields: Fields { didSet { loaded = nil } }
    /// The JSON text the request was loaded from (`RequestDecoder`), sent as
    /// the body while no field has changed; nil for a built request.
    public internal(set) var loaded: LoadedBody?
    /// The request's own call settings (timeouts, retries, headers, query,
    /// cancel token), over the client's.
    public var callOptions = CallOptions()

    /// Cancels the call this request is used for, from any thread.
    public var cancelToken: CancelToken? {
        get { callOptions.cancel }
        set { callOptions.cancel = newValue }
    }

    public init(model: String = ChatRequest.defaultModel) {
        fields = Fields(model: model)
    }

    @inlinable
    public subscript<T>(dynamicMember field: WritableKeyPath<Fields, T>) -> T {
        get { fields[keyPath: field] }
        _modify { yield &fields[keyPath: field] }
    }

    /// Thinking is on unless the request turns it off (Kimi's default).
    public var thinkingEnabled: Bool { self.thinking?.type != .disabled }
}

/// A request held by reference, so a conversation and the C handle of its
/// request edit the same one.
public final class RequestCell {
    public var request: ChatRequest
    public init(_ request: ChatRequest) { self.request = request }
}
