import Testing
@testable import KimiCore

/// The WHATWG event-stream rules, case by case. Every case is decoded from
/// one buffer, one byte at a time, and in 2/3/5/7-byte pieces, so each line
/// end, BOM and multi-byte character also falls across a read boundary.
@Suite struct SSEDecoderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: [UInt8]
        /// Expected events as "kind:data" ("m" message, "e" error, "o" other).
        let events: [String]
        var testDescription: String { name }

        init(_ name: String, _ input: String, _ events: [String]) {
            self.name = name
            self.input = Array(input.utf8)
            self.events = events
        }

        init(_ name: String, bytes: [UInt8], _ events: [String]) {
            self.name = name
            input = bytes
            self.events = events
        }
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let cases: [Case] = [
        Case("basic", "data: hello\n\n", ["m:hello"]),
        Case("no space after the colon", "data:hello\n\n", ["m:hello"]),
        Case("only one space is dropped", "data:  hello\n\n", ["m: hello"]),
        Case("tab is kept", "data:\thello\n\n", ["m:\thello"]),
        Case("trailing spaces kept", "data: x  \n\n", ["m:x  "]),
        Case("CRLF line ends", "data: a\r\n\r\n", ["m:a"]),
        Case("CR line ends", "data: a\r\r", ["m:a"]),
        Case("LF then CRLF blank line", "data: a\n\r\n", ["m:a"]),
        Case("mixed line ends join", "data: a\r\ndata: b\rdata: c\n\n", ["m:a\nb\nc"]),
        Case("two data lines", "data: a\ndata: b\n\n", ["m:a\nb"]),
        Case("three data lines", "data: 1\ndata: 2\ndata: 3\n\n", ["m:1\n2\n3"]),
        Case("empty data line", "data:\n\n", ["m:"]),
        Case("data field without colon", "data\n\n", ["m:"]),
        Case("empty then value", "data:\ndata: b\n\n", ["m:\nb"]),
        Case("value with colons", "data: a:b:c\n\n", ["m:a:b:c"]),
        Case("comment line ignored", ": keep-alive\n\ndata: x\n\n", ["m:x"]),
        Case("bare colon comment", ":\ndata: x\n\n", ["m:x"]),
        Case("comment between data lines", "data: a\n: note\ndata: b\n\n", ["m:a\nb"]),
        Case("event type other", "event: ping\ndata: x\n\n", ["o:x"]),
        Case("event type error", "event: error\ndata: {\"e\":1}\n\n", ["e:{\"e\":1}"]),
        Case("event type message", "event: message\ndata: x\n\n", ["m:x"]),
        Case("event type resets after dispatch", "event: ping\ndata: a\n\ndata: b\n\n", ["o:a", "m:b"]),
        Case("event without data dispatches nothing", "event: ping\n\ndata: y\n\n", ["m:y"]),
        Case("id line does not change data", "id: 7\ndata: x\n\n", ["m:x"]),
        Case("retry line ignored in data", "retry: 3000\ndata: x\n\n", ["m:x"]),
        Case("unknown field ignored", "foo: bar\ndata: x\n\n", ["m:x"]),
        Case("field names are case-sensitive", "DATA: x\n\n", []),
        Case("space before the colon makes another field", "data : x\n\n", []),
        Case("blank lines alone dispatch nothing", "\n\n\r\n\r\r", []),
        Case("unterminated last event is dropped", "data: x\n", []),
        Case("unterminated last line is dropped", "data: x", []),
        Case("event after an unterminated one", "data: a\n\ndata: b\n", ["m:a"]),
        Case("several events", "data: a\n\ndata: b\n\ndata: c\n\n", ["m:a", "m:b", "m:c"]),
        Case("blank lines between events", "data: a\n\n\n\ndata: b\n\n", ["m:a", "m:b"]),
        Case("BOM at the start is dropped", bytes: bom + Array("data: x\n\n".utf8), ["m:x"]),
        Case("only one BOM is dropped", bytes: bom + bom + Array("data: x\n\n".utf8), []),
        Case("BOM later is data", bytes: Array("data: a\n\n".utf8) + bom + Array("data: b\n\n".utf8), ["m:a"]),
        Case("BOM inside a value is kept", bytes: Array("data: ".utf8) + bom + Array("x\n\n".utf8), ["m:\u{FEFF}x"]),
        Case("multi-byte UTF-8 kept", "data: Grüße 世界 🌍\n\n", ["m:Grüße 世界 🌍"]),
        Case("[DONE]", "data: [DONE]\n\n", ["m:[DONE]"]),
        Case("JSON chunk", "data: {\"a\":[1,2]}\n\n", ["m:{\"a\":[1,2]}"]),
        Case("CRLF everywhere", "event: message\r\ndata: a\r\ndata: b\r\n\r\n", ["m:a\nb"]),
        Case("CR everywhere", "data: a\rdata: b\r\rdata: c\r\r", ["m:a\nb", "m:c"]),
        Case("comment only stream", ": one\n: two\n\n", []),
        Case("data line longer than a read", "data: " + String(repeating: "x", count: 5000) + "\n\n",
             ["m:" + String(repeating: "x", count: 5000)]),
        Case("keep-alives between chunks", ": ka\n\ndata: a\n\n: ka\n\ndata: b\n\n", ["m:a", "m:b"]),
    ]

    /// Decodes `input` fed in pieces of `piece` bytes (0 = all at once).
    static func decode(_ input: [UInt8], piece: Int, maxEventBytes: Int = 1 << 20) throws(SSEDecoder.Failure) -> [String] {
        let decoder = SSEDecoder(maxEventBytes: maxEventBytes)
        let buffer = TextBuffer()
        var events: [String] = []
        var offset = 0
        repeat {
            let n = piece == 0 ? input.count : min(piece, input.count - offset)
            input[offset..<offset + n].withUnsafeBytes { buffer.append($0) }
            offset += n
            while let event = try decoder.next(in: buffer) {
                let kind: String
                switch event.kind {
                case .message: kind = "m"
                case .error: kind = "e"
                case .other: kind = "o"
                }
                #expect(event.data.baseAddress.map { $0[event.data.count] } == 0, "data must be NUL-terminated")
                events.append(kind + ":" + String(decoding: event.data, as: UTF8.self))
            }
            decoder.compact(buffer)
        } while offset < input.count
        return events
    }

    @Test(arguments: cases)
    func decodesByTheRules(_ c: Case) throws {
        for piece in [0, 1, 2, 3, 5, 7] {
            let events = try Self.decode(c.input, piece: piece)
            #expect(events == c.events, "fed in \(piece == 0 ? "one piece" : "\(piece)-byte pieces")")
        }
    }

    @Test func caseCount() { #expect(Self.cases.count >= 40) }

    @Test func idAndRetryFieldsAreRead() throws {
        let decoder = SSEDecoder()
        let buffer = TextBuffer("id: 42\nretry: 1500\ndata: x\n\nid: a\u{0}b\nretry: soon\ndata: y\n\n")
        _ = try decoder.next(in: buffer)
        #expect(decoder.lastEventID == "42")
        #expect(decoder.retryMs == 1500)
        _ = try decoder.next(in: buffer)
        #expect(decoder.lastEventID == "42", "an id containing NUL is ignored")
        #expect(decoder.retryMs == 1500, "a non-numeric retry is ignored")
    }

    @Test func crAtTheEndOfOneReadAndLFAtTheStartOfTheNextAreOneLineEnd() throws {
        let decoder = SSEDecoder()
        let buffer = TextBuffer("data: a\r")
        #expect(try decoder.next(in: buffer) == nil)
        buffer.append("\ndata: b\r\n\r\n")
        let event = try #require(try decoder.next(in: buffer))
        #expect(String(decoding: event.data, as: UTF8.self) == "a\nb", "the LF after the CR must not end an empty line")
    }

    @Test func aLineOverTheLimitFails() {
        #expect(throws: SSEDecoder.Failure.self) {
            _ = try Self.decode(Array(("data: " + String(repeating: "y", count: 300)).utf8), piece: 64, maxEventBytes: 100)
        }
        #expect(throws: SSEDecoder.Failure.self) {
            _ = try Self.decode(Array(String(repeating: "data: yyyyyyyyyy\n", count: 50).utf8), piece: 0, maxEventBytes: 100)
        }
    }

    @Test func doneIsRecognised() throws {
        let decoder = SSEDecoder()
        let buffer = TextBuffer("data: [DONE]\n\ndata: [DONE] \n\n")
        #expect(try decoder.next(in: buffer)?.isDone == true)
        #expect(try decoder.next(in: buffer)?.isDone == false, "only exactly [DONE]")
    }

    @Test func offsetsCountCompactedBytes() throws {
        let decoder = SSEDecoder()
        let buffer = TextBuffer("data: a\n\n")
        _ = try decoder.next(in: buffer)
        decoder.compact(buffer)
        buffer.append("data: b\n\n")
        let event = try #require(try decoder.next(in: buffer))
        #expect(event.streamOffset == 15)
        #expect(decoder.offset == 18)
    }

    /// Found by the fuzzer: a multi-line event whose first line was
    /// compacted away reported its offset relative to the new buffer start.
    @Test func multiLineOffsetSurvivesCompaction() throws {
        let decoder = SSEDecoder()
        let buffer = TextBuffer("data: [DONE]\n\nid: 1\ndata: first\ndata: second\n")
        _ = try decoder.next(in: buffer)
        #expect(try decoder.next(in: buffer) == nil)
        decoder.compact(buffer)
        buffer.append("data: third\n\n")
        let event = try #require(try decoder.next(in: buffer))
        #expect(String(decoding: event.data, as: UTF8.self) == "first\nsecond\nthird")
        #expect(event.streamOffset == 26)
    }
}
