import CCurl
import CKimiShims

/// The state of one HTTP exchange and the curl callbacks that fill it.
///
/// curl calls the header and write callbacks with this object as user data.
/// The callbacks only record: headers of interest, and body bytes appended
/// to `body` (whole answers and error bodies) or `inbound` (event streams,
/// decoded later by the caller). Nothing here parses JSON.
final class Transfer {
    enum BodyMode { case pending, whole, stream }
    enum Abort { case none, bodyTooLarge, eventTooLarge, headersTooLarge, unrequestedEncoding, progressStopped, bodyUnreadable }

    let request: HTTPRequest
    let maxBodyBytes: Int
    let maxEventBytes: Int
    /// The client's logger, for the debug view of the transfer.
    private(set) var log = Logger.off

    /// The status line and headers of the (latest) response.
    private(set) var head = ResponseHead()
    var status: Int { head.status }
    var contentType: String { head.contentType }
    var requestID: String { head.requestID }
    var retryAfterMs: Int64 { head.retryAfterMs }
    var location: String { head.location }
    /// The easy handle running this transfer, for curl_easy_getinfo.
    private var easyRaw: UnsafeMutableRawPointer?
    private(set) var mode = BodyMode.pending
    /// A whole response body, or the body of an error answer.
    let body = TextBuffer()
    /// Undecoded event-stream (or streamed body) bytes; the reader consumes
    /// from the front.
    let inbound = TextBuffer(capacity: 512)
    private(set) var bytesReceived = 0
    private(set) var lastActivity: UInt64 = monotonicNanos()
    /// When the first body byte arrived (monotonic ns); 0 before.
    private(set) var firstByteAt: UInt64 = 0
    private(set) var abort = Abort.none
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    /// Streams a body with inline media (base64 made on the fly).
    private(set) var bodyReader: BodyReader?
    /// The curl MIME structure of an upload; freed once curl is done with it.
    private var mime: OpaquePointer?
    private var uploaded: Int64 = 0
    private var reportedTotal: Int64 = -1
    /// Called (on curl's thread) after event-stream bytes arrive; the event
    /// loop uses it to find the tasks with something to deliver.
    var onStreamBytes: (() -> Void)?
    /// Receiving pauses once this many undecoded streamed bytes wait (the
    /// transport resumes it when their reader has taken what it could): curl
    /// reads a ready socket up to 100 times in one go, which would otherwise
    /// pile up that many reads.
    var pauseAtInbound = Int.max

    init(request: HTTPRequest, maxBodyBytes: Int, maxEventBytes: Int) {
        self.request = request
        self.maxBodyBytes = maxBodyBytes
        self.maxEventBytes = maxEventBytes
        errorBuffer[0] = 0
    }

    deinit {
        errorBuffer.deallocate()
        if let mime { curl_mime_free(mime) }
    }

    /// Why an upload's file part could not be read (it changed).
    private var uploadError: KimiError?

    /// Why the request body could not be read (a media file changed).
    var bodyError: KimiError? { bodyReader?.error ?? uploadError }

    var isSuccess: Bool { (200..<300).contains(status) }

    /// curl's own description of the last failure (the error buffer), if any.
    var curlErrorText: String {
        errorBuffer[Int(CURL_ERROR_SIZE)] = 0
        return String(cString: errorBuffer)
    }

