import CCurl
import CKimiShims
import Glibc

/// The oldest libcurl libkimi runs on: 7.85.0 brought CURLOPT_PROTOCOLS_STR,
/// the newest of the functions and options it uses (curl_url_strerror came
/// with 7.80, curl_multi_wakeup with 7.68).
let minimumCurl = (number: UInt32(0x07_55_00), text: "7.85.0")

/// libcurl's process-wide init and version check, done once before any other
/// curl call: an older libcurl (RHEL 9 has 7.76) is refused with a message
/// instead of failing at the first function it lacks. A global `let` is
/// initialised exactly once, thread-safely; the installed libcurl has the
/// `threadsafe` feature, so this may race with nothing.
let curlProblem: KimiError? = {
    let code = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    guard code == CURLE_OK else { return KimiError(.internal, "curl_global_init failed: \(curlMessage(code))") }
    guard let info = curl_version_info(CURLVERSION_FIRST)?.pointee, info.version_num < minimumCurl.number else {
        return nil
    }
    return KimiError(.internal, "libcurl \(String(cString: info.version)) is older than \(minimumCurl.text), the oldest "
                     + "libkimi runs on: install a newer libcurl, or use the Python wheel, which carries its own")
}()

/// Throws why libcurl cannot be used, if it cannot.
func requireCurl() throws(KimiError) {
    if let problem = curlProblem { throw problem }
}

func curlMessage(_ code: CURLcode) -> String {
    String(cString: curl_easy_strerror(code))
}

/// One curl easy handle; `deinit` cleans it up.
///
/// It never lets curl use signals, from its creation to its cleanup (also
/// after `reset`): the host is threaded, and a handle without
/// CURLOPT_NOSIGNAL makes curl set SIGPIPE to SIG_IGN and back around its
/// work, curl_easy_cleanup included, which changes the host's disposition
/// under its other threads (Tests/c/test_signals.c).
final class EasyHandle {
    let raw: UnsafeMutableRawPointer

    init() throws(KimiError) {
        try requireCurl()
        guard let raw = curl_easy_init() else { throw KimiError(.noMemory, "curl_easy_init failed") }
        self.raw = raw
        set(CURLOPT_NOSIGNAL, 1)
    }

    deinit { curl_easy_cleanup(raw) }

    @discardableResult
    func set(_ option: CURLoption, _ value: Int) -> CURLcode {
        CKimiShims_easy_setopt_long(raw, option, value)
    }

    @discardableResult
    func set(_ option: CURLoption, offset value: Int64) -> CURLcode {
        CKimiShims_easy_setopt_off(raw, option, curl_off_t(value))
    }

    /// curl copies string options (except POSTFIELDS, set through `pointer`).
    @discardableResult
    func set(_ option: CURLoption, _ value: String) -> CURLcode {
        value.withCString { CKimiShims_easy_setopt_string(raw, option, $0) }
    }

    @discardableResult
    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) -> CURLcode {
        CKimiShims_easy_setopt_pointer(raw, option, value)
    }

    @discardableResult
    func set(_ option: CURLoption, callback: CKimiShims_data_cb) -> CURLcode {
        CKimiShims_easy_setopt_data_cb(raw, option, callback)
    }

    /// Back to curl's defaults, but for CURLOPT_NOSIGNAL.
    func reset() {
        curl_easy_reset(raw)
        set(CURLOPT_NOSIGNAL, 1)
    }

}

/// One curl multi handle; `deinit` cleans it up. Blocking calls drive a
/// private multi so that `curl_multi_wakeup` can interrupt their wait.
final class MultiHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    init() throws(KimiError) {
        try requireCurl()
        guard let raw = curl_multi_init() else { throw KimiError(.noMemory, "curl_multi_init failed") }
        self.raw = raw
        // The multi's own internal handle (it closes the connections at
        // curl_multi_cleanup) takes CURLOPT_NOSIGNAL only from a handle
        // added to the multi: without one, a multi that never ran a
        // transfer set SIGPIPE to SIG_IGN and back when cleaned up. One is
        // added and removed before any callback is set.
        let signalFree = try EasyHandle()
        _ = add(signalFree)
        remove(signalFree)
    }

    deinit { curl_multi_cleanup(raw) }

    func add(_ easy: EasyHandle) -> CURLMcode { curl_multi_add_handle(raw, easy.raw) }
    func remove(_ easy: EasyHandle) { curl_multi_remove_handle(raw, easy.raw) }

    @discardableResult
    func set(_ option: CURLMoption, _ value: Int) -> CURLMcode {
        CKimiShims_multi_setopt_long(raw, option, value)
    }

    /// Runs transfers as far as they go without blocking.
    func perform() -> CURLMcode {
        var running: Int32 = 0
        return curl_multi_perform(raw, &running)
    }

    /// Waits for socket activity, curl's own timers, `timeoutMs`, or a wakeup.
    func poll(timeoutMs: Int32) -> CURLMcode {
        curl_multi_poll(raw, nil, 0, timeoutMs, nil)
    }

    /// Interrupts a `poll` from any thread.
    func wakeup() { _ = curl_multi_wakeup(raw) }

    /// The next finished transfer: its easy handle and result.
    func nextCompletion() -> (easy: UnsafeMutableRawPointer?, result: CURLcode)? {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(raw, &remaining) {
            if message.pointee.msg == CURLMSG_DONE {
                return (message.pointee.easy_handle, message.pointee.data.result)
            }
        }
        return nil
    }
}

/// A curl share handle for the DNS cache and TLS sessions of one client, with
/// one mutex per kind of shared data. Connections are deliberately not
/// shared here: curl documents sharing its connection cache between
/// concurrent threads as unsupported, so warm connections travel between
/// threads inside pooled sessions instead (see SessionPool).
final class ShareHandle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private static let lockCount = Int(CURL_LOCK_DATA_LAST.rawValue)

    init() throws(KimiError) {
        try requireCurl()
        guard let raw = curl_share_init() else { throw KimiError(.noMemory, "curl_share_init failed") }
        self.raw = raw
        locks = .allocate(capacity: ShareHandle.lockCount)
        for i in 0..<ShareHandle.lockCount { pthread_mutex_init(locks + i, nil) }
        _ = CKimiShims_share_setopt_pointer(raw, CURLSHOPT_USERDATA, UnsafeMutableRawPointer(locks))
        _ = CKimiShims_share_setopt_locks(raw, { _, data, _, user in
            guard let user else { return }
            pthread_mutex_lock(user.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        }, { _, data, user in
            guard let user else { return }
            pthread_mutex_unlock(user.assumingMemoryBound(to: pthread_mutex_t.self) + Int(data.rawValue))
        })
        _ = CKimiShims_share_setopt_long(raw, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        _ = CKimiShims_share_setopt_long(raw, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
    }

    deinit {
        curl_share_cleanup(raw)
        for i in 0..<ShareHandle.lockCount { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }
}
