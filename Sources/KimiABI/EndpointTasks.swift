import CKimiHeader
import KimiCore

// Every endpoint as a task (include/kimi.h, "Every other endpoint as a
// task"): each is its blocking call's core entry point, started on the loop.

/// `startTask` with the queue-or-callback choice every endpoint task takes.
private func start(_ function: StaticString, _ client: OpaquePointer?, _ queue: OpaquePointer?,
                   _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                   _ out: UnsafeMutablePointer<OpaquePointer?>?,
                   _ make: (Client) throws(KimiError) -> KimiCore.Task) -> Int32 {
    startTask(function, client, { () throws(KimiError) in try Sink(queue: queue, callback: onEvent) }, userData, out, make)
}

@c @implementation
public func kimi_file_upload_start(_ client: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ purpose: UnsafePointer<CChar>?,
                                   _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.files.uploadTask(path: try string(path, "path"), purpose: try string(purpose, "purpose"))
    }
}

@c @implementation
public func kimi_file_upload_data_start(_ client: OpaquePointer?, _ filename: UnsafePointer<CChar>?, _ data: UnsafeRawPointer?,
                                        _ len: Int, _ purpose: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                        _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                        _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        guard let data, len > 0 else { throw .invalidArgument(data == nil ? "data must not be NULL" : "len: the data is empty") }
        return try client.files.uploadTask(borrowing: UnsafeRawBufferPointer(start: data, count: len),
                                           filename: try string(filename, "filename"), purpose: try string(purpose, "purpose"))
    }
}

@c @implementation
public func kimi_file_retrieve_start(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                     _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.files.retrieveTask(id: try string(id, "file_id"))
    }
}

@c @implementation
public func kimi_file_delete_start(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                   _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                   _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.files.deleteTask(id: try string(id, "file_id"))
    }
}

@c @implementation
public func kimi_file_content_start(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                    _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.files.contentTask(id: try string(id, "file_id"))
    }
}

@c @implementation
public func kimi_files_list_start(_ client: OpaquePointer?, _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                                  _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in try client.files.listTask() }
}

@c @implementation
public func kimi_batch_create_start(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?, _ window: UnsafePointer<CChar>?,
                                    _ metadata: UnsafePointer<CChar>?, _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                                    _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.createTask(inputFileID: try string(fileID, "input_file_id"),
                                      window: try optionalString(window, "completion_window"),
                                      metadataJSON: try optionalString(metadata, "metadata_json"))
    }
}

@c @implementation
public func kimi_batch_submit_start(_ client: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ window: UnsafePointer<CChar>?,
                                    _ metadata: UnsafePointer<CChar>?, _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                                    _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.submitTask(path: try string(path, "jsonl_path"), window: try optionalString(window, "completion_window"),
                                      metadataJSON: try optionalString(metadata, "metadata_json"))
    }
}

@c @implementation
public func kimi_batch_retrieve_start(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                      _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.retrieveTask(id: try string(id, "batch_id"))
    }
}

@c @implementation
public func kimi_batch_list_start(_ client: OpaquePointer?, _ after: UnsafePointer<CChar>?, _ limit: Int32,
                                  _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.listTask(after: try optionalString(after, "after"), limit: Int(limit))
    }
}

@c @implementation
public func kimi_batch_cancel_start(_ client: OpaquePointer?, _ batch: OpaquePointer?, _ queue: OpaquePointer?,
                                    _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                    _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.cancelTask(try require(batch, "batch", as: BatchBox.self).batch)
    }
}

@c @implementation
public func kimi_batch_wait_start(_ client: OpaquePointer?, _ batch: OpaquePointer?, _ pollMs: UInt32,
                                  _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                  _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.waitTask(for: try require(batch, "batch", as: BatchBox.self).batch, pollMs: pollMs)
    }
}

@c @implementation
public func kimi_batch_results_start(_ client: OpaquePointer?, _ batch: OpaquePointer?, _ queue: OpaquePointer?,
                                     _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                     _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.batches.resultsTask(try require(batch, "batch", as: BatchBox.self).batch)
    }
}

