/// A batch job (`BatchObject`). Fields stay empty (or 0) when the server
/// leaves them out or sends null.
public final class Batch {
    public static let finalStatuses: Set<String> = ["completed", "failed", "expired", "cancelled"]
    public static let cancellableStatuses: Set<String> = ["validating", "in_progress", "finalizing"]

    public let id = TextBuffer()
    public let status = TextBuffer()
    public let endpoint = TextBuffer()
    public let inputFileID = TextBuffer()
    public let outputFileID = TextBuffer()
    public let errorFileID = TextBuffer()
    public let completionWindow = TextBuffer()
    /// The first entry of `errors` (why a batch failed validation), as
    /// "code: message (line N)"; empty when there is none.
    public let errorSummary = TextBuffer()
    public var total: Int64 = 0
    public var completed: Int64 = 0
    public var failed: Int64 = 0
    public var createdAt: Int64 = 0
    public var inProgressAt: Int64 = 0
    public var finalizingAt: Int64 = 0
    public var completedAt: Int64 = 0
    public var failedAt: Int64 = 0
    public var expiredAt: Int64 = 0
    public var cancellingAt: Int64 = 0
    public var cancelledAt: Int64 = 0
    public var expiresAt: Int64 = 0
    public let json: TextBuffer

    /// Reads a batch object; fields it lacks stay empty (or 0).
    public init(_ value: JSONValue) {
        json = TextBuffer(value.jsonText)
        _ = value.member("id")?.appendString(to: id)
        _ = value.member("status")?.appendString(to: status)
        _ = value.member("endpoint")?.appendString(to: endpoint)
        _ = value.member("input_file_id")?.appendString(to: inputFileID)
        _ = value.member("output_file_id")?.appendString(to: outputFileID)
        _ = value.member("error_file_id")?.appendString(to: errorFileID)
        _ = value.member("completion_window")?.appendString(to: completionWindow)
        if let counts = value.member("request_counts") {
            total = counts.member("total")?.count64 ?? 0
            completed = counts.member("completed")?.count64 ?? 0
            failed = counts.member("failed")?.count64 ?? 0
        }
        func time(_ key: String) -> Int64 { value.member(key)?.count64 ?? 0 }
        createdAt = time("created_at")
        inProgressAt = time("in_progress_at")
        finalizingAt = time("finalizing_at")
        completedAt = time("completed_at")
        failedAt = time("failed_at")
        expiredAt = time("expired_at")
        cancellingAt = time("cancelling_at")
        cancelledAt = time("cancelled_at")
        expiresAt = time("expires_at")
        if let first = value.member("errors")?.member("data")?.elements.first {
            let code = first.member("code")?.string ?? ""
            let message = first.member("message")?.string ?? ""
            errorSummary.append(code.isEmpty ? message : "\(code): \(message)")
            if let line = first.member("line")?.count64 { errorSummary.append(" (line \(line))") }
        }
    }

    public var isFinal: Bool { Batch.finalStatuses.contains(status.string) }

    /// What waiting watches for change: the status and the counts.
    struct Progress: Equatable {
        let status: String
        let completed, failed, total: Int64
    }

    var progress: Progress { Progress(status: status.string, completed: completed, failed: failed, total: total) }
}

/// One page of `GET /v1/batches`.
public struct BatchPage {
    public var batches: [Batch]
    public var hasMore: Bool
    /// The id to pass as `after` for the next page ("" when the page is empty).
    public var lastID: String
}
