/// What a caller may set before creating a client. Unset values fall back to
/// the environment (`MOONSHOT_API_KEY`, then `KIMI_API_KEY`; `KIMI_BASE_URL`)
/// and then to the defaults below.
public struct ClientOptions {
    public static let defaultBaseURL = "https://api.moonshot.ai/v1"

    public var apiKey: String?
    public var baseURL: String?
    public var connectTimeoutMs: UInt32 = 10_000
    /// Whole-request limit; 0 = none, so long reasoning streams are never cut.
    public var timeoutMs: UInt32 = 0
    /// Longest silence (no byte sent or received); 0 = none.
    public var idleTimeoutMs: UInt32 = 600_000
    public var headers: [(name: String, value: String)] = []
    public var userAgent: String?
    public var caFile: String?
    public var proxy: String?
    public var maxBodyBytes = 64 << 20
    public var maxEventBytes = 16 << 20
    public var retry = RetryPolicy()
    /// Requests in flight at once, all threads and tasks together; the rest
    /// wait their turn. 0 = no cap.
    public var maxConnections: UInt32 = 0
    /// How long a busy event loop lets network events gather before it
    /// takes them (`SocketDriver`), in microseconds; 0 = each as it comes.
    public var coalesceMicros: UInt32 = ClientOptions.defaultCoalesceMicros
    public static let defaultCoalesceMicros: UInt32 = 1000
    public static let maxCoalesceMicros: UInt32 = 100_000
    /// Prices for cost accounting (each response's cost, the usage totals).
    public var pricing = Pricing.kimiK26
    /// Kimi's own rules (refused http(s) media URLs, the 100 MB body limit,
    /// K2.6's fixed values...) are checked before sending. Turn off for
    /// other OpenAI-compatible servers.
    public var kimiRules = true
    /// Media that would push a body over the limit (or is marked for reuse)
    /// is uploaded through the Files API and sent as `ms://<id>`.
    public var autoUpload = false
    /// Log threshold; nil = from `KIMI_LOG`, or off.
    public var logLevel: LogLevel?
    /// Receives log lines (from any thread that makes calls); nil = stderr.
    public var logSink: Logger.Sink?

    public init() {}

    /// Header names the library manages itself.
    static let reservedHeaders: Set<String> = ["authorization", "content-type", "content-length", "host", "transfer-encoding"]

    public static func validateHeader(name: String, value: String) throws(KimiError) {
        let tokenCharacters = "!#$%&'*+-.^_`|~"
        guard !name.isEmpty, name.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || tokenCharacters.utf8.contains(c)
        }) else {
            throw .invalidArgument("name: \(quoted(name)) is not a valid HTTP header name")
        }
        guard !reservedHeaders.contains(name.lowercased()) else {
            throw .invalidArgument("name: \(name) is set by the library (the API key goes in as the bearer token)", hint: name.lowercased() == "authorization" ? .apiKey : nil)
        }
        // Tab is the only control character a header value may hold; the
        // others would end the line (CR, LF), cut it (NUL) or reach logs and
        // terminals raw.
        guard !value.unicodeScalars.contains(where: { $0 != "\t" && (Gate.isControl($0) || $0.value == 0x2028 || $0.value == 0x2029) }) else {
            throw .invalidArgument("value: header values must not contain control characters (CR, LF, NUL, ESC, C1, ...)")
        }
    }

    public static func validateBaseURL(_ url: String) throws(KimiError) {
        _ = try BaseURL(parsing: url)
    }

    /// Keys are sent in a header: printable ASCII only, so no CR, LF, NUL or
    /// space can end up on the wire.
    public static func validateAPIKey(_ key: String, field: String = "api_key") throws(KimiError) {
        guard !key.isEmpty else { throw .invalidArgument("\(field): must not be empty") }
        guard key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidArgument("\(field): must be printable ASCII, without spaces or control characters")
        }
    }

    /// A proxy URL goes to curl as is (it may carry the proxy's own
    /// credentials), but never with spaces or control characters.
    public static func validateProxy(_ proxy: String) throws(KimiError) {
        guard !proxy.isEmpty, !proxy.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidArgument("proxy: must be a URL without spaces or control characters")
        }
    }
}

