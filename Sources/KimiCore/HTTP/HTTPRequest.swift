import CCurl

/// Request headers as a curl header list (`curl_slist`), freed in `deinit`.
/// The client builds its lists once and shares them read-only; a call with
/// headers of its own gets a list of its own.
final class HeaderList: @unchecked Sendable {
    /// Name and value; a nil value suppresses a header curl would add itself.
    typealias Field = (name: String, value: String?)

    let fields: [Field]
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    init(_ fields: [Field]) throws(KimiError) {
        self.fields = fields
        for field in fields {
            // curl reads "Name:" (or a value of only blanks) as "do not send
            // Name", and "Name;" as Name with an empty value.
            let line = field.value.map { value in
                value.allSatisfy { $0 == " " || $0 == "\t" } ? "\(field.name);" : "\(field.name): \(value)"
            } ?? "\(field.name):"
            guard let next = curl_slist_append(raw, line) else {
                curl_slist_free_all(raw)
                throw KimiError(.noMemory, "curl_slist_append failed")
            }
            raw = next
        }
    }

    deinit { curl_slist_free_all(raw) }

    /// This list with `extra` on top: a header of the same name (any case)
    /// replaces this list's, so a caller's Accept is the only Accept sent.
    func adding(_ extra: [(name: String, value: String)]) throws(KimiError) -> HeaderList {
        guard !extra.isEmpty else { return self }
        let replaced = Set(extra.map { $0.name.lowercased() })
        return try HeaderList(fields.filter { !replaced.contains($0.name.lowercased()) }
                              + extra.map { (name: $0.name, value: Optional($0.value)) })
    }
}

/// One HTTP call as the engine sees it.
struct HTTPRequest {
    enum Method: String { case get = "GET", post = "POST", delete = "DELETE" }

    /// What a 2xx answer's body is read as.
    enum Expectation {
        /// Held whole in `Transfer.body` (JSON answers).
        case whole
        /// A `text/event-stream`, read piece by piece from `Transfer.inbound`;
        /// an answer of another type is refused.
        case eventStream
        /// Any body, read piece by piece (a file read line by line): a line
        /// not yet ended may hold up to the client's event limit.
        case lines
        /// Any body, every piece handed on whole as it arrives (a file's
        /// content): nothing waits for a line end, so no line limit applies.
        case bytes
    }

    var method: Method
    var url: String
    var headers: HeaderList
    var body: RequestBody?
    /// A multipart/form-data body (file uploads) instead of `body`.
    var form: MultipartForm?
    /// Upload progress (bytes sent, total); return false to stop.
    var progress: ((Int64, Int64) -> Bool)?
    var expects = Expectation.whole
    /// The caller's cancel token.
    var cancel: CancelToken?

    /// "POST https://host/v1/chat/completions", for error messages.
    var label: String { "\(method.rawValue) \(url)" }
}
