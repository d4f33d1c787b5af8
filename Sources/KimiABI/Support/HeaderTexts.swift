import KimiCore

/// Response headers as C strings (names lower-cased, in the order they
/// came), behind the header accessors of responses and of the last error.
struct HeaderTexts {
    private let lines: [(name: GatedText, value: GatedText)]

    init(_ headers: OutsideHeaders) {
        lines = headers.map { (GatedText($0.name), GatedText($0.value)) }
    }

    var count: Int { lines.count }

    /// The value of header `name` (any case); "" when absent or NULL.
    func value(named name: UnsafePointer<CChar>?) -> UnsafePointer<CChar> {
        guard let name, let wanted = String(validatingCString: name) else { return emptyCString }
        let lowered = wanted.lowercased()
        return borrowed(lines.first { $0.name.string == lowered }?.value)
    }

    /// Header `i`'s name or value; "" when out of range.
    func name(at i: Int) -> UnsafePointer<CChar> { borrowed(i >= 0 && i < lines.count ? lines[i].name : nil) }
    func value(at i: Int) -> UnsafePointer<CChar> { borrowed(i >= 0 && i < lines.count ? lines[i].value : nil) }
}
