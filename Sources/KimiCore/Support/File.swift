import Glibc

/// An open file descriptor, closed in `deinit`.
final class OpenFile {
    let fd: Int32
    let path: String

    init(reading path: String) throws(KimiError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .invalidArgument("path: cannot read \"\(path)\": \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// Size of a regular file.
    func size() throws(KimiError) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .invalidArgument("path: cannot stat \"\(path)\": \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .invalidArgument("path: \"\(path)\" is not a regular file") }
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
                throw KimiError(.invalidArgument, "path: reading \"\(path)\" failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
        return done
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
