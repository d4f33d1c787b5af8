import CKimiHeader
import KimiCore

/// A batch handle: the latest state of the batch, replaced in place by
/// wait and cancel, and the cancel token of those calls.
final class BatchBox {
    var batch: Batch
    var cancel: CancelToken?
    init(_ batch: Batch) { self.batch = batch }
}

final class BatchPageBox {
    let batches: [BatchBox]
    let hasMore: Bool
    let lastID: GatedText
    init(_ page: BatchPage) {
        batches = page.batches.map(BatchBox.init)
        hasMore = page.hasMore
        lastID = GatedText(page.lastID)
    }
}

@c @implementation
public func kimi_batch_submit(_ client: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ window: UnsafePointer<CChar>?,
                              _ metadata: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let batch = try client.batches.submit(path: try string(path, "jsonl_path"),
                                           window: try optionalString(window, "completion_window"),
                                           metadataJSON: try optionalString(metadata, "metadata_json"))
        return handle(BatchBox(batch))
    }
}

@c @implementation
public func kimi_batch_create(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?, _ window: UnsafePointer<CChar>?,
                              _ metadata: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let batch = try client.batches.create(inputFileID: try string(fileID, "input_file_id"),
                                           window: try optionalString(window, "completion_window"),
                                           metadataJSON: try optionalString(metadata, "metadata_json"))
        return handle(BatchBox(batch))
    }
}

@c @implementation
public func kimi_batch_retrieve(_ client: OpaquePointer?, _ id: UnsafePointer<CChar>?,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(BatchBox(try client.batches.retrieve(id: try string(id, "batch_id"))))
    }
}

@c @implementation
public func kimi_batch_cancel(_ client: OpaquePointer?, _ batch: OpaquePointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let box = try require(batch, "batch", as: BatchBox.self)
        box.batch = try client.batches.cancel(box.batch, cancel: box.cancel)
    }
}

@c @implementation
public func kimi_batch_wait(_ client: OpaquePointer?, _ batch: OpaquePointer?, _ pollMs: UInt32,
                            _ callback: kimi_batch_progress_cb?, _ userData: UnsafeMutableRawPointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let box = try require(batch, "batch", as: BatchBox.self)
        guard !box.batch.id.isEmpty else { throw .invalidArgument("batch has no id") }
        let (last, stopped) = try client.batches.wait(for: box.batch, pollMs: pollMs, cancel: box.cancel) { current in
            box.batch = current
            guard let callback, let batch else { return true }
            return callback(batch, current.completed, current.failed, current.total, userData) == 0
        }
        box.batch = last
        if stopped { throw KimiError(.aborted, "the progress callback returned non-zero; batch \(last.id.string) is \(last.status.string) and runs on") }
    }
}

@c @implementation
public func kimi_batch_results(_ client: OpaquePointer?, _ batch: OpaquePointer?, _ callback: kimi_batch_result_cb?,
                               _ userData: UnsafeMutableRawPointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let box = try require(batch, "batch", as: BatchBox.self)
        guard let callback else { throw .invalidArgument("cb must not be NULL") }
        let finished = try client.batches.results(box.batch, cancel: box.cancel) { result in
            // The response handle is borrowed for the call: the box lives
            // until this closure returns.
            let response = result.response.map(ResponseBox.init)
            let pointer = response.map(borrowedHandle)
            return withExtendedLifetime(response) {
                result.customID.string.withCString { id in
                    if let message = result.errorMessage {
                        return message.string.withCString { callback(id, pointer, Int32(result.httpStatus), $0, userData) } == 0
                    }
                    return callback(id, pointer, Int32(result.httpStatus), nil, userData) == 0
                }
            }
        }
        if !finished { throw KimiError(.aborted, "the result callback returned non-zero") }
    }
}

@c @implementation
public func kimi_batch_set_cancel_token(_ batch: OpaquePointer?, _ token: OpaquePointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let box = try require(batch, "batch", as: BatchBox.self)
        box.cancel = token == nil ? nil : try require(token, "token", as: CancelTokenBox.self).token
    }
}

@c @implementation
public func kimi_batch_free(_ batch: OpaquePointer?) { release(batch, as: BatchBox.self) }

private func batch(_ pointer: OpaquePointer?) -> Batch? { object(pointer, as: BatchBox.self)?.batch }

