import FuzzSupport
import KimiCore

/// libFuzzer target: the non-streamed response decoder. Any body must give
/// a response or a `.parse` error, never a crash; a decoded response must
/// keep its choices in index order and serve its JSON back as the gate lets
/// it out: a plain body (printable ASCII, no escapes) as it is; any other
/// as JSON that still parses and holds no raw control character.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = TextBuffer(bytes: UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    do throws(KimiError) {
        let response = try ResponseDecoder.decode(body)
        let indexes = response.choices.map(\.index)
        require(indexes == indexes.sorted(), "choices out of order: \(indexes)")
        let plain = body.string.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }
        require(!plain || response.json.string == body.string, "the response's JSON is not its plain body")
        if case .failure = JSONValue.parse(response.json.string) { require(false, "the response's JSON does not parse") }
        require(!response.json.string.unicodeScalars.contains { $0.value == 0x7F || (0x80...0x9F).contains($0.value) },
                "a raw control character in the exported JSON")
        _ = response.fullContent.count
    } catch {
        require(error.status == .parse || error.status == .api, "unexpected status \(error.status): \(error.message)")
    }
    return 0
}

/// `precondition` that prints its message in optimized builds too.
