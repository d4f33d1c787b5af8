/// A growable list of plain values (no references inside), in memory the
/// list owns: for the lists the stream path empties and refills per chunk
/// (a chunk's choices, its events). Elements are read and written in place
/// with a bounds check, without an array's copy-on-write and uniqueness
/// checks or the run-time exclusivity checks of an array held in a class.
final class PlainList<Element> {
    private(set) var count = 0
    private var capacity: Int
    private var storage: UnsafeMutablePointer<Element>

    init(capacity: Int = 4) {
        precondition(_isPOD(Element.self), "PlainList holds plain values only")
        self.capacity = max(capacity, 1)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    var isEmpty: Bool { count == 0 }
    /// The elements in place, valid until the next `append`.
    var elements: UnsafePointer<Element> { UnsafePointer(storage) }

    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < count, "PlainList index out of range")
            return storage[index]
        }
        set {
            precondition(index >= 0 && index < count, "PlainList index out of range")
            storage[index] = newValue
        }
    }

    func append(_ element: Element) {
        if count == capacity { grow() }
        (storage + count).initialize(to: element)
        count += 1
    }

    /// Empties the list, keeping its memory.
    func removeAll() { count = 0 }

    private func grow() {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        grown.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity *= 2
    }
}
