import Glibc

/// A growable byte buffer that always keeps a NUL byte after its contents.
///
/// It is the one storage type for text the library hands to C: accumulated
/// stream text, response fields, request bodies. Because the NUL is always
/// there, `cString` needs no copy, and the address stays valid until the
/// next mutation. Growth doubles, so appends are amortised O(1); it is
/// `realloc`, which moves a large buffer's pages instead of copying them
/// into fresh ones (a long answer is grown without touching its bytes
/// again).
///
/// Its stored properties are not public, and nothing holds one of them
/// across a call: so the whole-module optimizer proves their accesses
/// never overlap and drops the run-time exclusivity checks (public stored
/// properties keep them), which matters on the stream path (several
/// appends per chunk).
public final class TextBuffer {
    private var used: Int = 0
    private var capacity: Int
    private var storage: UnsafeMutablePointer<UInt8>

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 15)
        storage = TextBuffer.allocate(self.capacity + 1)
        storage[0] = 0
    }

    /// `bytes` from malloc, or `realloc` of `old`; out of memory traps, as
    /// Swift's own allocations do.
    private static func allocate(_ bytes: Int, growing old: UnsafeMutablePointer<UInt8>? = nil) -> UnsafeMutablePointer<UInt8> {
        guard let memory = realloc(old, bytes) else { fatalError("out of memory (\(bytes) bytes for a text buffer)") }
        return memory.assumingMemoryBound(to: UInt8.self)
    }

    public convenience init(_ string: String) {
        self.init(capacity: string.utf8.count)
        append(string)
    }

    public convenience init(bytes: UnsafeRawBufferPointer) {
        self.init(capacity: bytes.count)
        append(bytes)
    }

    deinit { free(storage) }

    /// Bytes held (the NUL after them not counted).
    public var count: Int { used }
    public var isEmpty: Bool { used == 0 }
    /// Bytes of memory held for contents (the NUL's byte not counted).
    public var allocatedCapacity: Int { capacity }

    /// Pointer to the first byte; `count` bytes follow, then a NUL.
    public var bytes: UnsafePointer<UInt8> { UnsafePointer(storage) }
    public var cString: UnsafePointer<CChar> { UnsafeRawPointer(storage).assumingMemoryBound(to: CChar.self) }
    public var rawBuffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }
    /// Writable view of the contents, for in-place edits that keep the length.
    var mutableBytes: UnsafeMutablePointer<UInt8> { storage }

    public var string: String { String(decoding: UnsafeBufferPointer(start: storage, count: count), as: UTF8.self) }

    public subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index <= count, "TextBuffer index out of range")
        return storage[index]
    }

    @inline(never)
    public func reserve(_ minimumCapacity: Int) {
        guard minimumCapacity > capacity else { return }
        var newCapacity = capacity
        while newCapacity < minimumCapacity { newCapacity = newCapacity &* 2 }
        storage = TextBuffer.allocate(newCapacity + 1, growing: storage)
        capacity = newCapacity
    }

    @inline(__always)
    public func append(_ byte: UInt8) {
        if count == capacity { reserve(count + 1) }
        storage[count] = byte
        used += 1
        storage[count] = 0
    }

    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        append(base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    }

    @inline(__always)
    public func append(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        guard n > 0 else { return }
        if count + n > capacity { reserve(count + n) }
        if n <= 16 {
            // A stream's pieces are a few bytes: copied here, not by a call.
            let end = storage + used
            for i in 0..<n { end[i] = bytes[i] }
        } else {
            (storage + count).update(from: bytes, count: n)
        }
        used += n
        storage[count] = 0
    }

    public func append(_ string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    public func append(_ other: TextBuffer) {
        append(other.bytes, count: other.count)
    }

    /// Appends `n` uninitialised bytes and returns where they start, for
    /// encoders that write in place (base64). The caller must fill them.
    public func appendUninitialized(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if count + n > capacity { reserve(count + n) }
        let start = storage + count
        used += n
        storage[count] = 0
        return start
    }

    /// Empties the buffer but keeps its memory, so hot loops reuse it.
    public func removeAll() {
        used = 0
        storage[0] = 0
    }

    /// Empties the buffer, keeping at most `limit` bytes of memory: a buffer
    /// that grew for a burst (a stream's socket read after a pause) gives
    /// the rest back instead of holding it for the transfer's life.
    public func removeAll(keepingAtMost limit: Int) {
        guard capacity > limit else { return removeAll() }
        free(storage)
        capacity = max(limit, 15)
        storage = TextBuffer.allocate(capacity + 1)
        used = 0
        storage[0] = 0
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    public func removeFirst(_ n: Int) {
        precondition(n >= 0 && n <= count)
        guard n > 0 else { return }
        let rest = count - n
        if rest > 0 { storage.update(from: storage + n, count: rest) }
        used = rest
        storage[count] = 0
    }

    /// Shortens the buffer to `newCount` bytes.
    public func truncate(to newCount: Int) {
        precondition(newCount >= 0 && newCount <= count)
        used = newCount
        storage[count] = 0
    }

}
