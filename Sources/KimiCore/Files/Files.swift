/// The Files API: upload (multipart, streamed from disk or memory), list,
/// retrieve, delete, and the extracted text of `file-extract` files.
public struct Files {
    let client: Client
    private var config: ClientConfig { client.config }

    public static let purposes = ["file-extract", "image", "video", "batch"]
    /// Kimi's per-file limit.
    public static let maxFileBytes = 100 << 20

    /// Uploads the file at `path`. `progress` gets (bytes sent, total) and
    /// stops the upload by returning false.
    public func upload(path: String, purpose: String,
                           progress: ((Int64, Int64) -> Bool)? = nil) throws(KimiError) -> FileObject {
        try client.perform(uploadEndpoint(path: path, purpose: purpose, progress: progress))
    }

    /// Uploads bytes from memory as a file called `filename`. The memory is
    /// read while the call runs, not copied.
    public func upload(borrowing memory: UnsafeRawBufferPointer, filename: String, purpose: String,
                           progress: ((Int64, Int64) -> Bool)? = nil) throws(KimiError) -> FileObject {
        try client.perform(uploadEndpoint(borrowing: memory, filename: filename, purpose: purpose, progress: progress))
    }

    func uploadEndpoint(path: String, purpose: String,
                        progress: ((Int64, Int64) -> Bool)?) throws(KimiError) -> Endpoint<FileObject> {
        let size = try OpenFile(reading: path).size()
        return try uploadEndpoint(.file(path), byteCount: size, filename: Files.uploadName(path), purpose: purpose,
                                  what: quoted(path), progress: progress)
    }

    func uploadEndpoint(borrowing memory: UnsafeRawBufferPointer, filename: String, purpose: String,
                        progress: ((Int64, Int64) -> Bool)?) throws(KimiError) -> Endpoint<FileObject> {
        guard !filename.isEmpty, !filename.contains("/"),
              !filename.unicodeScalars.contains(where: { Gate.isControl($0) || $0 == "\"" }) else {
            throw .invalidArgument("filename: must be a plain, non-empty file name, without control characters or quotes")
        }
        return try uploadEndpoint(.borrowed(LentBytes(memory)), byteCount: memory.count, filename: filename, purpose: purpose,
                                  what: "the data", progress: progress)
    }

    /// Uploads inline media (auto upload), with the purpose of its kind.
    func upload(_ media: InlineMedia) throws(KimiError) -> FileObject {
        let ext = media.format.mime.split(separator: "/").last.map(String.init) ?? "bin"
        let filename: String
        if case .file(let path) = media.source {
            filename = Files.uploadName(path)
        } else {
            filename = "\(media.format.kind.rawValue).\(ext)"
        }
        return try client.perform(uploadEndpoint(UploadSource(media.source), byteCount: media.byteCount,
                                                 filename: filename, purpose: media.format.kind.rawValue,
                                                 what: media.label, progress: nil))
    }

