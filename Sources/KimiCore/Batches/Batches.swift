/// The Batch API: a JSONL file of chat requests run by Kimi within a
/// completion window. Every limit is checked before the first request.
public struct Batches {
    let client: Client
    private var config: ClientConfig { client.config }

    /// Uploads `path` (purpose "batch") and creates a batch from it.
    public func submit(path: String, window: String?, metadataJSON: String?) throws(KimiError) -> Batch {
        let (result, error) = try JobRun.run(try submitJob(path: path, window: window, metadataJSON: metadataJSON),
                                             engine: client.engine) { true }
        if let error { throw error }
        guard case .batch(let batch) = result else { throw KimiError(.internal, "a batch submission ended without its batch") }
        return batch
    }

    /// `submit` as a task; the result is the batch.
    public func submitTask(path: String, window: String?, metadataJSON: String?) throws(KimiError) -> Task {
        try Task(try submitJob(path: path, window: window, metadataJSON: metadataJSON), engine: client.engine)
    }

    /// The upload, then the creation: every limit is checked before the upload.
    /// Those errors quote the caller's path (which may hold the key) and
    /// pass the client's gate, as errors of the calls do.
    private func submitJob(path: String, window: String?, metadataJSON: String?) throws(KimiError) -> Job {
        try config.gate.admitting { () throws(KimiError) in try uncheckedSubmitJob(path: path, window: window, metadataJSON: metadataJSON) }
    }

    private func uncheckedSubmitJob(path: String, window: String?, metadataJSON: String?) throws(KimiError) -> Job {
        let window = try BatchRules.window(window)
        let metadata = try BatchRules.metadata(metadataJSON)
        let size = try OpenFile(reading: path).size()
        guard size <= BatchInput.maxFileBytes else {
            throw .invalidArgument("\(quoted(path)) is \(megabytes(size)), over Kimi's 100 MB batch file limit")
        }
        let upload = try client.files.uploadEndpoint(path: path, purpose: "batch", progress: nil)
        return ThenJob(client: client, upload, wrap: TaskResult.batch) { file throws(KimiError) in
            try createEndpoint(inputFileID: file.id.string, window: window, metadata: metadata)
        }
    }

    /// `POST /v1/batches` for an uploaded input file.
    public func create(inputFileID: String, window: String?, metadataJSON: String?) throws(KimiError) -> Batch {
        try client.perform(createEndpoint(inputFileID: inputFileID, window: window, metadataJSON: metadataJSON))
    }

    func createEndpoint(inputFileID: String, window: String?, metadataJSON: String?) throws(KimiError) -> Endpoint<Batch> {
        try createEndpoint(inputFileID: try pathSegment(inputFileID, "input_file_id"), window: try BatchRules.window(window),
                           metadata: try BatchRules.metadata(metadataJSON))
    }

