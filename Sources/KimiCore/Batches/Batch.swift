/// A batch job (`BatchObject`). Fields stay empty (or 0) when the server
/// leaves them out or sends null.
public final class Batch {
    public static let finalStatuses: Set<String> = ["completed", "failed", "expired", "cancelled"]
    public static let cancellableStatuses: Set<String> = ["validating", "in_progress", "finalizing"]

    public let id = GatedText()
    public let status = GatedText()
    public let endpoint = GatedText()
    public let inputFileID = GatedText()
    public let outputFileID = GatedText()
    public let errorFileID = GatedText()
    public let completionWindow = GatedText()
    /// The first entry of `errors` (why a batch failed validation), as
    /// "code: message (line N)"; empty when there is none.
    public let errorSummary = GatedText()
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
    public let json: GatedText

    /// Reads a batch object; fields it lacks stay empty (or 0). Its texts
    /// pass `gate`.
    public init(_ value: JSONValue, gate: Gate) {
        json = GatedText(gate.admitJSON(value.jsonText, payload: .none))
        func text(_ key: String) -> OutsideText { gate.admit(value.member(key)?.string ?? "") }
        id.set(text("id"))
        status.set(text("status"))
        endpoint.set(text("endpoint"))
        inputFileID.set(text("input_file_id"))
        outputFileID.set(text("output_file_id"))
        errorFileID.set(text("error_file_id"))
        completionWindow.set(text("completion_window"))
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
            var summary = code.isEmpty ? message : "\(code): \(message)"
            if let line = first.member("line")?.count64 { summary += " (line \(line))" }
            errorSummary.set(gate.admit(summary))
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
    /// The id to pass as `after` for the next page (empty when the page is empty).
    public var lastID: OutsideText
}