    /// The name a file at `path` is uploaded under: its last component, as
    /// one line without control characters or quotes (it goes into the
    /// Content-Disposition header).
    static func uploadName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        let name = Gate.none.admit(last).string.replacingQuotes()
        return name.isEmpty ? "upload" : name
    }

    private func uploadEndpoint(_ source: UploadSource, byteCount: Int, filename: String, purpose: String, what: String,
                                progress: ((Int64, Int64) -> Bool)?) throws(KimiError) -> Endpoint<FileObject> {
        guard Files.purposes.contains(purpose) else {
            throw .invalidArgument("purpose: \(quoted(purpose)) is not one of file-extract, image, video, batch")
        }
        let filename = purpose == "batch" ? BatchRules.uploadName(filename) : filename
        guard byteCount > 0 else { throw .invalidArgument("\(what) is empty; Kimi refuses empty files") }
        if config.kimiRules && byteCount > Files.maxFileBytes {
            throw .invalidArgument("\(what) is \(megabytes(byteCount)), over Kimi's 100 MB per-file limit")
        }
        var contentType = "application/octet-stream"
        if purpose == "image" || purpose == "video" {
            let kind: MediaKind = purpose == "image" ? .image : .video
            switch source {
            case .file(let path):
                contentType = try InlineMedia.fromFile(path, kind: kind).format.mime
            case .bytes(let bytes):
                contentType = try InlineMedia.format(of: Array(bytes.prefix(MediaDetector.headerLength)), kind: kind, what).mime
            case .borrowed(let lent):
                contentType = try InlineMedia.format(of: lent.prefix(MediaDetector.headerLength), kind: kind, what).mime
            }
        } else if purpose == "batch" {
            contentType = "application/jsonl"
        }
        let form = MultipartForm(fields: [("purpose", purpose)], filename: filename, contentType: contentType,
                                 source: source, byteCount: byteCount)
        var request = HTTPRequest(method: .post, url: config.base.endpoint("/files"), headers: config.uploadHeaders)
        request.form = form
        // A task reports progress as events: it wants the hook even when the
        // caller gave none.
        request.progress = progress ?? { _, _ in true }
        let gate = config.gate
        return Endpoint(request) { root in FileObject(root, gate: gate) }
    }

    /// Every file of the account, all pages (`walk`).
    public func list() throws(KimiError) -> [FileObject] {
        let files = walk()
        var all: [FileObject] = []
        while let file = try files.next() { all.append(file) }
        return all
    }

    /// The account's files one at a time, fetching the pages as needed:
    /// `GET /files`, then `?after=<last id>` while a page says `has_more`
    /// (Kimi documents one page; OpenAI-style servers page).
    public func walk() -> PagedList<FileObject> {
        PagedList("files", fetch: { after throws(KimiError) in try page(after: after) }, id: { $0.id.string })
    }

    private func page(after: String?) throws(KimiError) -> PagedList<FileObject>.Page {
        try client.perform(pageEndpoint(after: after))
    }

    /// One page of files (`after`: the last id of the page before).
    func pageEndpoint(after: String?) throws(KimiError) -> Endpoint<PagedList<FileObject>.Page> {
        let query = try after.map { cursor throws(KimiError) in [(name: "after", value: try pathSegment(cursor, "after"))] } ?? []
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .get, url: config.base.endpoint("/files", query: query), headers: config.jsonHeaders)) { root in
            ((root.member("data")?.elements ?? []).map { FileObject($0, gate: gate) }, root.member("has_more")?.bool ?? false)
        }
    }

    public func retrieve(id: String) throws(KimiError) -> FileObject {
        try client.perform(retrieveEndpoint(id: id))
    }

    func retrieveEndpoint(id: String) throws(KimiError) -> Endpoint<FileObject> {
        let gate = config.gate
        return Endpoint(HTTPRequest(method: .get, url: try url(id), headers: config.jsonHeaders)) { root in
            FileObject(root, gate: gate)
        }
    }

    /// Deletes a file; returns the server's `deleted` flag.
    public func delete(id: String) throws(KimiError) -> Bool {
        try client.perform(deleteEndpoint(id: id))
    }

    func deleteEndpoint(id: String) throws(KimiError) -> Endpoint<Bool> {
        Endpoint(HTTPRequest(method: .delete, url: try url(id), headers: config.jsonHeaders)) { root in
            root.member("deleted")?.bool ?? true
        }
    }

    /// The extracted text of a `file-extract` file.
    public func content(id: String) throws(KimiError) -> TextBuffer {
        let request = HTTPRequest(method: .get, url: try url(id, "/content"), headers: config.jsonHeaders)
        return try client.engine.perform(client.call(request)).body
    }

    /// The URL of file `id` (and `suffix`); `name` is what a bad id is
    /// called (the error quotes the id, which may hold the key: it passes
    /// the gate, whichever call style builds the URL).
    func url(_ id: String, _ suffix: String = "", name: String = "file_id") throws(KimiError) -> String {
        try config.gate.admitting { () throws(KimiError) in config.base.endpoint("/files/" + (try pathSegment(id, name)) + suffix) }
    }
}

private extension String {
    func replacingQuotes() -> String {
        String(unicodeScalars.map { $0 == "\"" ? "'" : Character($0) })
    }
}
