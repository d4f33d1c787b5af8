/// The Files API: upload (multipart, streamed from disk or memory), list,
/// retrieve, delete, and the extracted text of `file-extract` files.
extension Client {
    public static let filePurposes = ["file-extract", "image", "video", "batch"]
    /// Kimi's per-file limit.
    public static let maxFileBytes = 100 << 20

    /// Uploads the file at `path`. `progress` gets (bytes sent, total) and
    /// stops the upload by returning false.
    public func uploadFile(path: String, purpose: String,
                           progress: ((Int64, Int64) -> Bool)? = nil) throws(KimiError) -> FileObject {
        let file = try OpenFile(reading: path)
        let size = try file.size()
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return try upload(.file(path), byteCount: size, filename: name, purpose: purpose, what: "\"\(path)\"", progress: progress)
    }

    /// Uploads bytes from memory as a file called `filename`. The memory is
    /// read while the call runs, not copied.
    public func uploadFile(borrowing memory: UnsafeRawBufferPointer, filename: String, purpose: String,
                           progress: ((Int64, Int64) -> Bool)? = nil) throws(KimiError) -> FileObject {
        guard !filename.isEmpty, !filename.contains("/") else {
            throw .invalidArgument("filename: must be a plain, non-empty file name")
        }
        return try upload(.borrowed(memory), byteCount: memory.count, filename: filename, purpose: purpose,
                          what: "the data", progress: progress)
    }

    /// Uploads inline media (auto upload), with the purpose of its kind.
    func upload(_ media: InlineMedia) throws(KimiError) -> FileObject {
        let ext = media.format.mime.split(separator: "/").last.map(String.init) ?? "bin"
        let filename: String
        if case .file(let path) = media.source, let last = path.split(separator: "/").last {
            filename = String(last)
        } else {
            filename = "\(media.format.kind.rawValue).\(ext)"
        }
        return try upload(UploadSource(media.source), byteCount: media.byteCount, filename: filename,
                          purpose: media.format.kind.rawValue, what: media.label, progress: nil)
    }

    private func upload(_ source: UploadSource, byteCount: Int, filename: String, purpose: String, what: String,
                        progress: ((Int64, Int64) -> Bool)?) throws(KimiError) -> FileObject {
        guard Client.filePurposes.contains(purpose) else {
            throw .invalidArgument("purpose: \"\(purpose)\" is not one of file-extract, image, video, batch")
        }
        guard byteCount > 0 else { throw .invalidArgument("\(what) is empty; Kimi refuses empty files") }
        if config.kimiRules && byteCount > Client.maxFileBytes {
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
            case .borrowed(let memory):
                contentType = try InlineMedia.format(of: Array(memory.prefix(MediaDetector.headerLength)), kind: kind, what).mime
            }
        } else if purpose == "batch" {
            contentType = "application/jsonl"
        }
        let form = MultipartForm(fields: [("purpose", purpose)], filename: filename, contentType: contentType,
                                 source: source, byteCount: byteCount)
        var request = HTTPRequest(method: .post, url: config.base.endpoint("/files"), headers: config.uploadHeaders)
        request.form = form
        request.progress = progress
        return FileObject(try requestJSON(request))
    }

    public func listFiles() throws(KimiError) -> [FileObject] {
        let root = try requestJSON(HTTPRequest(method: .get, url: config.base.endpoint("/files"), headers: config.jsonHeaders))
        return (root.member("data")?.elements ?? []).map(FileObject.init)
    }

    public func retrieveFile(id: String) throws(KimiError) -> FileObject {
        FileObject(try requestJSON(HTTPRequest(method: .get, url: try fileURL(id), headers: config.jsonHeaders)))
    }

    /// Deletes a file; returns the server's `deleted` flag.
    public func deleteFile(id: String) throws(KimiError) -> Bool {
        let root = try requestJSON(HTTPRequest(method: .delete, url: try fileURL(id), headers: config.jsonHeaders))
        return root.member("deleted")?.bool ?? true
    }

    /// The extracted text of a `file-extract` file.
    public func fileContent(id: String) throws(KimiError) -> TextBuffer {
        try perform(HTTPRequest(method: .get, url: try fileURL(id) + "/content", headers: config.jsonHeaders)).body
    }

    func fileURL(_ id: String) throws(KimiError) -> String {
        config.base.endpoint("/files/" + (try pathSegment(id, "file_id")))
    }

    /// An id that is safe in a URL path (Kimi's ids are letters, digits,
    /// '-', '_' and '.').
    func pathSegment(_ id: String, _ name: String) throws(KimiError) -> String {
        guard !id.isEmpty, id != ".", id != "..", id.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F || c == 0x2E
        }) else {
            throw .invalidArgument("\(name): \"\(id)\" is not an id (letters, digits, '-', '_' and '.')")
        }
        return id
    }
}

func megabytes(_ bytes: Int) -> String {
    let mb = Double(bytes) / 1_048_576
    return "\(Double(Int(mb * 10)) / 10) MB"
}
