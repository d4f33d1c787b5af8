/// A connection to the Kimi API: a small facade over the client's engine
/// and its features. Immutable after creation and safe to share between
/// threads.
///
/// A client can make views of itself (`with`) that share its connections,
/// event loop and usage totals but apply call options of their own to
/// every call made through them (a timeout, headers, a cancel token), as
/// openai-python's `client.with_options()` does.
public final class Client: @unchecked Sendable {
    let engine: Engine
    /// The call options this view applies to every call (empty for a client
    /// made from options).
    public let defaults: CallOptions

    public convenience init(options: ClientOptions = ClientOptions()) throws(KimiError) {
        self.init(engine: Engine(config: try ClientConfig(options)), defaults: CallOptions())
    }

    private init(engine: Engine, defaults: CallOptions) {
        self.engine = engine
        self.defaults = defaults
    }

    /// A view of this client with `options` over its own.
    public func with(_ options: CallOptions) -> Client {
        Client(engine: engine, defaults: defaults.overridden(by: options))
    }

    public var config: ClientConfig { engine.config }
    /// Usage and cost of every response the client and its views produced.
    public var usage: UsageMeter { engine.usage }

    public var chat: Chat { Chat(client: self) }
    public var files: Files { Files(client: self) }
    public var batches: Batches { Batches(client: self) }
    public var account: Account { Account(client: self) }

    /// Ends the client's tasks (each with `.aborted`) and its event loop.
    /// Blocking calls still work afterwards; a new task starts a new loop.
    public func close() { engine.close() }

    /// A call of `request` with `options` over this view's; its 2xx body
    /// goes to `sink`.
    func call(_ request: HTTPRequest, _ options: CallOptions = CallOptions(),
              sink: BodySink = WholeBody.shared) throws(KimiError) -> Call {
        try Call(request, config: config, options: defaults.overridden(by: options), sink: sink)
    }

    /// Runs `request` on the calling thread; its answer's JSON object.
    func json(_ request: HTTPRequest, _ options: CallOptions = CallOptions()) throws(KimiError) -> JSONValue {
        try engine.performJSON(call(request, options))
    }
}
