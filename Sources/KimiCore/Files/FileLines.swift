import Glibc

extension Files {
    /// Reads a file's content (`GET /files/{id}/content`) line by line as it
    /// arrives: memory holds one line (and one network read), never the
    /// whole file. `body` gets each non-empty line (without its line end)
    /// and its 1-based number, NUL-terminated in place (for the scanner),
    /// and returns false to stop; the result is false when it stopped early.
    func forEachLine(of id: String, cancel: CancelToken?,
                     _ body: (UnsafeRawBufferPointer, Int) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var request = HTTPRequest(method: .get, url: try url(id, "/content"), headers: client.config.jsonHeaders)
        request.expects = .lines
        var options = CallOptions()
        options.cancel = cancel
        let call = try client.call(request, options)
        let driver = BlockingDriver(call, engine: client.engine)
        defer { driver.detach() }
        var number = 0
        var scanned = 0
        func deliver(_ inbound: TextBuffer, _ start: Int, _ end: Int) throws(KimiError) -> Bool {
            var end = end
            if end > start && inbound.bytes[end - 1] == 0x0D { end -= 1 }
            guard end > start else { return true }
            inbound.mutableBytes[end] = 0  // the line end (or the buffer's own NUL)
            number += 1
            return try body(UnsafeRawBufferPointer(start: inbound.bytes + start, count: end - start), number)
        }
        while true {
            driver.pump()
            guard let transfer = call.transfer, transfer.mode == .stream else {
                // Over without a body to read: the call's error (a refusal, say).
                throw call.error ?? KimiError(.internal, "the file's content ended without an answer")
            }
            let inbound = transfer.inbound
            var lineStart = 0
            while scanned < inbound.count,
                  let newline = memchr(inbound.bytes + scanned, 0x0A, inbound.count - scanned) {
                let end = UnsafeRawPointer(newline) - UnsafeRawPointer(inbound.bytes)
                guard try deliver(inbound, lineStart, end) else { return false }
                lineStart = end + 1
                scanned = lineStart
            }
            scanned = inbound.count - lineStart
            inbound.removeFirst(lineStart)
            if call.isFinished {
                if let error = call.error ?? call.streamEnd { throw error }
                return try deliver(inbound, 0, inbound.count)
            }
        }
    }
}