@c @implementation
public func kimi_models_list_start(_ client: OpaquePointer?, _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                                   _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in try client.account.listModelsTask() }
}

@c @implementation
public func kimi_model_retrieve_start(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?, _ queue: OpaquePointer?,
                                      _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.account.retrieveModelTask(id: try string(id, "model_id"))
    }
}

@c @implementation
public func kimi_balance_start(_ client: OpaquePointer?, _ queue: OpaquePointer?, _ onEvent: kimi_stream_cb?,
                               _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in try client.account.balanceTask() }
}

@c @implementation
public func kimi_chat_estimate_tokens_start(_ client: OpaquePointer?, _ req: OpaquePointer?, _ queue: OpaquePointer?,
                                            _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.account.estimateTokensTask(try require(req, "req", as: RequestBox.self).request)
    }
}

@c @implementation
public func kimi_chat_fit_max_completion_tokens_start(_ client: OpaquePointer?, _ req: OpaquePointer?, _ queue: OpaquePointer?,
                                                      _ onEvent: kimi_stream_cb?, _ userData: UnsafeMutableRawPointer?,
                                                      _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    start(#function, client, queue, onEvent, userData, out) { client throws(KimiError) in
        try client.chat.fitMaxCompletionTokensTask(try require(req, "req", as: RequestBox.self).request)
    }
}

// MARK: - Results

/// The result of an ended task, or why there is none: KIMI_E_PENDING while
/// it runs, its failure when it failed.
private func result(_ task: OpaquePointer?) throws(KimiError) -> TaskResult {
    let task = try require(task, "task", as: TaskBox.self).task
    guard let status = task.status else { throw KimiError(.pending, "the task is still running") }
    if let result = task.taskResult, status == .ok { return result }
    throw task.error ?? KimiError(status, "the task failed")
}

private func wrongKind(_ wanted: String) -> KimiError {
    .invalidArgument("task: its result is not \(wanted) (ask with the accessor of its kind)")
}

@c @implementation
public func kimi_task_file(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .file(let file) = try result(task) else { throw wrongKind("a file") }
        return handle(FileBox(file))
    }
}

@c @implementation
public func kimi_task_file_list(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .files(let files) = try result(task) else { throw wrongKind("a file list") }
        return handle(FileListBox(files))
    }
}

@c @implementation
public func kimi_task_batch(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .batch(let batch) = try result(task) else { throw wrongKind("a batch") }
        return handle(BatchBox(batch))
    }
}

@c @implementation
public func kimi_task_batch_page(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .batchPage(let page) = try result(task) else { throw wrongKind("a batch page") }
        return handle(BatchPageBox(page))
    }
}

@c @implementation
public func kimi_task_model(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .model(let model) = try result(task) else { throw wrongKind("a model") }
        return handle(ModelBox(model))
    }
}

@c @implementation
public func kimi_task_model_list(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        guard case .models(let models) = try result(task) else { throw wrongKind("a model list") }
        return handle(ModelListBox(models))
    }
}

@c @implementation
public func kimi_task_balance(_ task: OpaquePointer?, _ available: UnsafeMutablePointer<Double>?,
                              _ voucher: UnsafeMutablePointer<Double>?, _ cash: UnsafeMutablePointer<Double>?) -> Int32 {
    available?.pointee = 0
    voucher?.pointee = 0
    cash?.pointee = 0
    return call(#function) { () throws(KimiError) in
        guard case .balance(let balance) = try result(task) else { throw wrongKind("a balance") }
        available?.pointee = balance.available
        voucher?.pointee = balance.voucher
        cash?.pointee = balance.cash
    }
}

@c @implementation
public func kimi_task_count(_ task: OpaquePointer?, _ out: UnsafeMutablePointer<Int64>?) -> Int32 {
    out?.pointee = 0
    return call(#function) { () throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        switch try result(task) {
        case .count(let count): out.pointee = count
        case .deleted(let deleted): out.pointee = deleted ? 1 : 0
        default: throw wrongKind("a count")
        }
    }
}