@c @implementation
public func kimi_batch_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.id) }

@c @implementation
public func kimi_batch_status(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.status) }

@c @implementation
public func kimi_batch_is_final(_ b: OpaquePointer?) -> Int32 { batch(b)?.isFinal == true ? 1 : 0 }

@c @implementation
public func kimi_batch_input_file_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.inputFileID) }

@c @implementation
public func kimi_batch_output_file_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.outputFileID) }

@c @implementation
public func kimi_batch_error_file_id(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.errorFileID) }

@c @implementation
public func kimi_batch_completion_window(_ b: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(batch(b)?.completionWindow)
}

@c @implementation
public func kimi_batch_error_message(_ b: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(batch(b)?.errorSummary) }

@c @implementation
public func kimi_batch_total(_ b: OpaquePointer?) -> Int64 { batch(b)?.total ?? 0 }

@c @implementation
public func kimi_batch_completed(_ b: OpaquePointer?) -> Int64 { batch(b)?.completed ?? 0 }

@c @implementation
public func kimi_batch_failed(_ b: OpaquePointer?) -> Int64 { batch(b)?.failed ?? 0 }

@c @implementation
public func kimi_batch_created_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.createdAt ?? 0 }

@c @implementation
public func kimi_batch_in_progress_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.inProgressAt ?? 0 }

@c @implementation
public func kimi_batch_finalizing_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.finalizingAt ?? 0 }

@c @implementation
public func kimi_batch_completed_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.completedAt ?? 0 }

@c @implementation
public func kimi_batch_failed_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.failedAt ?? 0 }

@c @implementation
public func kimi_batch_expired_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.expiredAt ?? 0 }

@c @implementation
public func kimi_batch_cancelling_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.cancellingAt ?? 0 }

@c @implementation
public func kimi_batch_cancelled_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.cancelledAt ?? 0 }

@c @implementation
public func kimi_batch_expires_at(_ b: OpaquePointer?) -> Int64 { batch(b)?.expiresAt ?? 0 }

@c @implementation
public func kimi_batch_json(_ b: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(batch(b)?.json, lengthOut)
}

@c @implementation
public func kimi_batch_list(_ client: OpaquePointer?, _ after: UnsafePointer<CChar>?, _ limit: Int32,
                            _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let page = try client.batches.list(after: try optionalString(after, "after"), limit: Int(limit))
        return handle(BatchPageBox(page))
    }
}

@c @implementation
public func kimi_batch_page_count(_ page: OpaquePointer?) -> Int { object(page, as: BatchPageBox.self)?.batches.count ?? 0 }

@c @implementation
public func kimi_batch_page_get(_ page: OpaquePointer?, _ i: Int) -> OpaquePointer? {
    borrowedHandle(object(page, as: BatchPageBox.self)?.batches, i)
}

@c @implementation
public func kimi_batch_page_has_more(_ page: OpaquePointer?) -> Int32 {
    object(page, as: BatchPageBox.self)?.hasMore == true ? 1 : 0
}

@c @implementation
public func kimi_batch_page_last_id(_ page: OpaquePointer?) -> UnsafePointer<CChar>? {
    borrowed(object(page, as: BatchPageBox.self)?.lastID)
}

@c @implementation
public func kimi_batch_page_free(_ page: OpaquePointer?) { release(page, as: BatchPageBox.self) }

final class BatchIterBox {
    let batches: PagedList<Batch>
    init(_ batches: PagedList<Batch>) { self.batches = batches }
}

@c @implementation
public func kimi_batch_iter_new(_ client: OpaquePointer?, _ after: UnsafePointer<CChar>?, _ limit: Int32,
                                _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(BatchIterBox(try client.batches.walk(after: try optionalString(after, "after"), limit: Int(limit))))
    }
}

@c @implementation
public func kimi_batch_iter_next(_ iter: OpaquePointer?, _ batchOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    batchOut?.pointee = nil
    return call(#function) { () throws(KimiError) in
        let box = try require(iter, "iter", as: BatchIterBox.self)
        guard let batchOut else { throw .invalidArgument("batch_out must not be NULL") }
        if let batch = try box.batches.next() { batchOut.pointee = handle(BatchBox(batch)) }
    }
}

@c @implementation
public func kimi_batch_iter_free(_ iter: OpaquePointer?) { release(iter, as: BatchIterBox.self) }
