/// The library's status codes. The raw values are the C ABI's status
/// values and never change meaning (new codes are only ever added).
public enum Status: Int32, Sendable {
    case ok = 0
    case invalidArgument = 1
    case noMemory = 2
    case transport = 3
    case timeout = 4
    case http = 5
    case api = 6
    case parse = 7
    case aborted = 8
    case incomplete = 9
    case `internal` = 10
    case tooLarge = 11
    case stepLimit = 12
    case pending = 13

    /// Static English text, one per status.
    public var summary: StaticString {
        switch self {
        case .ok: return "success"
        case .invalidArgument: return "invalid argument"
        case .noMemory: return "out of memory"
        case .transport: return "transport error"
        case .timeout: return "timed out"
        case .http: return "HTTP error"
        case .api: return "API error"
        case .parse: return "malformed response"
        case .aborted: return "aborted"
        case .incomplete: return "incomplete stream"
        case .internal: return "internal error"
        case .tooLarge: return "response too large"
        case .stepLimit: return "tool loop step limit"
        case .pending: return "still running"
        }
    }
}

/// Everything known about one failure. The C ABI copies it into the
/// thread-local last error; Python turns it into an exception.
public struct KimiError: Error, Sendable {
    public var status: Status
    /// One line, never containing the API key: library text, with what came
    /// from outside gated (`Gate.admit(_: KimiError)` once more where a call
    /// ends, and for control characters wherever an error leaves the library).
    public var message: String
    /// HTTP status of the response, 0 when there was none.
    public var httpStatus: Int = 0
    /// The API's `error.type`, e.g. `invalid_request_error`. What the
    /// server sent is outside text: these fields passed the gate.
    public var type = OutsideText.empty
    /// The API's `error.code`, as text (Kimi sends strings or integers).
    public var code = OutsideText.empty
    public var requestID = OutsideText.empty
    /// Wait the server asked for (Retry-After, retry-after-ms, or "try again
    /// after N seconds" in the message), -1 when none.
    public var retryAfterMs: Int64 = -1
    /// Start of the response body for HTTP and API errors.
    public var body = OutsideText.empty
    /// The headers of the error answer (names lower-cased, in order); empty
    /// when the failure had no answer.
    public var headers: OutsideHeaders = []
    /// What the caller can do about it; the front ends render it in their
    /// own API's names after the message.
    public var hint: Hint?
    /// A transport failure or timeout that happened before any response
    /// byte arrived, and that a new attempt may not meet (see RetryPolicy).
    var beforeResponse = false

    public init(_ status: Status, _ message: String, hint: Hint? = nil) {
        self.status = status
        self.message = message
        self.hint = hint
    }

    public static func invalidArgument(_ message: String, hint: Hint? = nil) -> KimiError {
        KimiError(.invalidArgument, message, hint: hint)
    }
}

extension KimiError {
    /// The same error, its message starting with where it happened.
    func prefixed(_ place: String) -> KimiError {
        var error = self
        error.message = "\(place): \(message)"
        return error
    }
}
