import Glibc
import Testing
@testable import KimiCore

/// Hostile-server attacks on the replayed `data:` line (`ChunkShape.replayLine`,
/// `SSEDecoder.dataValue`/`takeData`) and on the in-place current event
/// (`EventCursor.inPlace`): every stream is decoded with shapes, in reads
/// of every size and of irregular sizes, and must give exactly what the
/// whole-chunk reference (`reusesShapes: false`) gives: events, each
/// message's raw data, the response, the error and its byte offset.
@Suite struct ReplayLineAttackTests {
    typealias S = StreamDecoderTests
    typealias C = ChunkShapeTests

    // MARK: Running

    /// Decodes `input` in reads whose sizes cycle through `reads`, compacting
    /// as `ChatStream` does (only when no whole message is left). Each
    /// message's raw data is recorded with its events.
    static func run(_ input: [UInt8], reads: [Int], reusesShapes: Bool = true,
                    maxEventBytes: Int = 16 << 20, compacts: Bool = true) -> S.Outcome {
        let decoder = StreamDecoder(maxEventBytes: maxEventBytes, reusesShapes: reusesShapes)
        let buffer = TextBuffer()
        var events: [String] = []
        var offset = 0
        var turn = 0
        do {
            repeat {
                let want = reads.isEmpty ? 0 : reads[turn % reads.count]
                turn += 1
                let n = want <= 0 ? input.count - offset : min(want, input.count - offset)
                input[offset..<offset + n].withUnsafeBytes { buffer.append($0) }
                offset += n
                while try decoder.decodeNext(buffer) {
                    // The raw data of a message that made events (as a reader
                    // sees it: one of no events leaves the last one's).
                    if decoder.eventCount > 0 {
                        let raw = decoder.rawChunk
                        events.append("raw:\(Array(raw))")
                        if let base = raw.baseAddress, base[raw.count] != 0 { events.append("raw not NUL-terminated") }
                    }
                    for i in 0..<decoder.eventCount { events.append(S.describe(decoder, decoder.event(i))) }
                    if reads.count == 1 { events.append("offset:\(decoder.offset)") }
                }
                if compacts { decoder.compact(buffer) }
            } while offset < input.count
        } catch {
            return S.Outcome(events: events, response: decoder.response, error: error)
        }
        return S.Outcome(events: events, response: decoder.response)
    }

    /// Compares `input` decoded with shapes, in reads of every size from 1
    /// to `upTo` and in a few irregular patterns, with and without
    /// compaction, against the reference decoded whole.
    @discardableResult
    static func same(_ input: [UInt8], upTo: Int = 48, maxEventBytes: Int = 16 << 20, _ note: String = "",
                     sourceLocation: SourceLocation = #_sourceLocation) -> S.Outcome {
        let reference = run(input, reads: [], reusesShapes: false, maxEventBytes: maxEventBytes)
        // Every read size up to 20, then a few larger ones (each size is a
        // whole decode of the input: in a debug build these are the suite's time).
        var patterns: [[Int]] = [[]] + (1...min(upTo, 20)).map { [$0] } + [24, 32, 48].filter { $0 <= upTo }.map { [$0] }
        patterns += [[1, 2, 3, 5, 8, 13], [7, 1, 1, 30], [64, 1], [3, 100, 2], [200, 1, 1, 1]]
        // Two reads split at every byte: the state a read leaves (a field
        // read, a data line pending, a CR at its end) meets a whole line of
        // the learned shape in the next read, the fast path's case.
        // (In a long input, every byte of its last 300 and every 97th before.)
        patterns += (1..<input.count).filter { $0 > input.count - 300 || $0 % 97 == 0 }.map { [$0, 0] }
        for reads in patterns {
            for compacts in [true, false] where compacts || (reads.count != 1 && reads.last != 0) || reads == [1] || reads == [] {
                let replayed = run(input, reads: reads, maxEventBytes: maxEventBytes, compacts: compacts)
                let seen = C.seen(replayed)
                // Where each message ends (`offset`, recorded for steady
                // reads) depends on the reads: compared with the reference
                // read the same way.
                let expected = reads.count == 1
                    ? C.seen(run(input, reads: reads, reusesShapes: false, maxEventBytes: maxEventBytes, compacts: compacts))
                    : C.seen(reference)
                if seen != expected {
                    let diff = zip(seen, expected).first { $0 != $1 }.map { "got \($0.0)\nwant \($0.1)" } ?? "counts \(seen.count) vs \(expected.count)"
                    Issue.record("reads \(reads) compacts \(compacts) \(note): \(diff)\ninput: \(String(decoding: input, as: UTF8.self).debugDescription)",
                                 sourceLocation: sourceLocation)
                    return reference
                }
            }
        }
        return reference
    }

