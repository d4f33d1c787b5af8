import Glibc

/// Writes a batch input file (JSONL) one request at a time.
///
/// Each `add` checks the request (Kimi's pre-flight rules, the batch rules:
/// one model per file, a model the Batch API serves; the custom id, the
/// 100 MB file limit) and appends one complete line, so memory stays
/// flat in the number of requests: lines go to disk through a 64 KB buffer,
/// and duplicate ids are found through an 8-byte fingerprint per request,
/// confirmed by re-reading the file only when a fingerprint repeats.
public final class BatchInput {
    /// Kimi's batch input files are uploaded like any file: 100 MB at most.
    public static let maxFileBytes = Files.maxFileBytes
    public static let endpoint = "/v1/chat/completions"
    private static let flushThreshold = 64 << 10

    public let path: String
    private var fd: Int32
    /// Complete lines not yet written.
    private let pending = TextBuffer(capacity: flushThreshold + 4096)
    private var written = 0
    public private(set) var count = 0
    /// The model of line 1: a batch runs one model.
    public private(set) var model: String?
    private var fingerprints = Set<Int>()
    /// The documented context windows (a batch input has no client to list models).
    private let windows = ModelWindows()

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(KimiError) {
        guard !path.isEmpty else { throw .invalidArgument("path: must not be empty") }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .invalidArgument("path: cannot create \(quoted(path)): \(String(cString: strerror(errno)))")
        }
        self.path = path
    }

    deinit { _ = try? close() }

    public var isClosed: Bool { fd < 0 }

    /// Bytes in the file once everything added is written.
    public var byteCount: Int { written + pending.count }

    /// Appends the request as line `count + 1`. Nothing is written when it
    /// is refused.
    public func add(customID: String, request: ChatRequest) throws(KimiError) {
        let line = count + 1
        guard !isClosed else { throw .invalidArgument("the batch input \(quoted(path)) is already closed") }
        guard !customID.isEmpty else { throw .invalidArgument("line \(line): custom_id must not be empty") }
        let fingerprint = customID.hashValue
        if fingerprints.contains(fingerprint), let first = try lineOf(customID: customID) {
            throw .invalidArgument("line \(line): custom_id \(quoted(customID)) is already used by line \(first); custom ids must be unique within a batch")
        }
        let settled: ChatRequest
        do throws(KimiError) {
            settled = try BatchRules.line(try Preflight.settled(request, for: .create, windows: windows, log: .off),
                                          firstModel: model)
        } catch {
            throw error.prefixed("line \(line) (custom_id \(quoted(customID)))")
        }
        let body = RequestEncoder.encode(settled, for: .create)
        let start = pending.count
        pending.append("{\"custom_id\":")
        JSONWriter.appendQuoted(customID, to: pending)
        pending.append(",\"method\":\"POST\",\"url\":\"\(BatchInput.endpoint)\",\"body\":")
        let lineBytes = pending.count - start + body.count + 2
        guard written + start + lineBytes <= BatchInput.maxFileBytes else {
            pending.truncate(to: start)
            throw .invalidArgument("line \(line) (custom_id \(quoted(customID))): the file would grow to \(megabytes(written + start + lineBytes)), over Kimi's 100 MB batch file limit; start another batch")
        }
        do throws(KimiError) {
            try body.append(to: pending)
        } catch {
            pending.truncate(to: start)
            throw error.prefixed("line \(line) (custom_id \(quoted(customID)))")
        }
        pending.append("}\n")
        fingerprints.insert(fingerprint)
        count = line
        model = model ?? settled.model
        if pending.count >= BatchInput.flushThreshold { try flush() }
    }

    /// Writes what is buffered and closes the file; returns the number of
    /// lines. Idempotent.
    @discardableResult
    public func close() throws(KimiError) -> Int {
        guard !isClosed else { return count }
        defer {
            Glibc.close(fd)
            fd = -1
            fingerprints = []
        }
        try flush()
        return count
    }

    private func flush() throws(KimiError) {
        try writeAll(fd, UnsafeRawBufferPointer(start: pending.bytes, count: pending.count), what: "path: \(quoted(path))")
        written += pending.count
        pending.removeAll()
    }

    /// The line that already uses `customID`, by reading the file back:
    /// every line starts with the same `{"custom_id":<quoted id>,` bytes.
    private func lineOf(customID: String) throws(KimiError) -> Int? {
        try flush()
        let wanted = TextBuffer()
        wanted.append("{\"custom_id\":")
        JSONWriter.appendQuoted(customID, to: wanted)
        wanted.append(",")
        let reader = try OpenFile(reading: path)
        let blockSize = 64 << 10
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: blockSize)
        defer { block.deallocate() }
        var line = 1
        var matched = 0        // bytes of `wanted` found at the start of this line
        var skipping = false   // this line cannot match: look for its end
        while true {
            let n = try reader.read(into: block, count: blockSize)
            if n == 0 { return nil }
            var i = 0
            while i < n {
                if !skipping {
                    if block[i] == wanted.bytes[matched] {
                        matched += 1
                        i += 1
                        if matched == wanted.count { return line }
                        continue
                    }
                    skipping = true
                }
                guard let newline = memchr(block + i, 0x0A, n - i) else { break }
                i = UnsafeMutableRawPointer(newline) - UnsafeMutableRawPointer(block) + 1
                line += 1
                matched = 0
                skipping = false
            }
        }
    }
}
