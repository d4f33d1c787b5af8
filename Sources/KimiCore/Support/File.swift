import CKimiShims
import Glibc

/// A regular file open for reading, closed in `deinit`.
final class OpenFile {
    let fd: Int32
    let path: String

    /// Opens `path`, which must be a regular file: a FIFO, a device
    /// (`/dev/zero`), a socket or a directory is refused before anything is
    /// read, and the open itself never blocks (O_NONBLOCK, dropped once the
    /// file is known to be regular).
    init(reading path: String) throws(KimiError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            throw .invalidArgument("path: cannot read \(quoted(path)): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .invalidArgument("path: cannot stat \(quoted(path)): \(reason)")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .invalidArgument("path: \(quoted(path)) is \(OpenFile.describe(info.st_mode)), not a regular file")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.path = path
    }

    private static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }

    deinit { close(fd) }

    /// What tells this file's contents apart over time: its size and
    /// modification time now (nil when it cannot be read).
    struct Stamp: Equatable {
        let size: Int
        let modified: Int
        let modifiedNanos: Int
    }

    func stamp() -> Stamp? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return Stamp(size: Int(info.st_size), modified: Int(info.st_mtim.tv_sec), modifiedNanos: Int(info.st_mtim.tv_nsec))
    }

    /// The file's size now.
    func size() throws(KimiError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .invalidArgument("path: cannot stat \(quoted(path)): \(String(cString: strerror(errno)))")
        }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes (fewer only at the end of the file).
    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(KimiError) -> Int {
        var done = 0
        while done < count {
            let n = Glibc.read(fd, buffer + done, count - done)
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw KimiError(.invalidArgument, "path: reading \(quoted(path)) failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset` into `buffer`; false when the
    /// file has fewer there (or a read fails).
    func read(at offset: Int, into buffer: UnsafeMutableRawPointer, count: Int) -> Bool {
        guard offset >= 0, count >= 0 else { return false }
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            done += n
        }
        return true
    }

    /// `count` bytes at `offset`, or nil when the file has fewer (or a read fails).
    func bytes(at offset: Int, count: Int) -> [UInt8]? {
        guard offset >= 0, count > 0 else { return nil }
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
            initialized = done
        }
        return bytes.count == count ? bytes : nil
    }
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR; a failed
/// write throws, naming `what` (the path, or the descriptor) and the reason.
/// A closed pipe or socket is such a failure, never a SIGPIPE in the host.
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, what: String? = nil) throws(KimiError) {
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
        let n = CKimiShims_write_quiet(fd, base + done, UInt(bytes.count - done))
        if n < 0 {
            if errno == EINTR { continue }
            throw .invalidArgument("\(what ?? "fd: \(fd)"): writing failed: \(String(cString: strerror(errno)))")
        }
        done += n
    }
}
