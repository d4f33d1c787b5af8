import Foundation
import Testing
@testable import KimiCore

/// Media detection over the generated sample files, base64, and the body
/// reader that turns inline media into base64 while a request is sent.
@Suite struct MediaTests {
    /// Generates the shared sample files (Tests/media/make_samples.py).
    static let samples: (dir: String, manifest: [String: String?]) = {
        let dir = NSTemporaryDirectory() + "kimi-samples-\(getpid())"
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("Tests/media/make_samples.py").path, dir]
        try? process.run()
        process.waitUntilExit()
        let data = (try? Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))) ?? Data()
        let manifest = (try? JSONDecoder().decode([String: String?].self, from: data)) ?? [:]
        return (dir, manifest)
    }()

    @Test func everySampleIsDetectedFromItsBytes() throws {
        let (dir, manifest) = Self.samples
        #expect(manifest.count >= 20)
        for (name, expected) in manifest {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")))
            let result = MediaDetector.detect(Array(bytes.prefix(MediaDetector.headerLength)))
            if let expected {
                #expect(result == .supported(try #require(MediaDetector.supported.first { $0.mime == expected })), "\(name)")
            } else if case .supported(let format) = result {
                Issue.record("\(name) must be refused, was detected as \(format.mime)")
            }
        }
    }

    @Test func refusalsSayWhatWasFound() throws {
        let dir = Self.samples.dir
        func message(_ name: String, _ kind: MediaKind) -> String {
            do {
                _ = try InlineMedia.fromFile("\(dir)/\(name)", kind: kind)
                return "accepted"
            } catch {
                #expect(error.status == .invalidArgument)
                return error.message
            }
        }
        #expect(message("video.mkv", .video).contains("a Matroska (matroska) video"))
        #expect(message("image.heic", .image).contains("HEIF/HEIC image"))
        #expect(message("document.pdf", .image).contains("found a PDF document"))
        #expect(message("notes.txt", .image).contains("found text"))
        #expect(message("image.bmp", .image).contains("BMP image"))
        #expect(message("empty.png", .image) == "path: \"\(dir)/empty.png\" is empty")
        #expect(message("video.mp4", .image).contains("found an MP4 video in \"\(dir)/video.mp4\", not an image; add it as a video"))
        #expect(message("no-such-file.png", .image).contains("cannot read \"\(dir)/no-such-file.png\": No such file or directory"))
        #expect(message("png-named.jpg", .image) == "accepted")
        #expect(try InlineMedia.fromFile("\(dir)/png-named.jpg", kind: .image).format.mime == "image/png")
    }

    @Test func statedMIMETypesMustAgreeWithTheBytes() throws {
        let png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.samples.dir + "/image.png")))
        #expect(try InlineMedia.fromBytes(png, mime: nil, kind: .image).format.mime == "image/png")
        #expect(try InlineMedia.fromBytes(png, mime: "image/png", kind: .image).format.mime == "image/png")
        #expect(throws: KimiError.self) { try InlineMedia.fromBytes(png, mime: "image/jpeg", kind: .image) }
        #expect(throws: KimiError.self) { try InlineMedia.fromBytes(png, mime: "video/mp4", kind: .image) }
        #expect(throws: KimiError.self) { try InlineMedia.fromBytes([], mime: nil, kind: .image) }
        // An unrecognised body with a stated supported type is trusted.
        #expect(try InlineMedia.fromBytes([1, 2, 3], mime: "image/jpg", kind: .image).format.mime == "image/jpeg")
    }

    @Test func base64MatchesFoundationForEveryLength() {
        var bytes: [UInt8] = []
        for length in 0...300 {
            let out = TextBuffer()
            bytes.withUnsafeBytes { Base64.append($0, to: out) }
            #expect(out.string == Data(bytes).base64EncodedString(), "length \(length)")
            #expect(out.count == Base64.encodedLength(length))
            bytes.append(UInt8(truncatingIfNeeded: length &* 131 &+ 17))
        }
    }

    @Test func base64Vectors() {
        for (input, expected) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                                  ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"), ("\u{FF}\u{FE}", "w7/Dvg==")] {
            let out = TextBuffer()
            Array(input.utf8).withUnsafeBytes { Base64.append($0, to: out) }
            #expect(out.string == expected)
        }
    }

    /// The prefix decoder reads what the encoder writes, stops at its limit
    /// and at padding, and refuses a character outside the alphabet.
    @Test func base64PrefixDecoding() {
        for input in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "\u{FF}\u{FE}\u{00}"] {
            let out = TextBuffer()
            Array(input.utf8).withUnsafeBytes { Base64.append($0, to: out) }
            #expect(Base64.decodePrefix(out.string.utf8, limit: 100) == Array(input.utf8))
            #expect(Base64.decodePrefix(out.string.utf8, limit: 2) == Array(input.utf8.prefix(2)))
        }
        #expect(Base64.decodePrefix("Zm9v*mFy".utf8, limit: 10) == nil)
        #expect(Base64.decodePrefix("Zm9v\nYmFy".utf8, limit: 10) == nil)
        #expect(Base64.decodePrefix("Zm9v****".utf8, limit: 3) == Array("foo".utf8))  // stops before the bad part
    }

    /// A request with inline media read through curl-sized buffers gives the
    /// same bytes as the materialised body, whatever the buffer size.
    @Test func bodyReaderMatchesTheMaterialisedBody() throws {
        let dir = Self.samples.dir
        var request = ChatRequest()
        var message = Message(role: .user)
        message.addText("look")
        message.addPart(.image(.inline(try InlineMedia.fromFile("\(dir)/image.png", kind: .image))))
        message.addPart(.video(.inline(try InlineMedia.fromBytes([UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(dir)/video.mp4"))),
                                                               mime: nil, kind: .video))))
        message.addText("end")
        request.messages.append(message)
        let body = RequestEncoder.encode(request, for: .create)
        #expect(body.contiguousText == nil)
        let whole = try body.materialize()
        #expect(whole.count == body.count)
        #expect(whole.string.contains(#"{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo"#))
        #expect(whole.string.hasSuffix(#"},{"type":"text","text":"end"}]}]}"#))
        for capacity in [4, 5, 16, 1000, 16384, 65536] {
            let reader = BodyReader(body)
            var collected: [UInt8] = []
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            defer { buffer.deallocate() }
            while let n = reader.read(into: buffer, capacity: capacity), n > 0 {
                collected += UnsafeRawBufferPointer(start: buffer, count: n)
            }
            #expect(reader.error == nil)
            #expect(collected == Array(whole.rawBuffer), "capacity \(capacity)")
        }
    }

    @Test func aMediaFileThatChangesIsAnError() throws {
        let path = NSTemporaryDirectory() + "kimi-changing-\(getpid()).png"
        let png = try Data(contentsOf: URL(fileURLWithPath: Self.samples.dir + "/image.png"))
        try png.write(to: URL(fileURLWithPath: path))
        var request = ChatRequest()
        var message = Message(role: .user)
        message.addPart(.image(.inline(try InlineMedia.fromFile(path, kind: .image))))
        request.messages.append(message)
        try png.prefix(20).write(to: URL(fileURLWithPath: path))
        do {
            _ = try RequestEncoder.encode(request, for: .create).materialize()
            Issue.record("a shrunken file must not be sent")
        } catch {
            #expect(error.message.contains("changed after it was added"))
        }
    }
}
