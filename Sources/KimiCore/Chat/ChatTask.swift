/// A chat completion run as a task: streamed (every event of the answer is
/// delivered as it arrives) or not (only the `.end`). The task's call reads
/// the stream into the job's cursor, which is its body sink.
final class ChatJob: Job {
    enum Kind { case stream, create }

    let kind: Kind
    private let chat: Chat
    private let request: ChatRequest
    private let cursor: EventCursor
    var events: TaskEvents { cursor }

    init(_ kind: Kind, chat: Chat, request: ChatRequest) {
        self.kind = kind
        self.chat = chat
        self.request = request
        let config = chat.client.config
        cursor = EventCursor(maxEventBytes: config.maxEventBytes, maxResponseBytes: config.maxBodyBytes, gate: config.gate)
    }

    func start() throws(KimiError) -> JobStep {
        .next(try chat.call(request, sink: kind == .stream ? cursor : WholeBody.shared))
    }

    func received(_ call: Call, deliver: () -> Bool) {
        while call.pull() == .produced {
            if !deliver() { return }
        }
    }

    func ended(_ call: Call) -> JobStep {
        var error = call.error
        var response: ChatResponse?
        switch kind {
        case .create:
            if error == nil, let transfer = call.transfer {
                do throws(KimiError) {
                    response = try Chat.completion(of: transfer, gate: chat.client.config.gate)
                } catch let failure {
                    error = failure
                }
            }
        case .stream:
            if call.isStreaming { response = cursor.response }
        }
        if let response {
            Chat.finish(response, call: call, prefill: request.prefill, firstTokenAt: cursor.firstTokenAt,
                        usage: chat.client.usage)
        }
        return .done(response.map(TaskResult.chat), error)
    }
}

extension Chat {
    /// A streamed completion to run on the event loop (`Task.start`).
    /// Request errors are thrown here; everything later is the task's outcome.
    public func streamTask(_ request: ChatRequest) throws(KimiError) -> Task {
        try Task(ChatJob(.stream, chat: self, request: request), engine: client.engine)
    }

    /// A non-streamed completion to run on the event loop.
    public func createTask(_ request: ChatRequest) throws(KimiError) -> Task {
        try Task(ChatJob(.create, chat: self, request: request), engine: client.engine)
    }
}
