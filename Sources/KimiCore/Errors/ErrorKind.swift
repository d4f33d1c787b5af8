/// What kind of failure an error is, for callers deciding what to do next:
/// retry later, fix the key, top up, fix the request... Raw values are the
/// C API's KIMI_KIND_* constants.
public enum ErrorKind: Int32, Sendable {
    case none = 0
    case rateLimited = 1
    case overloaded = 2
    case quotaExceeded = 3
    case auth = 4
    case permission = 5
    case notFound = 6
    case invalidRequest = 7
    case contentFilter = 8
    case server = 9
    case transport = 10
    case timeout = 11
    case aborted = 12
    case incomplete = 13
    case badResponse = 14
    case `internal` = 15
}

extension KimiError {
    /// The kind, from the API's `error.type` and message first and the HTTP
    /// status only when they say nothing. A quota wall (403 or 429) is never
    /// a rate limit: retrying it cannot help.
    public var kind: ErrorKind {
        switch status {
        case .ok, .pending: return .none
        case .invalidArgument: return .invalidRequest
        case .noMemory, .internal: return .internal
        case .transport: return .transport
        case .timeout: return .timeout
        case .aborted: return .aborted
        case .incomplete, .stepLimit: return .incomplete
        case .parse, .tooLarge: return .badResponse
        case .api, .http: return classify()
        }
    }

    private func classify() -> ErrorKind {
        let text = message.lowercased()
        let type = self.type.string
        let quotaWords = ["exceeded your current", "quota", "insufficient balance", "recharge", "suspended",
                          "billing", "is not active"]
        if type == "exceeded_current_quota_error" || ((httpStatus == 403 || httpStatus == 429 || type.isEmpty || type.includes("rate"))
            && quotaWords.contains(where: text.includes)) {
            return .quotaExceeded
        }
        switch type {
        case "engine_overloaded_error": return .overloaded
        case "rate_limit_reached_error", "rate_limit_error": return .rateLimited
        case "invalid_authentication_error", "incorrect_api_key_error", "authentication_error": return .auth
        case "permission_denied_error": return .permission
        case "resource_not_found_error": return .notFound
        case "content_filter": return .contentFilter
        case "invalid_request_error": return .invalidRequest
        case "server_error", "unexpected_output": return .server
        default: break
        }
        switch httpStatus {
        case 401: return .auth
        case 403: return .permission
        case 404: return .notFound
        case 429: return text.includes("overload") ? .overloaded : .rateLimited
        case 400, 409, 413, 422: return .invalidRequest
        case 0: return .server // an error frame inside a 200 stream
        default: return httpStatus >= 500 ? .server : .invalidRequest
        }
    }
}
