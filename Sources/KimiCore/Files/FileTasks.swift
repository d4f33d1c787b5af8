/// The Files API as tasks on the client's loop, for hosts with a loop of
/// their own (asyncio, libuv): the same endpoints as the blocking calls.
extension Files {
    /// `upload(path:)` as a task; `.progress` events (bytes sent, total).
    public func uploadTask(path: String, purpose: String) throws(KimiError) -> Task {
        try client.task(uploadEndpoint(path: path, purpose: purpose, progress: nil), TaskResult.file)
    }

    /// `upload(borrowing:)` as a task: `memory` must stay valid and
    /// unchanged until the task ended.
    public func uploadTask(borrowing memory: UnsafeRawBufferPointer, filename: String, purpose: String)
        throws(KimiError) -> Task {
        try client.task(uploadEndpoint(borrowing: memory, filename: filename, purpose: purpose, progress: nil),
                        TaskResult.file)
    }

    public func retrieveTask(id: String) throws(KimiError) -> Task {
        try client.task(retrieveEndpoint(id: id), TaskResult.file)
    }

    public func deleteTask(id: String) throws(KimiError) -> Task {
        try client.task(deleteEndpoint(id: id), TaskResult.deleted)
    }

    /// Every file, all pages, as a task.
    public func listTask() throws(KimiError) -> Task {
        let job = try ListJob(client: client, rules: PageRules("files", id: { (file: FileObject) in file.id.string }),
                              wrap: TaskResult.files) { after throws(KimiError) in try pageEndpoint(after: after) }
        return try Task(job, engine: client.engine)
    }

    /// A file's content as a task: `.data` events, each a piece of it as it
    /// arrived (memory holds one network read); the result is its size.
    public func contentTask(id: String) throws(KimiError) -> Task {
        var request = HTTPRequest(method: .get, url: try url(id, "/content"), headers: client.config.jsonHeaders)
        request.expects = .lines
        return try Task(ContentJob(client: client, request: request, what: "the content of file \(id)"),
                        engine: client.engine)
    }
}

/// A listing of every page, one call per page, under `PageRules`.
final class ListJob<Item>: Job {
    private let client: Client
    private var rules: PageRules<Item>
    private let page: (String?) throws(KimiError) -> Endpoint<PageRules<Item>.Page>
    private var current: Endpoint<PageRules<Item>.Page>
    private let wrap: ([Item]) -> TaskResult
    private(set) var items: [Item] = []
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }

    init(client: Client, rules: PageRules<Item>, wrap: @escaping ([Item]) -> TaskResult,
         page: @escaping (String?) throws(KimiError) -> Endpoint<PageRules<Item>.Page>) throws(KimiError) {
        self.client = client
        self.rules = rules
        self.wrap = wrap
        self.page = page
        current = try page(nil)
    }

    func firstCall() throws(KimiError) -> Call { try client.call(current.request, current.options) }

    func received(_ call: Call, deliver: () -> Bool) {}

    func ended(_ call: Call) -> JobStep {
        do throws(KimiError) {
            if let error = call.error { throw error }
            guard let transfer = call.transfer else { throw KimiError(.internal, "a call ended without an answer") }
            let fetched = try current.decode(Engine.json(of: transfer, call))
            items += fetched.items
            guard items.count <= PageRules<Item>.maxItems else {
                throw KimiError(.tooLarge, "the listing of \(rules.what) goes on past \(PageRules<Item>.maxItems) items; stopped there")
            }
            guard let cursor = try rules.after(fetched) else { return .done(wrap(items), nil) }
            current = try page(cursor)
            return .next(try client.call(current.request, current.options))
        } catch {
            return .done(nil, error)
        }
    }
}

/// A body handed on in pieces as `.data` events (a file's content).
final class ContentJob: Job {
    private let client: Client
    private let request: HTTPRequest
    private let sink: ByteSink
    private var bytes: Int64 = 0
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }

    init(client: Client, request: HTTPRequest, what: String) {
        self.client = client
        self.request = request
        sink = ByteSink(what)
    }

    func firstCall() throws(KimiError) -> Call { try client.call(request, sink: sink) }

    func received(_ call: Call, deliver: () -> Bool) {
        while call.pull() == .produced {
            guard let input = call.transfer?.inbound else { return }
            var event = StreamEvent(type: .data)
            bytes = bytes.saturatingAdd(Int64(input.count))
            event.done = bytes
            jobEvents.show(event, text: input.rawBuffer)
            input.removeAll()
            sink.leftover = 0
            if !deliver() { return }
        }
    }

    func ended(_ call: Call) -> JobStep {
        .done(call.isStreaming ? .count(bytes) : nil, call.error)
    }
}
