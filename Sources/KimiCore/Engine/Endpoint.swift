/// One request of an endpoint answered with a JSON object, and what its
/// answer means. Each endpoint is written once: a blocking call performs it
/// on the caller's thread (`Client.perform`), a task runs it on the client's
/// loop (`Client.task`).
struct Endpoint<Value> {
    var request: HTTPRequest
    var options = CallOptions()
    let decode: (JSONValue) throws(KimiError) -> Value

    init(_ request: HTTPRequest, options: CallOptions = CallOptions(),
         decode: @escaping (JSONValue) throws(KimiError) -> Value) {
        self.request = request
        self.options = options
        self.decode = decode
    }
}

extension Client {
    /// Runs `endpoint` on the calling thread; its decoded answer. An error
    /// made before the call or by the decoding (they quote the caller's own
    /// values: a path, an id, a model, which may hold the key) passes the
    /// client's gate, as one from the call's end does.
    func perform<Value>(_ endpoint: @autoclosure () throws(KimiError) -> Endpoint<Value>) throws(KimiError) -> Value {
        try config.gate.admitting { () throws(KimiError) in
            let endpoint = try endpoint()
            return try endpoint.decode(json(endpoint.request, endpoint.options))
        }
    }

    /// `endpoint` as a task; `result` wraps its decoded answer. An error
    /// made before the task starts passes the client's gate (`perform`).
    func task<Value>(_ endpoint: @autoclosure () throws(KimiError) -> Endpoint<Value>,
                     _ result: @escaping (Value) -> TaskResult) throws(KimiError) -> Task {
        try config.gate.admitting { () throws(KimiError) in try Task(JSONJob(client: self, try endpoint(), result), engine: engine) }
    }
}

/// A job of one JSON call (a file's details, a model list, a balance...);
/// an upload's progress goes out as `.progress` events.
final class JSONJob<Value>: Job {
    private let client: Client
    private let endpoint: Endpoint<Value>
    private let wrap: (Value) -> TaskResult
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }
    /// Hands the current event on (set by the task at start).
    private var deliver: (() -> Bool)?

    init(client: Client, _ endpoint: Endpoint<Value>, _ wrap: @escaping (Value) -> TaskResult) {
        self.client = client
        self.endpoint = endpoint
        self.wrap = wrap
    }

    func start() throws(KimiError) -> JobStep {
        var request = endpoint.request
        if let progress = request.progress {
            // The caller's progress (if any) first; then the event.
            request.progress = { [weak self] sent, total in
                guard progress(sent, total) else { return false }
                return self?.progressed(sent, total) ?? true
            }
        }
        return .next(try client.call(request, endpoint.options))
    }

    func attach(deliver: @escaping () -> Bool) { self.deliver = deliver }

    func callerLetGo() {
        if case .borrowed(let lent)? = endpoint.request.form?.source { lent.revoke() }
    }

    private func progressed(_ sent: Int64, _ total: Int64) -> Bool {
        var event = StreamEvent(type: .progress)
        event.done = sent
        event.total = total
        jobEvents.show(event)
        return deliver?() ?? true
    }

    func received(_ call: Call, deliver: () -> Bool) {}

    func ended(_ call: Call) -> JobStep {
        if let error = call.error { return .done(nil, error) }
        guard let transfer = call.transfer else { return .done(nil, KimiError(.internal, "a call ended without an answer")) }
        do throws(KimiError) {
            return .done(wrap(try endpoint.decode(Engine.json(of: transfer, call))), nil)
        } catch {
            return .done(nil, error)
        }
    }
}

/// Two JSON calls, the second made from the first's decoded answer (a
/// batch file's upload, then the batch's creation).
final class ThenJob<First, Value>: Job {
    private let client: Client
    private let first: Endpoint<First>
    private let then: (First) throws(KimiError) -> Endpoint<Value>
    private let wrap: (Value) -> TaskResult
    private var second: Endpoint<Value>?
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }

    init(client: Client, _ first: Endpoint<First>, wrap: @escaping (Value) -> TaskResult,
         then: @escaping (First) throws(KimiError) -> Endpoint<Value>) {
        self.client = client
        self.first = first
        self.then = then
        self.wrap = wrap
    }

    func start() throws(KimiError) -> JobStep { .next(try client.call(first.request, first.options)) }

    func received(_ call: Call, deliver: () -> Bool) {}

    func ended(_ call: Call) -> JobStep {
        if let error = call.error { return .done(nil, error) }
        guard let transfer = call.transfer else { return .done(nil, KimiError(.internal, "a call ended without an answer")) }
        do throws(KimiError) {
            let root = try Engine.json(of: transfer, call)
            if let second { return .done(wrap(try second.decode(root)), nil) }
            let made = try then(try first.decode(root))
            second = made
            return .next(try client.call(made.request, made.options))
        } catch {
            return .done(nil, error)
        }
    }
}

/// The events of a job other than a chat stream, one at a time (progress, a
/// piece of a file, a batch result line), then the end.
public final class JobEvents: TaskEvents {
    private var current: StreamEvent?
    private let text = TextBuffer()
    private let detailText = TextBuffer()
    private var attachment: AnyObject?

    /// Makes `event` current, with its text, error and attachment.
    func show(_ event: StreamEvent, text bytes: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
              detail: String = "", attachment: AnyObject? = nil) {
        current = event
        text.removeAll()
        text.append(bytes)
        detailText.removeAll()
        detailText.append(detail)
        self.attachment = attachment
    }

    public var currentEvent: StreamEvent? { current }
    public func text(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { text.view }
    public func toolCallID(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { .emptyText }
    public func toolCallName(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { .emptyText }
    public func finishReasonText(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { .emptyText }
    public var rawChunk: UnsafeBufferPointer<UInt8> { .emptyText }
    public var currentIsLastInChunk: Bool { true }
    public var completionID: UnsafeBufferPointer<UInt8> { .emptyText }
    public var completionModel: UnsafeBufferPointer<UInt8> { .emptyText }
    public var completionCreated: Int64 { 0 }
    public func detail(of event: StreamEvent) -> UnsafeBufferPointer<UInt8> { detailText.view }
    public var currentAttachment: AnyObject? { attachment }

    public func forEachPending(_ body: (StreamEvent) -> Void) {
        if let current { body(current) }
    }

    public func advance() -> Bool { false }

    public func showEnd(status: Status) {
        var event = StreamEvent(type: .end)
        event.status = status
        show(event)
    }
}