    // MARK: Framing and bytes around a replayed line

    /// A NUL byte right after the tail, before the LF: the data holds it, so
    /// the chunk is bad (trailing bytes) at the NUL's offset; a replayed
    /// line must not stop its check at the NUL. Also a NUL in the piece, in
    /// place of either LF, and after the blank line.
    @Test func nulBytesAroundAReplayedLine() {
        let lead = replayed(["a", "b", "c"])
        Self.same(lead + bytes("data: ") + content("d") + [0x00, 0x0A, 0x0A] + done)
        Self.same(lead + bytes("data: ") + content("d") + [0x0A, 0x00, 0x0A, 0x0A] + done)
        Self.same(lead + bytes("data: ") + content("d") + [0x0A, 0x0A, 0x00] + line(content("e")) + done)
        Self.same(lead + bytes("data: ") + piece(contentShape, [0x64, 0x00, 0x65]) + [0x0A, 0x0A] + done)
        Self.same(lead + bytes("data: ") + content("d") + [0x00] + bytes("\n\ndata: ") + content("e") + [0x0A, 0x0A] + done)
        let out = Self.same(lead + bytes("data: ") + content("d") + [0x00, 0x0A, 0x0A] + done)
        #expect(out.error?.status == .parse)
    }

    /// CR anywhere a LF could be, and a CR at the end of one read whose LF
    /// starts the next (`skipLeadingLF`): every read size puts the split
    /// at every byte.
    @Test func carriageReturnsAroundReplayedLines() {
        let lead = replayed(["a", "b"])
        for end in ["\r\n\r\n", "\r\r", "\r\n\n", "\n\r\n", "\n\r", "\r\n\r", "\n\n\r\n", "\r\n\r\n\n"] {
            Self.same(lead + bytes("data: ") + content("c") + bytes(end) + replayed(["d", "e"]) + done, upTo: 24, end.debugDescription)
        }
        // A CR just before the line's LF (in the data's last byte position).
        Self.same(lead + bytes("data: ") + content("c") + bytes("\r") + bytes("\n\n") + replayed(["d"]) + done, upTo: 24)
    }

    /// Fields that change how the next data line is dispatched, put right
    /// before a line of the learned shape (and in reads ending between).
    @Test func fieldsBeforeAReplayedLine() {
        let lead = replayed(["a", "b"])
        for field in ["event: error\n", "event: other\n", "event: message\n", "event:error\n", "event: error\r\n",
                      "id: 9\n", "retry: 5\n", ": keep-alive\n", ":\n", "data: x\n", "data:\n", "data\n",
                      "event: error\r", "x: y\n", "\u{FEFF}data: q\n"] {
            Self.same(lead + bytes(field) + line(content("c")) + replayed(["d"]) + done, upTo: 24, field.debugDescription)
        }
    }

    /// The state a read leaves when it ends right after a line, met by a
    /// whole line of the learned shape in the next read: an `event:` field
    /// read makes that line's message an error or another type, a data line
    /// read makes it a second data line (the payload is then both joined).
    @Test func aReplayedLineAfterAReadThatEndedAfterAField() {
        let lead = replayed(["a", "b"])
        @discardableResult func twoReads(_ first: [UInt8], _ second: [UInt8]) -> S.Outcome {
            let input = first + second
            let reference = Self.run(input, reads: [], reusesShapes: false)
            let replayed = Self.run(input, reads: [first.count, 0])
            #expect(C.seen(replayed) == C.seen(reference), "\(String(decoding: first.suffix(20), as: UTF8.self).debugDescription)")
            return replayed
        }
        #expect(twoReads(lead + bytes("event: error\n"), line(content("c")) + done).error?.status == .api)
        #expect(twoReads(lead + bytes("event: other\n"), line(content("c")) + done).response.choices[0].content.string == "ab")
        #expect(twoReads(lead + bytes("data: x\n"), line(content("c")) + done).error?.status == .parse)
        // An empty first data line: the payload is LF then the chunk, valid JSON.
        #expect(twoReads(lead + bytes("data:\n"), line(content("c")) + done).response.choices[0].content.string == "abc")
        twoReads(lead + bytes("event: message\n"), line(content("c")) + done)
        twoReads(lead + bytes("id: 4\nretry: 9\n: c\n"), line(content("c")) + done)
        twoReads(lead + bytes("data: x\r"), line(content("c")) + done)
        twoReads(lead + bytes("\r"), bytes("\n") + line(content("c")) + done)
        twoReads(lead + bytes("data: ") + content("c") + bytes("\r"), bytes("\n\n") + line(content("d")) + done)
        twoReads(lead + bytes("data: ") + content("c") + bytes("\n\r"), bytes("\n") + line(content("d")) + done)
        twoReads(lead + bytes("data: ") + content("c") + bytes("\n\r"), line(content("d")) + bytes("\n") + line(content("e")) + done)
    }