    private func createEndpoint(inputFileID: String, window: String, metadata: JSONValue?) throws(KimiError) -> Endpoint<Batch> {
        let body = TextBuffer()
        var w = JSONWriter(into: body)
        w.beginObject()
        w.key("input_file_id"); w.string(inputFileID)
        w.key("endpoint"); w.string(BatchInput.endpoint)
        w.key("completion_window"); w.string(window)
        if let metadata { w.key("metadata"); metadata.write(to: &w) }
        w.endObject()
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .post, url: config.base.endpoint("/batches"), headers: config.jsonHeaders,
                                    body: RequestBody([.text(body)]))) { root in Batch(root, gate: gate) }
    }

    public func retrieve(id: String, cancel: CancelToken? = nil) throws(KimiError) -> Batch {
        try client.perform(retrieveEndpoint(id: id, cancel: cancel))
    }

    func retrieveEndpoint(id: String, cancel: CancelToken? = nil) throws(KimiError) -> Endpoint<Batch> {
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .get, url: try url(id), headers: config.jsonHeaders),
                        options: cancelling(cancel)) { root in Batch(root, gate: gate) }
    }

    private func cancelling(_ token: CancelToken?) -> CallOptions {
        var options = CallOptions()
        options.cancel = token
        return options
    }

    /// One page of batches, newest first; `after` is the last id of the
    /// previous page.
    public func list(after: String?, limit: Int) throws(KimiError) -> BatchPage {
        try client.perform(listEndpoint(after: after, limit: limit))
    }

    func listEndpoint(after: String?, limit: Int) throws(KimiError) -> Endpoint<BatchPage> {
        guard (1...100).contains(limit) else { throw .invalidArgument("limit: \(limit) is not between 1 and 100") }
        var query = [(name: "limit", value: String(limit))]
        if let after { query.append((name: "after", value: try pathSegment(after, "after"))) }
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .get, url: config.base.endpoint("/batches", query: query),
                                    headers: config.jsonHeaders)) { root in
            let batches = (root.member("data")?.elements ?? []).map { Batch($0, gate: gate) }
            return BatchPage(batches: batches, hasMore: root.member("has_more")?.bool ?? false,
                             lastID: gate.admit(root.member("last_id")?.string ?? batches.last?.id.string ?? ""))
        }
    }

    /// Every batch after `after` (nil: from the newest), one at a time,
    /// fetching pages of `limit` as needed.
    public func walk(after: String?, limit: Int) throws(KimiError) -> PagedList<Batch> {
        guard (1...100).contains(limit) else { throw .invalidArgument("limit: \(limit) is not between 1 and 100") }
        if let after { _ = try pathSegment(after, "after") }
        return PagedList("batches", fetch: { cursor throws(KimiError) in
            let page = try list(after: cursor ?? after, limit: limit)
            return (page.batches, page.hasMore)
        }, id: { $0.id.string })
    }

    /// Asks Kimi to cancel; only a validating, in-progress or finalizing
    /// batch can be cancelled. Returns the batch as the server now reports it.
    public func cancel(_ batch: Batch, cancel: CancelToken? = nil) throws(KimiError) -> Batch {
        try client.perform(cancelEndpoint(batch, cancel: cancel))
    }

    func cancelEndpoint(_ batch: Batch, cancel: CancelToken? = nil) throws(KimiError) -> Endpoint<Batch> {
        let status = batch.status.string
        guard Batch.cancellableStatuses.contains(status) else {
            throw .invalidArgument("batch \(batch.id.string) is \(status.isEmpty ? "in an unknown state" : status); only a validating, in_progress or finalizing batch can be cancelled")
        }
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .post, url: try url(batch.id.string, "/cancel"), headers: config.jsonHeaders,
                                    body: RequestBody([.text(TextBuffer())])), options: cancelling(cancel)) { root in
            Batch(root, gate: gate)
        }
    }

    /// Polls until the batch reaches a final state, calling `progress` with
    /// each new state (false stops waiting; the batch runs on). The first
    /// poll is immediate; the interval starts at `pollMs` and grows by half
    /// while nothing changes, up to a minute (or `pollMs` if longer). Runs
    /// the wait task's job on the calling thread. Returns the last state and
    /// whether `progress` stopped the wait.
    public func wait(for batch: Batch, pollMs: UInt32, cancel: CancelToken?,
                     progress: @escaping (Batch) -> Bool) throws(KimiError) -> (Batch, stopped: Bool) {
        if batch.isFinal { return (batch, false) }
        let job = try BatchWaitJob(batches: self, batch: batch, pollMs: pollMs, cancel: cancel)
        let (_, error) = try JobRun.run(job, engine: client.engine) { [unowned job] in progress(job.last) }
        if job.stopped { return (job.last, true) }
        if let error { throw error }
        return (job.last, false)
    }

    /// Reads the output file, then the error file, line by line, giving
    /// `body` each result (false stops: the result is then false). Runs the
    /// results task's job on the calling thread.
    public func results(_ batch: Batch, cancel: CancelToken?,
                        _ body: @escaping (BatchResult) -> Bool) throws(KimiError) -> Bool {
        let job = try BatchResultsJob(batches: self, batch: batch, cancel: cancel)
        var stopped = false
        let (_, error) = try JobRun.run(job, engine: client.engine) { [unowned job] in
            guard let result = job.current else { return true }
            stopped = !body(result)
            return !stopped
        }
        if stopped { return false }
        if let error { throw error }
        return true
    }

    func url(_ id: String, _ suffix: String = "") throws(KimiError) -> String {
        config.base.endpoint("/batches/" + (try pathSegment(id, "batch_id")) + suffix)
    }
}
