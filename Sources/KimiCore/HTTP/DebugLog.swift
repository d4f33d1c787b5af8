import CCurl
import CKimiShims

/// The `KIMI_LOG=debug` view of a transfer: curl's own notes ("* ..."), the
/// request headers ("> ...") and the response headers ("< ..."). Header
/// values that carry credentials are replaced before the line is logged, and
/// the logger removes the API key from anything else. Bodies are not logged.
enum DebugLog {
    /// Headers whose values are secrets.
    static let secretHeaders: Set<String> = ["authorization", "proxy-authorization", "x-api-key", "api-key", "cookie"]

    static func enable(on easy: EasyHandle, for transfer: Transfer) {
        easy.set(CURLOPT_VERBOSE, 1)
        _ = CKimiShims_easy_setopt_debug_cb(easy.raw, debugCallback)
        easy.set(CURLOPT_DEBUGDATA, pointer: Unmanaged.passUnretained(transfer).toOpaque())
    }

    /// "Authorization: Bearer sk-..." becomes "Authorization: [redacted]".
    static func redactedHeader(_ line: Substring) -> String {
        guard let colon = line.firstIndex(of: ":"),
              secretHeaders.contains(line[..<colon].lowercased()) else { return String(line) }
        return line[...colon] + " [redacted]"
    }

    static func log(_ log: Logger, type: curl_infotype, _ bytes: UnsafeBufferPointer<UInt8>) {
        let marker: String
        switch type {
        case CURLINFO_TEXT: marker = "*"
        case CURLINFO_HEADER_OUT: marker = ">"
        case CURLINFO_HEADER_IN: marker = "<"
        default: return
        }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) where !line.isEmpty {
            log.log(.debug, "\(marker) \(redactedHeader(line))")
        }
    }
}

private let debugCallback: CKimiShims_debug_cb = { _, type, data, size, user in
    guard let user, let data else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(user).takeUnretainedValue()
    DebugLog.log(transfer.log, type: type, UnsafeBufferPointer(start: UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size))
    return 0
}