    /// A shape learned from a two-line data event has the joining LF in its
    /// head or tail. Raw bytes equal to that data on one `data:` line are
    /// two lines to the event-stream rules (the second an unknown field),
    /// so the event's data ends at the LF: a bad chunk, not a replay.
    @Test func rawBytesOfAShapeWithALineEnd() {
        let (head, tail) = contentShape
        let cut = deltaAt(head)  // between two tokens: LF there is whitespace
        let joinedHead = Array(head[..<cut]) + [0x0A] + Array(head[cut...])
        let learned = bytes("data: ") + Array(head[..<cut]) + bytes("\ndata: ") + Array(head[cut...]) + bytes("a") + tail + bytes("\n\n")
        let raw = bytes("data: ") + joinedHead + bytes("b") + tail + bytes("\n\n")
        let out = Self.same(learned + raw + done, upTo: 8)
        #expect(out.error?.status == .parse)
        #expect(out.response.choices[0].content.string == "a")
        let joinedTail = Array(tail[..<2]) + [0x0A] + Array(tail[2...])
        let learnedTail = bytes("data: ") + head + bytes("a") + Array(tail[..<2]) + bytes("\ndata: ") + Array(tail[2...]) + bytes("\n\n")
        let rawTail = bytes("data: ") + head + bytes("b") + joinedTail + bytes("\n\n")
        let outTail = Self.same(learnedTail + rawTail + done, upTo: 8)
        #expect(outTail.error?.status == .parse)
        #expect(outTail.response.choices[0].content.string == "a")
    }

    /// What follows a replayed chunk on its line, and the event after it.
    @Test func oddEndsOfAReplayedLine() {
        let lead = replayed(["a", "b"])
        for after in ["\n", "\ndata: more\n\n", "\nevent: error\n\n", "\n:c\n\n", "\nid: 1\n\n", " \n\n", "\t\n\n",
                      "x\n\n", "\"\n\n", "}\n\n", "\n \n\n", "\n\u{0B}\n\n"] {
            Self.same(lead + bytes("data: ") + content("c") + bytes(after) + replayed(["d", "e"]) + done, upTo: 24, after.debugDescription)
        }
        // The stream ends inside or right after a replayed line (never dispatched).
        for cut in 1...12 {
            let full = lead + line(content("cdef"))
            Self.same(Array(full[..<(full.count - cut)]), upTo: 16, "cut \(cut)")
        }
    }

