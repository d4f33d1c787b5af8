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
        var used = 0
    }

    let blockSize: Int
    private var blocks: [Block] = []
    /// The first block still held (released blocks before it are gone).
    private var first = 0
    /// One emptied block kept for reuse, so a queue that fills and drains
    /// allocates nothing once warm.
    private var spare: UnsafeMutablePointer<UInt8>?
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
        if first == blocks.count || blocks[blocks.count - 1].capacity - blocks[blocks.count - 1].used < needed {
            addBlock(holding: needed)
        }
        let last = blocks.count - 1
        let at = blocks[last].base + blocks[last].used
        if let source = bytes.baseAddress, bytes.count > 0 { at.update(from: source, count: bytes.count) }
        at[bytes.count] = 0
        let position = blocks[last].start + blocks[last].used
        blocks[last].used += needed
        end = blocks[last].start + blocks[last].used
        return (UnsafeBufferPointer(start: at, count: bytes.count), position)
    }

    /// Frees every block whose bytes all lie before `position`.
    func release(before position: Int) {
        while first < blocks.count, blocks[first].start + blocks[first].used <= position {
            let block = blocks[first]
            if spare == nil && block.capacity == blockSize { spare = block.base } else { block.base.deallocate() }
            first += 1
        }
        // Forget released entries now and then, so `blocks` stays short.
        if first == blocks.count {
            blocks.removeAll(keepingCapacity: true)
            first = 0
        } else if first >= 32 && first * 2 >= blocks.count {
            blocks.removeFirst(first)
            first = 0
        }
    }

    private func addBlock(holding needed: Int) {
        let capacity = max(blockSize, needed)
        let base: UnsafeMutablePointer<UInt8>
        if capacity == blockSize, let reused = spare {
            base = reused
            spare = nil
        } else {
            base = .allocate(capacity: capacity)
        }
        blocks.append(Block(base: base, capacity: capacity, start: end))
    }
}
