import CCurl

/// A curl header list (`curl_slist`), freed in `deinit`. Built once per
/// client and shared read-only by its transfers.
final class HeaderList: @unchecked Sendable {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ lines: [String]) throws(KimiError) {
        for line in lines {
            guard let next = curl_slist_append(raw, line) else {
                curl_slist_free_all(raw)
                throw KimiError(.noMemory, "curl_slist_append failed")
            }
            raw = next
        }
    }

    deinit { curl_slist_free_all(raw) }
}

/// One HTTP call as the transport sees it.
struct HTTPRequest {
    enum Method: String { case get = "GET", post = "POST", delete = "DELETE" }

    var method: Method
    var url: String
    var headers: HeaderList
    var body: RequestBody?
    /// A multipart/form-data body (file uploads) instead of `body`.
    var form: MultipartForm?
    /// Upload progress (bytes sent, total); return false to stop.
    var progress: ((Int64, Int64) -> Bool)?
    /// True for `text/event-stream` responses read event by event.
    var streaming = false
    /// True to receive a 2xx body of any type piece by piece in `inbound`
    /// (files read line by line), instead of whole.
    var bodyStream = false
    /// The caller's cancel token.
    var cancel: CancelToken?
    /// The token of the object running the request (a pull stream's own
    /// cancel), which may fire from any thread.
    var stop: CancelToken?

    /// Every token that ends the request.
    var tokens: [CancelToken] {
        switch (cancel, stop) {
        case (nil, nil): return []
        case (let cancel?, nil): return [cancel]
        case (nil, let stop?): return [stop]
        case (let cancel?, let stop?): return [cancel, stop]
        }
    }

    /// Why the request was stopped, when one of its tokens fired.
    var cancellation: KimiError? {
        if let cancel, cancel.isCancelled {
            return KimiError(.aborted, "cancelled through the cancel token (\(label))")
        }
        if let stop, stop.isCancelled { return KimiError(.aborted, "the stream was cancelled (\(label))") }
        return nil
    }

    /// "POST https://host/v1/chat/completions", for error messages.
    var label: String { "\(method.rawValue) \(url)" }
}
