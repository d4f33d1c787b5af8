import Glibc

/// How often a batch being waited for is polled: the first poll at once,
/// then every `pollMs`, the interval growing by half while nothing changes,
/// up to a minute (or `pollMs` if longer). The blocking wait and the wait
/// task share it.
struct BatchPoll {
    private let first: Int64
    private let longest: Int64
    private var delay: Int64
    private var seen: Batch.Progress

    init(_ batch: Batch, pollMs: UInt32) {
        first = Int64(pollMs == 0 ? 1000 : pollMs)
        longest = max(first, 60_000)
        delay = first
        seen = batch.progress
    }

    /// `batch` was just polled: the wait (ms) before the next poll.
    mutating func next(_ batch: Batch) -> Int64 {
        if batch.progress != seen {
            seen = batch.progress
            delay = first
        } else {
            delay = min(delay * 3 / 2, longest)
        }
        return delay
    }
}

/// Lines of a body that arrives in pieces: each whole line (without its line
/// end, NUL-terminated in place for the scanner) once, with its 1-based
/// number; empty lines skipped. A line is searched once, not again with
/// each piece.
struct LineSplitter {
    private var scanned = 0
    private(set) var number = 0

    /// Hands `body` every whole line in `input` and drops them from it;
    /// `last`: the input ended, so what is left is a line too. False when
    /// `body` stopped.
    mutating func split(_ input: TextBuffer, last: Bool,
                        _ body: (UnsafeRawBufferPointer, Int) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var lineStart = 0
        while scanned < input.count, let newline = memchr(input.bytes + scanned, 0x0A, input.count - scanned) {
            let end = UnsafeRawPointer(newline) - UnsafeRawPointer(input.bytes)
            guard try deliver(input, lineStart, end, body) else { return false }
            lineStart = end + 1
            scanned = lineStart
        }
        scanned = input.count - lineStart
        input.removeFirst(lineStart)
        if last {
            let whole = try deliver(input, 0, input.count, body)
            input.removeAll()
            scanned = 0
            return whole
        }
        return true
    }

    private mutating func deliver(_ input: TextBuffer, _ start: Int, _ end: Int,
                                  _ body: (UnsafeRawBufferPointer, Int) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var end = end
        if end > start && input.bytes[end - 1] == 0x0D { end -= 1 }
        guard end > start else { return true }
        input.mutableBytes[end] = 0  // the line end (or the buffer's own NUL)
        number += 1
        return try body(UnsafeRawBufferPointer(start: input.bytes + start, count: end - start), number)
    }
}

/// The Batch API as tasks on the client's loop.
extension Batches {
    public func createTask(inputFileID: String, window: String?, metadataJSON: String?) throws(KimiError) -> Task {
        try client.task(createEndpoint(inputFileID: inputFileID, window: window, metadataJSON: metadataJSON), TaskResult.batch)
    }

    public func retrieveTask(id: String) throws(KimiError) -> Task {
        try client.task(retrieveEndpoint(id: id), TaskResult.batch)
    }

    public func listTask(after: String?, limit: Int) throws(KimiError) -> Task {
        try client.task(listEndpoint(after: after, limit: limit), TaskResult.batchPage)
    }

    public func cancelTask(_ batch: Batch) throws(KimiError) -> Task {
        try client.task(cancelEndpoint(batch), TaskResult.batch)
    }

    /// `wait(for:)` as a task: polls on the loop (a timed call, no thread),
    /// a `.progress` event after each poll (lines done of the total; the
    /// status as its text); the result is the last state.
    public func waitTask(for batch: Batch, pollMs: UInt32) throws(KimiError) -> Task {
        try Task(BatchWaitJob(batches: self, batch: batch, pollMs: pollMs), engine: client.engine)
    }

    /// `results(_:)` as a task: a `.result` event per line of the output
    /// file, then of the error file (custom id as text, its status, error
    /// and response); the result is the number of lines.
    public func resultsTask(_ batch: Batch) throws(KimiError) -> Task {
        try Task(BatchResultsJob(batches: self, batch: batch), engine: client.engine)
    }
}

/// Polls a batch until it is final: the first poll at once, then as
/// `BatchPoll` spaces them (timed calls: no thread sleeps). A `.progress`
/// event after each poll: lines done of the total, the status as its text,
/// the batch attached. The result is the last state seen.
final class BatchWaitJob: Job {
    private let batches: Batches
    private let id: String
    private var poll: BatchPoll
    private let endpoint: Endpoint<Batch>
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }
    /// The last state seen (the batch given, before the first poll).
    private(set) var last: Batch
    /// The events' reader asked to stop.
    private(set) var stopped = false
    private var deliver: (() -> Bool)?

    init(batches: Batches, batch: Batch, pollMs: UInt32, cancel: CancelToken? = nil) throws(KimiError) {
        self.batches = batches
        id = batch.id.string
        guard !id.isEmpty else { throw .invalidArgument("batch has no id") }
        poll = BatchPoll(batch, pollMs: pollMs)
        endpoint = try batches.retrieveEndpoint(id: id, cancel: cancel)
        last = batch
    }

    func start() throws(KimiError) -> JobStep { .next(try batches.client.call(endpoint.request, endpoint.options)) }

    func received(_ call: Call, deliver: () -> Bool) {}

    func attach(deliver: @escaping () -> Bool) { self.deliver = deliver }

    func ended(_ call: Call) -> JobStep {
        do throws(KimiError) {
            if let error = call.error { throw error }
            guard let transfer = call.transfer else { throw KimiError(.internal, "a call ended without an answer") }
            let batch = try endpoint.decode(Engine.json(of: transfer, call))
            last = batch
            let delay = poll.next(batch)
            var event = StreamEvent(type: .progress)
            event.done = batch.completed.saturatingAdd(batch.failed)
            event.total = batch.total
            jobEvents.show(event, text: UnsafeRawBufferPointer(batch.status.view), attachment: batch)
            if deliver?() == false {
                stopped = true
                return .done(.batch(batch), KimiError(.aborted, "the reader stopped waiting; batch \(id) is \(excerpt(batch.status.string)) and runs on"))
            }
            if batch.isFinal { return .done(.batch(batch), nil) }
            let next = try batches.client.call(endpoint.request, endpoint.options)
            next.startNoEarlier(than: deadline(afterMs: delay))
            return .next(next)
        } catch {
            return .done(.batch(last), error)
        }
    }
}

