import Glibc

extension Client {
    /// Reads a file's content (`GET /files/{id}/content`) line by line as it
    /// arrives: memory holds one line (and one network read), never the
    /// whole file. `body` gets each non-empty line (without its line end)
    /// and its 1-based number, NUL-terminated in place (for the scanner),
    /// and returns false to stop; the result is false when it stopped early.
    func forEachLine(ofFile id: String, cancel: CancelToken?,
                     _ body: (UnsafeRawBufferPointer, Int) throws(KimiError) -> Bool) throws(KimiError) -> Bool {
        var request = HTTPRequest(method: .get, url: try fileURL(id) + "/content", headers: config.jsonHeaders)
        request.bodyStream = true
        request.cancel = cancel
        let exchange = try retrying(request) { exchange throws(KimiError) in
            let transfer = exchange.transfer
            while transfer.mode == .pending && !exchange.isFinished { try exchange.step() }
            if transfer.mode == .stream { return exchange }
            try exchange.runToCompletion()
            if let error = exchange.transportError() { throw error }
            throw httpError(transfer)
        }
        defer { exchange.close() }
        let inbound = exchange.transfer.inbound
        var number = 0
        var scanned = 0
        func deliver(_ start: Int, _ end: Int) throws(KimiError) -> Bool {
            var end = end
            if end > start && inbound.bytes[end - 1] == 0x0D { end -= 1 }
            guard end > start else { return true }
            inbound.mutableBytes[end] = 0  // the line end (or the buffer's own NUL)
            number += 1
            return try body(UnsafeRawBufferPointer(start: inbound.bytes + start, count: end - start), number)
        }
        do throws(KimiError) {
            while true {
                var lineStart = 0
                while scanned < inbound.count,
                      let newline = memchr(inbound.bytes + scanned, 0x0A, inbound.count - scanned) {
                    let end = UnsafeRawPointer(newline) - UnsafeRawPointer(inbound.bytes)
                    guard try deliver(lineStart, end) else { return false }
                    lineStart = end + 1
                    scanned = lineStart
                }
                scanned = inbound.count - lineStart
                inbound.removeFirst(lineStart)
                if exchange.isFinished {
                    if let error = exchange.transportError() { throw error }
                    return try deliver(0, inbound.count)
                }
                try exchange.step()
            }
        } catch {
            throw redacted(error)
        }
    }
}