    /// Points `easy` at this transfer. `easy` must be freshly reset.
    /// `timeoutMs` bounds the attempt (what is left of the call's whole
    /// timeout; 0: none).
    func configure(_ easy: EasyHandle, client: ClientConfig, timeoutMs: UInt32) throws(KimiError) {
        let user = Unmanaged.passUnretained(self).toOpaque()
        easyRaw = easy.raw
        log = client.log
        easy.set(CURLOPT_URL, request.url)
        easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        easy.set(CURLOPT_CONNECTTIMEOUT_MS, Int(client.connectTimeoutMs))
        easy.set(CURLOPT_TIMEOUT_MS, Int(timeoutMs))
        easy.set(CURLOPT_USERAGENT, client.userAgent)
        easy.set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(request.headers.raw))
        easy.set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        easy.set(CURLOPT_SHARE, pointer: client.share.raw)
        easy.set(CURLOPT_HEADERFUNCTION, callback: transferHeaderCallback)
        easy.set(CURLOPT_HEADERDATA, pointer: user)
        easy.set(CURLOPT_WRITEFUNCTION, callback: transferWriteCallback)
        easy.set(CURLOPT_WRITEDATA, pointer: user)
        if client.log.enabled(.debug) { DebugLog.enable(on: easy, for: self) }
        // curl's defaults, set anyway: the peer's certificate and host name
        // are always verified, and redirects are never followed (a redirect
        // must not carry the Authorization header to another host).
        easy.set(CURLOPT_SSL_VERIFYPEER, 1)
        easy.set(CURLOPT_SSL_VERIFYHOST, 2)
        easy.set(CURLOPT_FOLLOWLOCATION, 0)
        if let caFile = client.caFile { easy.set(CURLOPT_CAINFO, caFile) }
        if let proxy = client.proxy { easy.set(CURLOPT_PROXY, proxy) }
        switch request.method {
        case .get:
            easy.set(CURLOPT_HTTPGET, 1)
        case .delete:
            easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
        case .post:
            if let form = request.form {
                let mime = try form.build(on: easy) { [weak self] error in
                    self?.uploadError = error
                    self?.abort = .bodyUnreadable
                }
                self.mime = mime
                easy.set(CURLOPT_MIMEPOST, pointer: UnsafeMutableRawPointer(mime))
            } else if let body = request.body, body.contiguousText == nil {
                // Inline media: curl pulls the body through the read callback.
                bodyReader = BodyReader(body)
                easy.set(CURLOPT_POST, 1)
                easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(body.count))
                easy.set(CURLOPT_READFUNCTION, callback: transferReadCallback)
                easy.set(CURLOPT_READDATA, pointer: user)
            } else {
                easy.set(CURLOPT_POST, 1)
                let text = request.body?.contiguousText ?? TextBuffer()
                // POSTFIELDS is not copied by curl; `request` keeps the buffer alive.
                easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: Int64(text.count))
                easy.set(CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: text.bytes))
            }
            if request.form != nil || bodyReader != nil || request.progress != nil {
                // Uploads report progress, and bytes sent count as activity
                // for the idle timeout.
                easy.set(CURLOPT_NOPROGRESS, 0)
                _ = CKimiShims_easy_setopt_xferinfo_cb(easy.raw, transferProgressCallback)
                easy.set(CURLOPT_XFERINFODATA, pointer: user)
            }
        }
    }

    fileprivate func readBody(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        guard let bodyReader else { return 0 }
        noteActivity()
        let n = bodyReader.read(into: buffer, capacity: capacity)
        if n == nil { abort = .bodyUnreadable }
        return n
    }

    /// Returns false to stop the transfer (the progress callback said so).
    /// The caller's callback hears only changes: curl calls this often
    /// while it waits.
    fileprivate func progress(sent: Int64, total: Int64) -> Bool {
        guard sent != uploaded || total != reportedTotal else { return true }
        if sent != uploaded { noteActivity() }
        uploaded = sent
        reportedTotal = total
        guard let report = request.progress, total > 0 else { return true }
        if report(sent, total) { return true }
        abort = .progressStopped
        return false
    }

    func noteActivity() { lastActivity = monotonicNanos() }

    /// Receiving is paused because the reader is behind (an event queue
    /// over its limit): the server is not silent, so no idle timeout runs.
    private(set) var isPaused = false

    /// Stops reading the socket (the kernel's buffers, then TCP flow
    /// control, hold the rest). On the thread that drives the transfer.
    func pauseReceiving() {
        guard let easyRaw, !isPaused else { return }
        isPaused = true
        _ = curl_easy_pause(easyRaw, CURLPAUSE_RECV)
    }

    /// Reads again; curl may deliver what it held back at once.
    func resumeReceiving() {
        guard let easyRaw, isPaused else { return }
        isPaused = false
        noteActivity()
        _ = curl_easy_pause(easyRaw, CURLPAUSE_CONT)
    }

    /// Returns false to make curl abort the transfer (too many header bytes,
    /// or a body encoded in a way nobody asked for).
    func receiveHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        noteActivity()
        guard head.read(line) == .end else {
            if head.totalBytes > ResponseHead.maxBytes {
                abort = .headersTooLarge
                return false
            }
            return true
        }
        if let easyRaw {
            var code = 0
            _ = CKimiShims_easy_getinfo_long(easyRaw, CURLINFO_RESPONSE_CODE, &code)
            head.settleStatus(code)
            if head.retryAfterRaw != nil {
                var seconds: curl_off_t = 0
                _ = CKimiShims_easy_getinfo_off(easyRaw, CURLINFO_RETRY_AFTER, &seconds)
                head.settleRetryAfter(curlSeconds: Int64(seconds))
            }
        }
        guard head.status >= 200 else { return true }
        if head.hasUnrequestedEncoding {
            abort = .unrequestedEncoding
            return false
        }
        let streamed: Bool
        switch request.expects {
        case .whole: streamed = false
        case .lines, .bytes: streamed = true
        case .eventStream: streamed = contentType.hasPrefix("text/event-stream") || contentType.isEmpty
        }
        mode = streamed && isSuccess ? .stream : .whole
        return true
    }

    /// Returns false to make curl abort the transfer (a size limit was hit).
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        noteActivity()
        if bytesReceived == 0 { firstByteAt = lastActivity }
        bytesReceived += bytes.count
        if mode == .stream {
            // What waits for its line (or event) end is bounded; a body read
            // as bytes is taken whole every round, so it never waits.
            guard request.expects == .bytes || inbound.count + bytes.count <= maxEventBytes + PollTransport.receiveBufferBytes else {
                abort = .eventTooLarge
                return false
            }
            inbound.append(bytes)
            if inbound.count >= pauseAtInbound { pauseReceiving() }
            onStreamBytes?()
        } else {
            guard body.count + bytes.count <= maxBodyBytes else {
                abort = .bodyTooLarge
                return false
            }
            body.append(bytes)
        }
        return true
    }
}

private let transferHeaderCallback: CKimiShims_data_cb = { buffer, size, count, user in
    let total = size &* count
    guard let user, let buffer else { return total }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    let line = UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: total)
    return transfer.receiveHeader(line) ? total : 0
}

private let transferReadCallback: CKimiShims_data_cb = { buffer, size, count, user in
    guard let user, let buffer else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.readBody(into: UnsafeMutableRawPointer(buffer), capacity: size &* count) ?? CKimiShims_readfunc_abort()
}

private let transferProgressCallback: CKimiShims_xferinfo_cb = { user, _, _, uploadTotal, uploadNow in
    guard let user else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.progress(sent: Int64(uploadNow), total: Int64(uploadTotal)) ? 0 : 1
}

private let transferWriteCallback: CKimiShims_data_cb = { buffer, size, count, user in
    let total = size &* count
    guard let user, let buffer else { return total }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: total)) ? total : 0
}
