import CCurl

/// An API root such as "https://api.moonshot.ai/v1", parsed by curl's URL
/// API (the parser that will send the requests) rather than checked by
/// hand. Credentials, a query, a fragment, a port outside 1 ... 65535, a
/// malformed IPv6 address and spaces are refused; endpoint URLs are joined
/// on the parsed form. Error messages never echo a password.
public struct BaseURL: Sendable, Equatable {
    /// The normalised root, without a trailing slash.
    public let string: String

    public init(parsing text: String, field: String = "base_url") throws(KimiError) {
        guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw .invalidArgument("\(field): must not contain spaces or control characters")
        }
        let shown = quoted(BaseURL.withoutCredentials(text))
        let lower = text.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw .invalidArgument("\(field): \(shown) must start with http:// or https://")
        }
        try requireCurl()
        guard let url = curl_url() else { throw KimiError(.noMemory, "curl_url failed") }
        defer { curl_url_cleanup(url) }
        let parsed = curl_url_set(url, CURLUPART_URL, text, 0)
        guard parsed == CURLUE_OK else {
            let reason = parsed == CURLUE_BAD_PORT_NUMBER ? "its port is not a number from 1 to 65535"
                : String(cString: curl_url_strerror(parsed)).lowercased()
            throw .invalidArgument("\(field): \(shown) is not a usable URL: \(reason)")
        }
        if BaseURL.part(url, CURLUPART_USER) != nil || BaseURL.part(url, CURLUPART_PASSWORD) != nil {
            throw .invalidArgument("\(field): \(shown) must not carry credentials (user:password@); the API key is sent as a bearer token")
        }
        if BaseURL.part(url, CURLUPART_QUERY) != nil {
            throw .invalidArgument("\(field): \(shown) must not have a query (?...); paths are added to it")
        }
        if BaseURL.part(url, CURLUPART_FRAGMENT) != nil {
            throw .invalidArgument("\(field): \(shown) must not have a fragment (#...)")
        }
        if let port = BaseURL.part(url, CURLUPART_PORT), !(Int(port).map { (1...65535).contains($0) } ?? false) {
            throw .invalidArgument("\(field): \(shown) has port \(port); ports go from 1 to 65535")
        }
        guard var normalised = BaseURL.part(url, CURLUPART_URL) else {
            throw .invalidArgument("\(field): \(shown) is not a usable URL")
        }
        while normalised.hasSuffix("/") { normalised.removeLast() }
        string = normalised
    }

    /// The URL of `path` ("/chat/completions") under the root, with `query`
    /// pairs URL-encoded by curl.
    public func endpoint(_ path: String, query: [(name: String, value: String)] = []) -> String {
        appendingQuery(string + path, query)
    }

    /// `url` (one of this root's endpoints) with `query` pairs added. Names
    /// and values are percent-encoded here, every byte but RFC 3986's
    /// unreserved ones, so an '=' or '&' in a name cannot move the boundary
    /// between name and value or between pairs.
    public func appendingQuery(_ url: String, _ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty, let handle = curl_url() else { return url }
        defer { curl_url_cleanup(handle) }
        guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return url }
        for (name, value) in query {
            let pair = "\(BaseURL.percentEncoded(name))=\(BaseURL.percentEncoded(value))"
            _ = curl_url_set(handle, CURLUPART_QUERY, pair, UInt32(CURLU_APPENDQUERY))
        }
        return BaseURL.part(handle, CURLUPART_URL) ?? url
    }

    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One part of a parsed URL, or nil when it is absent.
    private static func part(_ url: OpaquePointer, _ which: CURLUPart) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard curl_url_get(url, which, &value, 0) == CURLUE_OK, let value else { return nil }
        defer { curl_free(value) }
        return String(cString: value)
    }

    /// `text` with anything before an '@' in its authority replaced, so a
    /// message about a bad URL cannot show a password.
    static func withoutCredentials(_ text: String) -> String {
        guard let scheme = text.firstOccurrence(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<scheme.upperBound]) + "…" + String(rest[at...])
    }
}

/// The longest id sent in a URL (Kimi's are about 30 bytes).
let maxIDBytes = 256

/// An id that is safe in a URL path (Kimi's ids are letters, digits, '-',
/// '_' and '.', at most `maxIDBytes`). A refused one is quoted in the
/// message only in part: ids also come from servers.
func pathSegment(_ id: String, _ name: String) throws(KimiError) -> String {
    guard !id.isEmpty, id != ".", id != "..", id.utf8.count <= maxIDBytes, id.utf8.allSatisfy({ c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
    }) else {
        throw .invalidArgument("\(name): \(quoted(id)) is not an id (up to \(maxIDBytes) letters, digits, '-', '_' and '.')")
    }
    return id
}
