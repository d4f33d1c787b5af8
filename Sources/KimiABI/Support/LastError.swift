import Glibc
import KimiCore

/// The calling thread's last error, behind the kimi_error_* functions. Each
/// thread gets its own object (a pthread key whose destructor releases it),
/// so one thread's failure never overwrites another's message.
final class LastError {
    var status = Status.ok
    var kind = ErrorKind.none
    var httpStatus: Int32 = 0
    var retryAfterMs: Int64 = -1
    let message = TextBuffer()
    /// The message without the function's name and the C hint, for bindings.
    let detail = TextBuffer()
    /// The hint's stable name ("" when none).
    let hint = TextBuffer()
    let type = TextBuffer()
    let code = TextBuffer()
    let requestID = TextBuffer()
    let body = TextBuffer()
    /// The error answer's headers (none when there was no answer).
    var headers = HeaderTexts([])

    func record(_ error: KimiError, message text: String) {
        status = error.status
        kind = error.kind
        httpStatus = Int32(clamping: error.httpStatus)
        retryAfterMs = error.retryAfterMs
        for (buffer, text) in [(message, text), (detail, error.message), (hint, error.hint?.rawValue ?? ""),
                               (type, error.type), (code, error.code), (requestID, error.requestID),
                               (body, error.body)] {
            buffer.removeAll()
            buffer.append(text)
        }
        if !error.headers.isEmpty || headers.count > 0 { headers = HeaderTexts(error.headers) }
    }

    func clear() {
        guard status != .ok else { return }
        status = .ok
        kind = .none
        httpStatus = 0
        retryAfterMs = -1
        for buffer in [message, detail, hint, type, code, requestID, body] { buffer.removeAll() }
        if headers.count > 0 { headers = HeaderTexts([]) }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { object in
            guard let object else { return }
            Unmanaged<LastError>.fromOpaque(object).release()
        }
        return key
    }()

    /// This thread's object, created on first use.
    static var current: LastError {
        if let existing = pthread_getspecific(key) {
            return Unmanaged<LastError>.fromOpaque(existing).takeUnretainedValue()
        }
        let created = LastError()
        pthread_setspecific(key, Unmanaged.passRetained(created).toOpaque())
        return created
    }

    /// Like `current`, but nil when this thread never failed (a cheap clear).
    static var existing: LastError? {
        pthread_getspecific(key).map { Unmanaged<LastError>.fromOpaque($0).takeUnretainedValue() }
    }
}
