/// Substring search over UTF-8 bytes.
///
/// The standard library's `firstRange(of:)` and `contains(_: String)` live
/// in _StringProcessing: one call links that module and _RegexParser (about
/// 900 KB of code, each a single section the linker cannot trim) into
/// libkimi.so and pages them into every process that touches them. The
/// needles here are ASCII, so comparing bytes finds what comparing
/// characters would.
extension Substring {
    /// The first occurrence of `needle`, or nil.
    func firstOccurrence(of needle: String) -> Range<Index>? {
        let bytes = utf8
        let pattern = needle.utf8
        guard let lead = pattern.first else { return startIndex..<startIndex }
        var from = bytes.startIndex
        while let hit = bytes[from...].firstIndex(of: lead) {
            if bytes[hit...].starts(with: pattern) {
                return hit..<bytes.index(hit, offsetBy: pattern.count)
            }
            from = bytes.index(after: hit)
        }
        return nil
    }
}

extension String {
    /// The first occurrence of `needle`, or nil.
    func firstOccurrence(of needle: String) -> Range<Index>? { self[...].firstOccurrence(of: needle) }

    /// True when `needle` occurs in the text.
    func includes(_ needle: String) -> Bool { firstOccurrence(of: needle) != nil }

    /// Every occurrence of `target` replaced, left to right.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstOccurrence(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
