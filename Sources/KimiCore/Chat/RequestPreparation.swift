/// Turns a chat request into the body that is sent: pre-flight checks, then
/// Kimi's 100 MB body limit, uploading media first when auto upload is on.
extension Chat {
    /// Kimi's request-body limit.
    public static let maxRequestBytes = 100 << 20

    func prepareBody(_ request: ChatRequest, for purpose: RequestEncoder.Purpose) throws(KimiError) -> RequestBody {
        // The rules quote the caller's own values (a tool_call_id, a
        // thinking.keep, a model name): their errors pass the gate.
        try client.config.gate.admitting { () throws(KimiError) in try settledBody(request, for: purpose) }
    }

    private func settledBody(_ request: ChatRequest, for purpose: RequestEncoder.Purpose) throws(KimiError) -> RequestBody {
        let config = client.config
        guard config.kimiRules else { return request.body(for: purpose) }
        let request = try Preflight.settled(request, for: purpose, windows: client.engine.windows, log: config.log)
        // Loaded, and nothing settled rewrote: its text is the body (`LoadedBody`).
        if let body = request.loadedBody(for: purpose) { return try withinLimit(body) }
        let media = inlineMedia(request)
        for part in media { part.media.noteResolution(of: part.field, log: config.log) }
        if config.autoUpload {
            for part in media where part.reuse && part.media.uploadedID == nil {
                part.media.uploadedID = try client.files.upload(part.media).id.string
            }
        }
        var body = RequestEncoder.encode(request, for: purpose)
        while body.count > Chat.maxRequestBytes {
            let pending = media.filter { $0.media.uploadedID == nil }
            guard let largest = pending.max(by: { $0.media.byteCount < $1.media.byteCount }) else { break }
            guard config.autoUpload else { throw tooLarge(body, largest) }
            largest.media.uploadedID = try client.files.upload(largest.media).id.string
            body = RequestEncoder.encode(request, for: purpose)
        }
        return try withinLimit(body)
    }

    private func withinLimit(_ body: RequestBody) throws(KimiError) -> RequestBody {
        if body.count > Chat.maxRequestBytes {
            throw .invalidArgument("the request body would be \(megabytes(body.count)), over Kimi's 100 MB limit, without inline media to upload")
        }
        return body
    }

    private struct MediaPart {
        let media: InlineMedia
        let field: String
        let reuse: Bool
    }

    private func inlineMedia(_ request: ChatRequest) -> [MediaPart] {
        var parts: [MediaPart] = []
        for (i, message) in request.messages.enumerated() {
            for (j, part) in message.parts.enumerated() {
                switch part {
                case .image(.inline(let media)), .video(.inline(let media)):
                    parts.append(MediaPart(media: media, field: "messages[\(i)].content[\(j)]", reuse: message.reuseMedia))
                default:
                    break
                }
            }
        }
        return parts
    }

    private func tooLarge(_ body: RequestBody, _ part: MediaPart) -> KimiError {
        let kind = part.media.format.kind.rawValue
        return .invalidArgument("the request body would be \(megabytes(body.count)), over Kimi's 100 MB limit; its largest part is \(part.field) (\(kind) \(part.media.label), \(megabytes(part.media.encodedCount)) as base64): upload it through the Files API (purpose \"\(kind)\") and send \"ms://<file id>\", or turn on auto upload", hint: .upload(part.media.format.kind))
    }
}
