/// Append-only byte storage whose bytes never move: pointers to what it
/// holds stay valid until `release(before:)` lets go of them, however much
/// is appended meanwhile. Bytes live in blocks of `blockSize` (a piece larger
/// than that gets a block of its own); each piece is contiguous and followed
/// by a NUL. Every byte has an absolute position (the count of bytes stored
/// before it), which is how a reader says what it still needs.
///
/// Not thread-safe: the owner serialises appends and releases. Reading bytes
/// already written while another thread appends is fine (they never move).
final class StableBytes {
    private struct Block {
        let base: UnsafeMutablePointer<UInt8>
        let capacity: Int
        /// The absolute position of the block's first byte.
        let start: Int
        /// Bytes used; the last block's is `tailUsed` instead (kept current
        /// there, so an append touches no array element).
        var used = 0
    }

    let blockSize: Int
    private var blocks: [Block] = []
    /// The first block still held (released blocks before it are gone).
    private var first = 0
    /// One emptied block kept for reuse, so a queue that fills and drains
    /// allocates nothing once warm.
    private var spare: UnsafeMutablePointer<UInt8>?
    /// The block appends go to (the last of `blocks`, when one is held):
    /// plain stored values, so the append path reads no array.
    private var tail: UnsafeMutablePointer<UInt8>?
    private var tailCapacity = 0
    private var tailUsed = 0
    /// The absolute position after the last byte stored.
    private(set) var end = 0

    init(blockSize: Int = 64 << 10) {
        self.blockSize = blockSize
    }

    deinit {
        for block in blocks[first...] { block.base.deallocate() }
        spare?.deallocate()
    }

    /// Bytes held (released ones not counted).
    var heldBytes: Int { first < blocks.count ? end - blocks[first].start : 0 }

    /// Copies `bytes` and a NUL; returns where the copy is (valid until
    /// released) and its absolute position.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: UnsafeBufferPointer<UInt8>, position: Int) {
        let needed = bytes.count + 1
        if tailCapacity - tailUsed < needed { addBlock(holding: needed) }
        guard let tail else { fatalError("StableBytes: no block after addBlock") }
        let at = tail + tailUsed
        if let source = bytes.baseAddress, bytes.count > 0 { at.update(from: source, count: bytes.count) }
        at[bytes.count] = 0
        let position = end
        tailUsed += needed
        end = position + needed
        return (UnsafeBufferPointer(start: at, count: bytes.count), position)
    }

    /// Frees every block whose bytes all lie before `position`.
    func release(before position: Int) {
        while first < blocks.count,
              blocks[first].start + (first == blocks.count - 1 ? tailUsed : blocks[first].used) <= position {
            let block = blocks[first]
            if spare == nil && block.capacity == blockSize { spare = block.base } else { block.base.deallocate() }
            first += 1
        }
        // Forget released entries now and then, so `blocks` stays short.
        if first == blocks.count {
            blocks.removeAll(keepingCapacity: true)
            first = 0
            (tail, tailCapacity, tailUsed) = (nil, 0, 0)
        } else if first >= 32 && first * 2 >= blocks.count {
            blocks.removeFirst(first)
            first = 0
        }
    }

    private func addBlock(holding needed: Int) {
        if !blocks.isEmpty && first < blocks.count { blocks[blocks.count - 1].used = tailUsed }
        let capacity = max(blockSize, needed)
        let base: UnsafeMutablePointer<UInt8>
        if capacity == blockSize, let reused = spare {
            base = reused
            spare = nil
        } else {
            base = .allocate(capacity: capacity)
        }
        blocks.append(Block(base: base, capacity: capacity, start: end))
        (tail, tailCapacity, tailUsed) = (base, capacity, 0)
    }
}