    /// Pieces that end in or hold backslashes, escapes of every kind, bad
    /// escapes, control characters and invalid UTF-8, each between replayed
    /// chunks.
    @Test func hostilePieces() {
        let pieces: [[UInt8]] = [
            bytes(#"\\"#), bytes(#"\"#), bytes(#"\\\"#), bytes(#"a\"#), bytes(#"\""#), bytes(#"\u00"#), bytes(#"\u00e9"#),
            bytes(#"\ud83c"#), bytes(#"\udf0d\ud83c"#), bytes(#"\x"#), bytes(#"\u12G4"#), [0xFF], [0xC3], [0xE2, 0x82],
            [0xF0, 0x9F, 0x8C, 0x8D], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x7F], [0x1F], [0x09], bytes("\u{2028}"),
            bytes(#"\/\b\f\n\r\t"#), bytes("\"}]}"), bytes(#"\"}]}"#), bytes("a\" , \"content\":\"b"),
        ]
        for text in pieces {
            Self.same(replayed(["a", "b"]) + line(piece(contentShape, text)) + replayed(["c"]) + done, upTo: 20, "\(text)")
        }
    }

    /// Shapes whose tail holds tokens (moving with the piece's length), a
    /// reasoning and a tool-call arguments shape, and shapes switching back
    /// and forth, with pieces of many lengths.
    @Test func shapesAndMovingTails() {
        var random = SplitMix(seed: 0xA77AC4)
        let shapes = [contentShape, reasoningShape, argsShape, movingShape]
        let words = ["", "a", "bb", "Grüße", "🌍", #"\n"#, #"\""#, "  ", String(repeating: "x", count: 40)]
        for _ in 0..<24 {
            var input = line(Array(S.chunk(S.delta(#""tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":""}}]"#)).utf8))
            for _ in 0..<(4 + Int(random.next() % 8)) {
                let shape = shapes[Int(random.next() % UInt64(random.next() % 3 == 0 ? shapes.count : 1))]
                input += line(piece(shape, bytes(words[Int(random.next() % UInt64(words.count))])))
            }
            Self.same(input + done, upTo: 16)
        }
    }

    /// A shape learned from a multi-line data event (its head or tail holds
    /// the joining LF), and one learned from data with leading or trailing
    /// spaces; then lines that are byte for byte the one-line form.
    @Test func shapesLearnedFromOddFraming() {
        let (head, tail) = contentShape
        let cut = deltaAt(head)  // between two tokens: LF there is whitespace
        let multiHead = bytes("data: ") + Array(head[..<cut]) + bytes("\ndata: ") + Array(head[cut...]) + bytes("a") + tail + bytes("\n\n")
        let multiTail = bytes("data: ") + head + bytes("a") + Array(tail[..<2]) + bytes("\ndata:") + Array(tail[2...]) + bytes("\n\n")
        for first in [multiHead, multiTail] {
            Self.same(first + replayed(["b", "c"]) + first + replayed(["d"]) + done, upTo: 24)
        }
        // Spaces: "data:" then the value's own leading spaces, and trailing ones.
        for lead in ["data:", "data:  ", "data:   ", "data:\t"] {
            Self.same(bytes(lead) + content("a") + bytes("\n\n") + replayed(["b"]) + bytes(lead) + content("c") + bytes("\n\n")
                      + replayed(["d"]) + done, upTo: 24, lead.debugDescription)
        }
        for trail in [" ", "  ", "\t", " \t "] {
            Self.same(bytes("data: ") + content("a") + bytes(trail + "\n\n") + replayed(["b"]) + bytes("data: ") + content("c")
                      + bytes(trail + "\n\n") + bytes("data: ") + content("e") + bytes(trail + "\n\n") + done, upTo: 24, trail.debugDescription)
        }
        // Learned after a BOM (and a BOM-like prefix later, which is data).
        Self.same([0xEF, 0xBB, 0xBF] + replayed(["a", "b"]) + [0xEF, 0xBB, 0xBF] + line(content("c")) + replayed(["d"]) + done, upTo: 24)
    }

    /// Keep-alive comments, `event: error` frames, `[DONE]` and empty data
    /// between replayed chunks.
    @Test func messagesBetweenReplayedChunks() {
        let between = [": ping\n\n", "data: [DONE]\n\n", "data:\n\n", "data: \n\n", "data:  \n\n", "event: other\ndata: x\n\n",
                       "\n\n\n", "retry: 10\n\n", #"data: {"choices":[]}"# + "\n\n"]
        for text in between {
            Self.same(replayed(["a", "b"]) + bytes(text) + replayed(["c", "d"]) + done, upTo: 20, text.debugDescription)
        }
        let error = bytes("event: error\ndata: {\"error\":{\"message\":\"boom\",\"type\":\"x\"}}\n\n")
        let out = Self.same(replayed(["a", "b"]) + error + replayed(["c"]) + done, upTo: 20)
        #expect(out.error?.status == .api)
        // A chunk of the learned shape sent as an error event is an error.
        let shaped = Self.same(replayed(["a", "b"]) + bytes("event: error\n") + line(content("c")) + done, upTo: 20)
        #expect(shaped.error?.status == .api)
        #expect(shaped.response.choices[0].content.string == "ab")
    }

    /// The byte offset an error names after many replayed chunks, compacted
    /// away in reads of many sizes.
    @Test func errorOffsetsAfterManyReplayedChunks() {
        let lead = replayed((0..<120).map { "piece \($0) " })
        for bad in [line(piece(contentShape, [0x01])), line(content("a") + bytes("x")), bytes("data: {\"choices\":[}\n\n"),
                    line(piece(contentShape, bytes(#"\q"#))), bytes("data: ") + content("a") + [0x00, 0x0A, 0x0A]] {
            let input = lead + bad + done
            let reference = Self.run(input, reads: [], reusesShapes: false)
            #expect(reference.error?.status == .parse)
            #expect(reference.response.choices.first?.content.string.hasSuffix("piece 119 ") == true)
            var patterns: [[Int]] = [[1], [2], [5], [7], [64], [4096], [333, 1, 2]]
            patterns += (0..<40).map { [input.count - bad.count - done.count - 20 + $0, 0] }
            for reads in patterns {
                let replayed = Self.run(input, reads: reads)
                let expected = reads.count == 1 ? Self.run(input, reads: reads, reusesShapes: false) : reference
                #expect(C.seen(replayed) == C.seen(expected), "reads \(reads)")
                #expect(replayed.error?.message == reference.error?.message)
            }
        }
    }

    /// Lines at, one under and one over the event limit, with pieces of
    /// several lengths, in every read size (the limit decides on the whole
    /// line, however it arrived).
    @Test func theLimitOnReplayedLines() {
        let base = line(content("abcd"))
        let limit = base.count - 2  // the limit counts the line from "data: " to its LF
        for pieceLength in [0, 1, 3, 4, 5, 6, 12] {
            let grown = line(content(String(repeating: "y", count: pieceLength)))
            for delta in -2...2 {
                let input = replayed(["abcd", "abcd"]) + grown + replayed(["abcd"]) + done
                Self.same(input, upTo: 12, maxEventBytes: limit + delta, "piece \(pieceLength) limit \(limit + delta)")
            }
        }
        // A limit smaller than a learned line: the learned one failed first;
        // and one over the blank line's length.
        Self.same(replayed(["a", "b"]) + done, upTo: 8, maxEventBytes: 10)
    }
}

extension ReplayLineAttackTests {
    /// Random streams of every framing above, in random reads, at random
    /// limits near their lines' lengths.
    @Test func randomHostileStreams() {
        var random = SplitMix(seed: 0x0BAD_5EED)
        let pieces: [[UInt8]] = [bytes("a"), bytes(""), bytes("Grüße 🌍"), bytes(#"\n\"\\"#), bytes(#"\"#), [0xFF], [0x00],
                                 bytes(#"\u00e9"#), bytes("\"}]}"), bytes(String(repeating: "z", count: 30))]
        let shapes = [contentShape, contentShape, contentShape, movingShape, reasoningShape, argsShape]
        let frames = ["\n\n", "\n\n", "\n\n", "\r\n\r\n", "\r\r", "\n", "\n\n\n", "\ndata: x\n\n", "\n:c\n\n", "\nid: 2\n\n",
                      "\nevent: error\n\n", " \n\n", "\u{0}\n\n", "\n\u{0}\n"]
        let starts = ["data: ", "data: ", "data: ", "data:", "data:  ", ": c\ndata: ", "event: message\ndata: ", "id: 1\ndata: ",
                      "event: other\ndata: ", "retry: 1\ndata: ", "\ndata: "]
        for round in 0..<160 {
            var input: [UInt8] = random.next() % 8 == 0 ? [0xEF, 0xBB, 0xBF] : []
            var lineLengths: [Int] = []
            for _ in 0..<(3 + Int(random.next() % 10)) {
                let odd = random.next() % 5 == 0
                let start = bytes(odd ? starts[Int(random.next() % UInt64(starts.count))] : "data: ")
                let shape = shapes[Int(random.next() % UInt64(random.next() % 4 == 0 ? shapes.count : 1))]
                let text = random.next() % 6 == 0 ? pieces[Int(random.next() % UInt64(pieces.count))] : bytes("tok\(random.next() % 1000)")
                let chunk = piece(shape, text)
                lineLengths.append(6 + chunk.count)
                input += start + chunk + bytes(random.next() % 6 == 0 ? frames[Int(random.next() % UInt64(frames.count))] : "\n\n")
            }
            input += done
            let limit = random.next() % 3 == 0 ? lineLengths[Int(random.next() % UInt64(lineLengths.count))] + Int(random.next() % 3) - 1
                                               : 16 << 20
            let reference = Self.run(input, reads: [], reusesShapes: false, maxEventBytes: limit)
            for _ in 0..<12 {
                let reads = (0..<(1 + Int(random.next() % 4))).map { _ in 1 + Int(random.next() % 40) }
                let compacts = random.next() % 4 != 0
                let replayed = Self.run(input, reads: reads, maxEventBytes: limit, compacts: compacts)
                let expected = reads.count == 1 ? Self.run(input, reads: reads, reusesShapes: false, maxEventBytes: limit, compacts: compacts) : reference
                if C.seen(replayed) != C.seen(expected) {
                    Issue.record("round \(round) reads \(reads) compacts \(compacts) limit \(limit): \(String(decoding: input, as: UTF8.self).debugDescription)")
                    return
                }
            }
        }
    }
}

// MARK: Chunks as bytes

fileprivate func split(_ chunk: String) -> ([UInt8], [UInt8]) {
    let parts = chunk.components(separatedBy: "@@")
    return (Array(parts[0].utf8), Array(parts[1].utf8))
}
fileprivate let contentShape = split(StreamDecoderTests.chunk(StreamDecoderTests.delta("\"content\":\"@@\"")))
fileprivate let reasoningShape = split(StreamDecoderTests.chunk(StreamDecoderTests.delta("\"reasoning_content\":\"@@\"")))
fileprivate let argsShape = split(StreamDecoderTests.chunk(StreamDecoderTests.delta(#""tool_calls":[{"index":0,"function":{"arguments":"@@"}}]"#)))
/// Tokens after the piece: they move with its length.
fileprivate let movingShape = split(#"{"choices":[{"delta":{"content":"@@","role":"assistant"},"finish_reason":null,"index":0}],"model":"m","id":"abc","created":5}"#)

fileprivate func piece(_ shape: ([UInt8], [UInt8]), _ text: [UInt8]) -> [UInt8] { shape.0 + text + shape.1 }
fileprivate func content(_ text: String) -> [UInt8] { piece(contentShape, Array(text.utf8)) }
fileprivate func line(_ chunk: [UInt8]) -> [UInt8] { Array("data: ".utf8) + chunk + [0x0A, 0x0A] }
fileprivate func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
fileprivate let done = bytes("data: [DONE]\n\n")

fileprivate func replayed(_ pieces: [String]) -> [UInt8] { pieces.flatMap { line(content($0)) } }

/// The current event read where the decoder keeps it (`EventCursor.inPlace`):
/// through `current`, `currentEvent`, `currentType`, `currentText`,
/// `advance`, `forEachPending`, `currentIsLastInChunk` and `rawChunk`, fed
/// as a stream's sink is (`consume`, compacting between reads), chunks of
/// many events each (their list grows past its first memory), replayed
/// chunks between them; then a task's END and further decoding.
@Suite struct EventCursorInPlaceTests {
    typealias S = StreamDecoderTests

    static func describe(_ cursor: EventCursor) -> String {
        S.describe(cursor.current, text: cursor.currentText ?? UnsafeBufferPointer(start: nil, count: 0),
                   toolCall: cursor.toolCall(of:), finishReason: cursor.finishReason(of:))
    }

    /// The reference: each message's events and raw data, from a decoder
    /// that scans every chunk whole, given the input at once.
    static func reference(_ input: [UInt8]) -> [String] {
        let decoder = StreamDecoder(reusesShapes: false)
        let buffer = TextBuffer()
        input.withUnsafeBytes { buffer.append($0) }
        var out: [String] = []
        while (try? decoder.decodeNext(buffer)) == true {
            guard decoder.eventCount > 0 else { continue }
            out.append("raw:" + String(decoding: decoder.rawChunk, as: UTF8.self))
            for i in 0..<decoder.eventCount { out.append(S.describe(decoder, decoder.event(i))) }
        }
        return out
    }

    /// Checks what the cursor says of its current event against itself.
    static func checkCurrent(_ cursor: EventCursor, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(cursor.hasCurrent, sourceLocation: sourceLocation)
        let event = cursor.current
        #expect(cursor.currentEvent?.type == event.type, sourceLocation: sourceLocation)
        #expect(cursor.currentType == event.type.rawValue, sourceLocation: sourceLocation)
        let text = cursor.currentText
        let direct = cursor.text(of: event)
        #expect(text?.baseAddress == direct.baseAddress && text?.count == direct.count, sourceLocation: sourceLocation)
        if let base = text?.baseAddress { #expect(base[text!.count] == 0, "text NUL-terminated", sourceLocation: sourceLocation) }
    }

    /// Reads `input` through a cursor in reads cycling through `reads`,
    /// taking each message's events with `advance` (or, at random, all at
    /// once with `forEachPending` first).
    static func read(_ input: [UInt8], reads: [Int], random: inout SplitMix) throws -> [String] {
        let cursor = EventCursor(maxEventBytes: 1 << 20, maxResponseBytes: 64 << 20)
        let buffer = TextBuffer()
        var out: [String] = []
        var offset = 0
        var turn = 0
        reading: while offset < input.count || buffer.count > 0 {
            let n = min(reads[turn % reads.count], input.count - offset)
            turn += 1
            input[offset..<offset + n].withUnsafeBytes { buffer.append($0) }
            offset += n
            while true {
                switch try cursor.consume(buffer) {
                case .produced:
                    out.append("raw:" + String(decoding: cursor.rawChunk, as: UTF8.self))
                    var pending: [String] = []
                    var peeked = false
                    while true {
                        checkCurrent(cursor)
                        if !peeked && random.next() % 3 == 0 {
                            // What is pending from here, then read one by one.
                            cursor.forEachPending { event in pending.append("\(event.type)/\(event.choiceIndex)/\(event.toolCallIndex)") }
                            peeked = true
                        }
                        if !pending.isEmpty {
                            let e = cursor.current
                            #expect(pending.removeFirst() == "\(e.type)/\(e.choiceIndex)/\(e.toolCallIndex)")
                        }
                        out.append(describe(cursor))
                        let last = cursor.currentIsLastInChunk
                        let moved = cursor.advance()
                        #expect(last == !moved, "currentIsLastInChunk says \(last), advance \(moved)")
                        if !moved {
                            // At the last event advance stays there.
                            #expect(out.last == describe(cursor))
                            break
                        }
                    }
                    #expect(pending.isEmpty)
                case .needsMore:
                    #expect(!cursor.hasCurrent)
                    #expect(cursor.currentEvent == nil)
                    #expect(cursor.currentType == 0)
                    #expect(cursor.currentText == nil)
                    #expect(!cursor.advance())
                    if offset == input.count { break reading }
                    continue reading
                case .ended:
                    break reading
                }
            }
        }
        return out
    }

    static func streams() -> [[UInt8]] {
        let u = #"{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"cached_tokens":1}"#
        func calls(_ n: Int, from: Int = 0, args: String = "{") -> String {
            (from..<from + n).map { #"{"index":\#($0),"id":"call_\#($0)","type":"function","function":{"name":"f\#($0)","arguments":"\#(args)"}}"# }
                .joined(separator: ",")
        }
        let chunks = [
            S.chunk(S.delta(#""role":"assistant","content":"hi""#)),
            S.chunk(S.delta(#""content":" a""#)),
            S.chunk(S.delta(#""content":" b""#)),
            S.chunk(S.delta(#""reasoning_content":"r","content":"c""#, finish: "stop", usage: u), usage: u),
            S.chunk(S.delta(#""content":" d""#)),
            S.chunk(S.delta(#""tool_calls":[\#(calls(9))]"#)),
            S.chunk(S.delta(#""tool_calls":[{"index":3,"function":{"arguments":"\"x\""}}]"#)),
            S.chunk(S.delta(#""tool_calls":[{"index":3,"function":{"arguments":"1"}}]"#)),
            S.chunk(S.delta(#""content":" e""#) + "," + S.delta(#""role":"assistant","content":"f""#, index: 1)
                    + "," + S.delta(#""tool_calls":[\#(calls(5, from: 0, args: ""))]"#, index: 2)),
            S.chunk(S.delta(#""content":" g""#)),
            S.chunk(S.delta("", finish: "tool_calls")),
        ]
        var all: [[UInt8]] = [S.sse(chunks)]
        // Replayed chunks between the many-event ones.
        var mixed: [String] = []
        for (i, chunk) in chunks.enumerated() {
            mixed.append(chunk)
            mixed += (0..<(i % 4)).map { S.chunk(S.delta("\"content\":\"r\($0)\"")) }
        }
        all.append(S.sse(mixed))
        all.append(Array((": hello\n\n" + String(decoding: S.sse(mixed), as: UTF8.self)).utf8))
        return all
    }

    @Test func eventsReadInPlaceMatchTheReference() throws {
        var random = SplitMix(seed: 0xC0_4503)
        for input in Self.streams() {
            let expected = Self.reference(input)
            #expect(expected.last == "DONE")
            for reads in [[input.count], [1], [2], [7], [13], [64], [5, 200, 1], [300, 3]] {
                let got = try Self.read(input, reads: reads, random: &random)
                #expect(got == expected, "reads \(reads)")
            }
        }
    }

    /// Events without text (finish, usage, a tool call's start and end,
    /// done) after events with text in the same chunk: their text must
    /// read as "" as C reads it (`EventReading`'s views are NUL-terminated;
    /// kimi_stream_event_text promises "" for events without), not as the
    /// chunk's first text. Before the fix a FINISH after "hi" read "hi".
    @Test func eventsWithoutTextReadAsEmptyStrings() throws {
        let u = #"{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#
        let input = S.sse([S.chunk(S.delta(#""role":"assistant","content":"hi""#, finish: "stop"), usage: u),
                           S.chunk(S.delta(#""tool_calls":[{"index":0,"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]"#)),
                           S.chunk(S.delta(#""content":"x""#, finish: "tool_calls"))])
        let cursor = EventCursor(maxEventBytes: 1 << 20, maxResponseBytes: 64 << 20)
        let buffer = TextBuffer()
        input.withUnsafeBytes { buffer.append($0) }
        var seen: [String] = []
        while try cursor.consume(buffer) == .produced {
            repeat {
                let text = try #require(cursor.currentText)
                let base = try #require(text.baseAddress)
                let asC = String(cString: UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self))
                seen.append("\(cursor.current.type):\(asC)")
                #expect(strlen(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)) == text.count,
                        "\(cursor.current.type): C reads \(asC.debugDescription), \(text.count) bytes")
                let direct = cursor.text(of: cursor.current)
                #expect(direct.count == 0 || direct.baseAddress![direct.count] == 0)
                if direct.count == 0, let b = direct.baseAddress { #expect(b[0] == 0, "text(of:) of \(cursor.current.type)") }
            } while cursor.advance()
        }
        #expect(seen == ["role:assistant", "contentDelta:hi", "finish:", "usage:", "toolCallStart:", "toolCallDelta:{}",
                         "contentDelta:x", "toolCallDone:", "finish:", "done:"])
    }

    /// A task's END shown in the middle of a message: it is the current
    /// event, alone, with no text; the message's other events are not
    /// reachable; the next decode shows the next message from its first
    /// event, the END gone.
    @Test func anEndThenFurtherDecoding() throws {
        let input = S.sse([S.chunk(S.delta(#""role":"assistant","content":"hi""#, finish: "stop")),
                           S.chunk(S.delta(#""content":"x""#)), S.chunk(S.delta(#""content":"y""#))])
        let cursor = EventCursor(maxEventBytes: 1 << 20, maxResponseBytes: 64 << 20)
        let buffer = TextBuffer()
        input.withUnsafeBytes { buffer.append($0) }
        #expect(try cursor.consume(buffer) == .produced)
        #expect(cursor.current.type == .role)
        #expect(cursor.advance())
        #expect(cursor.current.type == .contentDelta)
        cursor.showEnd(status: .aborted)
        #expect(cursor.hasCurrent)
        #expect(cursor.current.type == .end && cursor.current.status == .aborted)
        #expect(cursor.currentEvent?.type == .end)
        #expect(cursor.currentType == StreamEventType.end.rawValue)
        #expect(cursor.currentText?.count == 0)
        #expect(cursor.currentIsLastInChunk)
        #expect(cursor.rawChunk.count == 0)
        var pending: [StreamEventType] = []
        cursor.forEachPending { pending.append($0.type) }
        #expect(pending == [.end])
        #expect(!cursor.advance())
        #expect(cursor.current.type == .end)

        #expect(try cursor.consume(buffer) == .produced)
        #expect(cursor.current.type == .contentDelta)
        #expect(String(decoding: cursor.currentText!, as: UTF8.self) == "x")
        #expect(cursor.currentIsLastInChunk)
        pending = []
        cursor.forEachPending { pending.append($0.type) }
        #expect(pending == [.contentDelta])
        #expect(!cursor.advance())
        #expect(try cursor.consume(buffer) == .produced)
        #expect(String(decoding: cursor.currentText!, as: UTF8.self) == "y")
    }
}


/// Where `"delta"` starts in `head`: a LF put there joins two tokens.
fileprivate func deltaAt(_ head: [UInt8]) -> Int {
    let key = Array(#""delta""#.utf8)
    return (0...(head.count - key.count)).first { Array(head[$0..<$0 + key.count]) == key }!
}