/// Reads a batch's output file, then its error file, line by line as they
/// arrive (one line in memory): a `.result` event per line, its custom id
/// as text, its status, error and response. Successful lines count in the
/// client's usage totals once, however often this runs. The result is the
/// number of lines; a final batch without result files has none.
final class BatchResultsJob: Job {
    private let batches: Batches
    private let id: String
    private let options: CallOptions
    private var files: [(kind: String, field: String, id: String)]
    private var splitter = LineSplitter()
    private let sink = ByteSink("the batch's results")
    private var answered = 0
    private var lines: Int64 = 0
    /// The line the current event is of.
    private(set) var current: BatchResult?
    /// The events' reader asked to stop.
    private var stopped = false
    let jobEvents = JobEvents()
    var events: TaskEvents { jobEvents }

    init(batches: Batches, batch: Batch, cancel: CancelToken? = nil) throws(KimiError) {
        self.batches = batches
        id = batch.id.string
        var options = CallOptions()
        options.cancel = cancel
        self.options = options
        files = [("output file", "output_file_id", batch.outputFileID.string),
                 ("error file", "error_file_id", batch.errorFileID.string)]
            .filter { !$0.id.isEmpty }
        guard !files.isEmpty || batch.isFinal else {
            throw .invalidArgument("batch \(excerpt(id)) is \(excerpt(batch.status.string)); its results exist once it is completed, expired or cancelled: wait for it first", hint: .batchWait)
        }
    }

    private var config: ClientConfig { batches.client.config }

    func start() throws(KimiError) -> JobStep {
        guard let file = files.first else { return .done(.count(0), nil) }
        return .next(try call(for: file))
    }

    private func call(for file: (kind: String, field: String, id: String)) throws(KimiError) -> Call {
        let url: String
        do throws(KimiError) {
            url = try batches.client.files.url(file.id, "/content", name: file.field)
        } catch {
            // The id is the server's (its batch object), not the caller's.
            throw KimiError(.parse, "batch \(excerpt(id)) as the server sent it: \(error.message); its \(file.kind) cannot be read")
        }
        var request = HTTPRequest(method: .get, url: url, headers: config.jsonHeaders)
        request.expects = .lines
        return try batches.client.call(request, options, sink: sink)
    }

    func received(_ call: Call, deliver: () -> Bool) {
        while call.pull() == .produced, let input = call.transfer?.inbound {
            let going = split(input, last: false, deliver)
            sink.leftover = input.count
            if !going { return }  // the task stops the call
        }
    }

    /// Hands each whole line of `input` on as a `.result` event.
    private func split(_ input: TextBuffer, last: Bool, _ deliver: () -> Bool) -> Bool {
        guard let file = files.first else { return true }
        return (try? splitter.split(input, last: last) { line, number throws(KimiError) in
            let result = BatchResult.decode(line, number: number, file: "\(file.kind) \(file.id)", gate: config.gate)
            if let response = result.response {
                batches.client.usage.record(response, batch: id, line: answered)
                answered += 1
            }
            lines += 1
            current = result
            var event = StreamEvent(type: .result)
            event.httpStatus = result.httpStatus
            var custom = result.customID.string
            custom.withUTF8 { jobEvents.show(event, text: UnsafeRawBufferPointer($0),
                                             detail: result.errorMessage?.string ?? "", attachment: result.response) }
            if deliver() { return true }
            stopped = true
            return false
        }) ?? false
    }

    private var deliverAtEnd: (() -> Bool)?
    func attach(deliver: @escaping () -> Bool) { deliverAtEnd = deliver }

    func ended(_ call: Call) -> JobStep {
        let stop = KimiError(.aborted, "the reader stopped reading the results of batch \(excerpt(id)) after \(lines) lines")
        if stopped { return .done(.count(lines), stop) }
        if let error = call.error { return .done(.count(lines), error) }
        // The last line may lack its line end.
        if let input = call.transfer?.inbound, let deliver = deliverAtEnd, !split(input, last: true, deliver) {
            return .done(.count(lines), stop)
        }
        files.removeFirst()
        splitter = LineSplitter()
        sink.leftover = 0
        guard let next = files.first else { return .done(.count(lines), nil) }
        do throws(KimiError) {
            return .next(try self.call(for: next))
        } catch {
            return .done(.count(lines), error)
        }
    }
}
