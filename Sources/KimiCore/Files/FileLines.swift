import Glibc

extension Files {
    /// Reads a file's content (`GET /files/{id}/content`) as it arrives, on
    /// the calling thread: `consume` gets the bytes received so far (it
    /// removes from the front what it used; memory holds what it leaves and
    /// one network read, never the whole file), the content's announced size
    /// (-1 when the server gave none), and true once the body is complete;
    /// it returns false to stop, and the result is then false. A transfer
    /// that fails after the body started hands what arrived to `consume`
    /// first, then throws. Both readers below go through here.
    func readContent(of id: String, cancel: CancelToken?,
                     _ consume: (TextBuffer, _ size: Int64, _ finished: Bool) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var request = HTTPRequest(method: .get, url: try url(id, "/content"), headers: client.config.jsonHeaders)
        request.expects = .lines
        var options = CallOptions()
        options.cancel = cancel
        let sink = ByteSink("the download")
        let call = try client.call(request, options, sink: sink)
        let run = try BlockingRun(call, engine: client.engine)
        while true {
            switch call.pull() {
            case .waiting:
                run.round()
            case .produced:
                guard let transfer = call.transfer else { continue }
                let size = Files.contentLength(transfer.head.fields)
                guard try consume(transfer.inbound, size, false) else {
                    run.end(KimiError(.aborted, "the reader stopped (\(call.request.label))"))
                    return false
                }
                sink.leftover = transfer.inbound.count
            case .over:
                run.reap()
                guard call.isStreaming, let transfer = call.transfer else {
                    // Over without a body to read: the call's error (a refusal, say).
                    throw call.error ?? KimiError(.internal, "the file's content ended without an answer")
                }
                // What is left (a last line without its end) goes once more,
                // with the verdict on the body's end.
                guard try consume(transfer.inbound, Files.contentLength(transfer.head.fields), call.error == nil) else {
                    return false
                }
                if let error = call.error { throw error }
                return true
            }
        }
    }

    /// `Content-Length` as a count, or -1 when absent or not a number.
    private static func contentLength(_ fields: [(name: String, value: String)]) -> Int64 {
        guard let value = fields.last(where: { $0.name == "content-length" })?.value,
              !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return -1 }
        return Int64(value) ?? -1
    }

    /// Reads a file's content line by line as it arrives (batch results):
    /// `body` gets each non-empty line (without its line end) and its
    /// 1-based number, NUL-terminated in place (for the scanner), and
    /// returns false to stop; the result is false when it stopped early.
    func forEachLine(of id: String, cancel: CancelToken?,
                     _ body: (UnsafeRawBufferPointer, Int) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var lines = LineSplitter()
        return try readContent(of: id, cancel: cancel) { inbound, _, finished throws(KimiError) in
            try lines.split(inbound, last: finished, body)
        }
    }

    /// Writes a file's content to `write` piece by piece as it arrives, never
    /// holding the whole body; `progress` gets (bytes so far, the announced
    /// size or 0) after each piece. Either returning false stops the
    /// download with `.aborted`. A body cut before its end throws
    /// `.incomplete` saying how much arrived (all of which was written).
    /// Returns the bytes written.
    public func writeContent(of id: String, cancel: CancelToken?, progress: ((Int64, Int64) -> Bool)?,
                             _ write: (UnsafeRawBufferPointer) throws(KimiError) -> Bool) throws(KimiError) -> Int64 {
        var written: Int64 = 0
        var announced: Int64 = -1
        var stopped: KimiError?  // a callback's own end: said as it is
        var short: KimiError?    // a body that ended short of its Content-Length
        do throws(KimiError) {
            let finished = try readContent(of: id, cancel: cancel) { inbound, size, finished throws(KimiError) in
                announced = size
                if inbound.count > 0 {
                    do throws(KimiError) {
                        guard try write(UnsafeRawBufferPointer(start: inbound.bytes, count: inbound.count)) else {
                            stopped = KimiError(.aborted, "the write callback stopped the download of file \(id) after \(written) bytes")
                            return false
                        }
                    } catch {
                        stopped = error
                        return false
                    }
                    written = written.saturatingAdd(Int64(inbound.count))
                    inbound.removeAll()
                    if let progress, !progress(written, max(size, 0)) {
                        stopped = KimiError(.aborted, "the progress callback stopped the download of file \(id) after \(written) bytes")
                        return false
                    }
                }
                if finished && size >= 0 && written != size {
                    short = KimiError(.incomplete, "the content of file \(id) ended after \(written) of its \(size) bytes")
                }
                return true
            }
            if !finished { throw stopped ?? KimiError(.aborted, "the download of file \(id) was stopped") }
        } catch {
            // The call's verdict on a body that broke: say how much of it was written.
            guard stopped == nil, written > 0 else { throw error }
            var cut = error
            if cut.status == .transport { cut.status = .incomplete }
            let of = announced >= 0 ? " of \(announced)" : ""
            cut.message = "the content of file \(id) was cut after \(written)\(of) bytes (all of them written): \(cut.message)"
            throw cut
        }
        if let short { throw short }
        return written
    }
}
