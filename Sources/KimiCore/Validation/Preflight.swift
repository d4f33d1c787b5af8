/// Kimi's rules, checked before anything is sent so a request that the API
/// would refuse fails at once, with a message naming the field and what is
/// allowed. Only applied while the client's Kimi rules are on.
enum Preflight {
    static func check(_ request: ChatRequest) throws(KimiError) {
        for (i, message) in request.messages.enumerated() {
            for (j, part) in message.parts.enumerated() {
                switch part {
                case .image(.url(let url)): try checkMediaURL(url, .image, "messages[\(i)].content[\(j)].image_url")
                case .video(.url(let url)): try checkMediaURL(url, .video, "messages[\(i)].content[\(j)].video_url")
                default: break
                }
            }
        }
    }

    /// Kimi takes `data:` URIs and `ms://` file ids, never web URLs.
    static func checkMediaURL(_ url: String, _ kind: MediaKind, _ field: String) throws(KimiError) {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return }
        let add = kind == .image ? "kimi_message_add_image_file (or _data)" : "kimi_message_add_video_file (or _data)"
        throw .invalidArgument("\(field): Kimi does not accept http(s) \(kind.rawValue) URLs; download the \(kind.rawValue) and use \(add), or upload it with kimi_file_upload (purpose \"\(kind.rawValue)\") and use \"ms://<file id>\" (kimi_client_options_set_kimi_rules(opts, 0) allows them for other servers)")
    }
}