/// A client's settled configuration: options merged with the environment
/// and defaults, validated once. Immutable, so threads share it freely.
public final class ClientConfig: @unchecked Sendable {
    public let apiKey: String
    /// The API root, parsed; `baseURL` is its text.
    public let base: BaseURL
    public let baseURL: String
    /// Finds the API key in any text the library writes.
    public let redactor: Redactor
    /// What every text from outside (the server, files) passes.
    public let gate: Gate
    public let connectTimeoutMs: UInt32
    public let timeoutMs: UInt32
    public let idleTimeoutMs: UInt32
    public let userAgent: String
    public let caFile: String?
    public let proxy: String?
    public let maxBodyBytes: Int
    public let maxEventBytes: Int
    public let retry: RetryPolicy
    public let maxConnections: UInt32
    public let coalesceMicros: UInt32
    public let pricing: Pricing
    public let kimiRules: Bool
    public let autoUpload: Bool
    public let log: Logger
    let share: ShareHandle
    let jsonHeaders: HeaderList
    let streamHeaders: HeaderList
    /// For multipart uploads: curl sets the Content-Type with the boundary.
    let uploadHeaders: HeaderList

    init(_ options: ClientOptions) throws(KimiError) {
        let fromOptions = options.apiKey != nil
        guard let key = options.apiKey ?? environment("MOONSHOT_API_KEY") ?? environment("KIMI_API_KEY"),
              !key.isEmpty else {
            throw .invalidArgument("no API key: set MOONSHOT_API_KEY (or KIMI_API_KEY), or give the client one", hint: .apiKey)
        }
        try ClientOptions.validateAPIKey(key, field: fromOptions ? "api_key" : "the API key from the environment")
        let baseText = options.baseURL ?? environment("KIMI_BASE_URL") ?? ClientOptions.defaultBaseURL
        let parsed = try BaseURL(parsing: baseText, field: options.baseURL == nil && environment("KIMI_BASE_URL") != nil
                                 ? "KIMI_BASE_URL" : "base_url")

        apiKey = key
        base = parsed
        baseURL = parsed.string
        redactor = Redactor(secret: key)
        gate = Gate(redactor: redactor)
        connectTimeoutMs = options.connectTimeoutMs
        timeoutMs = options.timeoutMs
        idleTimeoutMs = options.idleTimeoutMs
        userAgent = options.userAgent ?? "libkimi/\(Version.string)"
        caFile = options.caFile ?? CertificateBundle.fallback
        proxy = options.proxy
        maxBodyBytes = options.maxBodyBytes
        maxEventBytes = options.maxEventBytes
        retry = options.retry
        maxConnections = options.maxConnections
        coalesceMicros = options.coalesceMicros
        pricing = options.pricing
        kimiRules = options.kimiRules
        autoUpload = options.autoUpload
        var log = Logger.resolve(level: options.logLevel, sink: options.logSink)
        log.gate = gate
        self.log = log
        share = try ShareHandle()

        // No Expect header: no 100-continue wait on large bodies. The
        // caller's headers replace the library's of the same name (Accept).
        let common: [HeaderList.Field] = [("Authorization", "Bearer \(key)"), ("Expect", nil)]
        let json: HeaderList.Field = ("Content-Type", "application/json")
        jsonHeaders = try HeaderList(common + [json, ("Accept", "application/json")]).adding(options.headers)
        streamHeaders = try HeaderList(common + [json, ("Accept", "text/event-stream")]).adding(options.headers)
        uploadHeaders = try HeaderList(common + [("Accept", "application/json")]).adding(options.headers)
    }

    /// Removes the API key (whole, in pieces, or JSON-escaped) from `text`,
    /// so no message, log line or error body can carry it.
    public func redact(_ text: String) -> String { redactor.redact(text) }
}
