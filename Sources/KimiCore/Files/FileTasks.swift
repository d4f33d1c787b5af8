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
        try Task(ContentJob(client: client, id: id), engine: client.engine)
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

    func start() throws(KimiError) -> JobStep { .next(try client.call(current.request, current.options)) }

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

/// A file's content handed on in pieces as `.data` events, as it arrives:
/// memory holds one network read, never the whole file. Each event's
/// progress is the bytes so far of the announced size (0: none announced).
/// The end is the call's verdict, told with how much came: a body cut or
/// stopped after some bytes says how many of how many were handed on.
final class ContentJob: Job {
    private let client: Client
    private let id: String
    private let options: CallOptions
    private let sink = ByteSink("the download")
    private(set) var bytes: Int64 = 0
    private var announced: Int64 = -1
    /// The events' reader asked to stop.
    private var stopped = false
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }

    init(client: Client, id: String, options: CallOptions = CallOptions()) {
        self.client = client
        self.id = id
        self.options = options
    }

    func start() throws(KimiError) -> JobStep {
        var request = HTTPRequest(method: .get, url: try client.files.url(id, "/content"), headers: client.config.jsonHeaders)
        request.expects = .bytes
        return .next(try client.call(request, options, sink: sink))
    }

    func received(_ call: Call, deliver: () -> Bool) {
        while call.pull() == .produced, let transfer = call.transfer {
            if announced < 0 { announced = Self.contentLength(transfer.head.fields) }
            let input = transfer.inbound
            var event = StreamEvent(type: .data)
            bytes = bytes.saturatingAdd(Int64(input.count))
            event.done = bytes
            event.total = max(announced, 0)
            jobEvents.show(event, text: input.rawBuffer)
            input.removeAll()
            sink.leftover = 0
            if !deliver() {
                stopped = true
                return
            }
        }
    }

    func ended(_ call: Call) -> JobStep {
        guard call.isStreaming else { return .done(nil, call.error) }
        let of = announced >= 0 ? " of \(announced)" : ""
        if stopped {
            return .done(.count(bytes), KimiError(.aborted, "the reader stopped the download of file \(id) after \(bytes)\(of) bytes"))
        }
        if var error = call.error {
            if bytes > 0 {
                error.message = "the content of file \(id) was cut after \(bytes)\(of) bytes (all of them handed on): \(error.message)"
            }
            return .done(.count(bytes), error)
        }
        // Curl trusts a chunked body over a Content-Length that disagrees.
        if announced >= 0 && bytes < announced {
            return .done(.count(bytes), KimiError(.incomplete, "the content of file \(id) ended after \(bytes) of its \(announced) bytes"))
        }
        if announced >= 0 && bytes > announced {
            return .done(.count(bytes), KimiError(.parse, "the content of file \(id) was \(bytes) bytes, more than the \(announced) its Content-Length announced (all of them handed on)"))
        }
        return .done(.count(bytes), nil)
    }

    /// `Content-Length` as a count, or -1 when absent or not a number.
    private static func contentLength(_ fields: [(name: String, value: String)]) -> Int64 {
        guard let value = fields.last(where: { $0.name == "content-length" })?.value,
              !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return -1 }
        return Int64(value) ?? -1
    }
}
