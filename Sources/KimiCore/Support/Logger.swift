import CKimiShims
import Glibc

public enum LogLevel: Int32, Sendable, Comparable {
    case error = 1, warn = 2, info = 3, debug = 4

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    init?(name: String) {
        switch name.lowercased() {
        case "error": self = .error
        case "warn", "warning": self = .warn
        case "info": self = .info
        case "debug": self = .debug
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .error: return "error"
        case .warn: return "warn"
        case .info: return "info"
        case .debug: return "debug"
        }
    }
}

/// Where a client's log lines go: the caller's callback, or stderr when
/// `KIMI_LOG` names a level. Every line passes the client's gate: no API
/// key, no control character (a line may quote what a server sent).
public struct Logger: @unchecked Sendable {
    public typealias Sink = @Sendable (LogLevel, String) -> Void

    let level: LogLevel?
    let sink: Sink?
    var gate = Gate.none

    /// No logging.
    public static let off = Logger(level: nil, sink: nil)

    init(level: LogLevel?, sink: Sink?) {
        self.level = level
        self.sink = sink
    }

    /// The logger a client gets: its options, else `KIMI_LOG` to stderr.
    static func resolve(level: LogLevel?, sink: Sink?) -> Logger {
        if let sink { return Logger(level: level ?? .info, sink: sink) }
        if let level { return Logger(level: level, sink: Logger.stderr) }
        if let name = environment("KIMI_LOG") {
            if let level = LogLevel(name: name) { return Logger(level: level, sink: Logger.stderr) }
            if !["", "off", "none", "0"].contains(name.lowercased()) { _ = Logger.unknownLevelWarning }
        }
        return .off
    }

    /// A KIMI_LOG value that names no level is said once per process, not
    /// silently ignored.
    private static let unknownLevelWarning: Void = {
        let value = environment("KIMI_LOG") ?? ""
        // The environment is outside text: no control character reaches the terminal.
        Logger.stderr(.warn, "KIMI_LOG=\(excerpt(Gate.none.admit(value).string)) is not a log level (error, warn, info, debug or off); logging stays off")
    }()

    /// One write(2) per line, so lines from several threads do not mix; a
    /// closed stderr pipe loses the line, never raises SIGPIPE.
    static let stderr: Sink = { level, message in
        var line = "libkimi \(level.name): \(message)\n"
        line.withUTF8 { _ = CKimiShims_write_quiet(2, $0.baseAddress, UInt($0.count)) }
    }

    public func enabled(_ level: LogLevel) -> Bool {
        guard let threshold = self.level else { return false }
        return level <= threshold
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard enabled(level), let sink else { return }
        sink(level, gate.admit(message()).string)
    }
}
