import Glibc
import KimiCore

/// The calling thread's last error, behind the kimi_error_* functions. Each
/// thread gets its own object (a pthread key whose destructor releases it),
/// so one thread's failure never overwrites another's message.
///
/// Every text here passed the gate: the error's fields from the server did
/// where the call ended, and the message is made one line without control
/// characters once more here (it may quote a caller's argument too).
final class LastError {
    var status = Status.ok
    var kind = ErrorKind.none
    var httpStatus: Int32 = 0
    var retryAfterMs: Int64 = -1
    let message = GatedText()
    /// The message without the function's name and the C hint, for bindings.
    let detail = GatedText()
    /// The hint's stable name ("" when none).
    let hint = GatedText()
    let type = GatedText()
    let code = GatedText()
    let requestID = GatedText()
    let body = GatedText()
    /// The error answer's headers (none when there was no answer).
    var headers = HeaderTexts([])

    func record(_ error: KimiError, message text: String) {
        status = error.status
        kind = error.kind
        httpStatus = Int32(clamping: error.httpStatus)
        retryAfterMs = error.retryAfterMs
        message.set(Gate.none.admit(text))
        detail.set(Gate.none.admit(error.message))
        hint.set(Gate.none.admit(error.hint?.rawValue ?? ""))
        type.set(error.type)
        code.set(error.code)
        requestID.set(error.requestID)
        body.set(error.body)
        if !error.headers.isEmpty || headers.count > 0 { headers = HeaderTexts(error.headers) }
    }

    func clear() {
        guard status != .ok else { return }
        status = .ok
        kind = .none
        httpStatus = 0
        retryAfterMs = -1
        for text in [message, detail, hint, type, code, requestID, body] { text.set(.empty) }
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
