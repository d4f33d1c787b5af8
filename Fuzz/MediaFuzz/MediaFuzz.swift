import FuzzSupport
import KimiCore

/// libFuzzer target: format detection and the dimension readers, on a
/// 64 KiB thread stack, so a reader that recurses on its input crashes here
/// rather than passing on the fuzzer's 8 MB stack. The first byte picks the
/// reader (every format's reader meets every input, not only the one the
/// bytes look like); the rest are the media. Oracles: no trap; a size found
/// is positive; adding media from memory and reading its dimensions give
/// the same answer twice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMedia(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let formats = MediaDetector.supported
    let format = formats[Int(data[0]) % formats.count]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    onSmallStack {
        let found = MediaDimensions.read(MediaDimensions.Bytes(bytes), format: format)
        if let found { require(found.width > 0 && found.height > 0, "dimensions \(found)") }
        require(MediaDimensions.read(MediaDimensions.Bytes(bytes), format: format) == found, "a second read differs")
        if case .supported(let detected) = MediaDetector.detect(Array(bytes.prefix(MediaDetector.headerLength))) {
            let media = try? InlineMedia.fromBytes(bytes, mime: nil, kind: detected.kind)
            require(media?.format == detected, "detected \(detected.mime), added as \(media?.format.mime ?? "nothing")")
        }
    }
    return 0
}
