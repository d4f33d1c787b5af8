import Testing
@testable import KimiCore

/// A chunk's shape replayed (`ChunkShape`) must give exactly what scanning
/// it whole gives: the same events, the same response, the same error with
/// the same byte offset. Each stream here is decoded both ways and compared,
/// then a few thousand mutated streams are.
@Suite struct ChunkShapeTests {
    typealias S = StreamDecoderTests

    /// Everything a reader can see of a decoded stream, as text.
    static func seen(_ outcome: S.Outcome) -> [String] {
        var lines = outcome.events
        let r = outcome.response
        lines.append("id=\(r.id.string) model=\(r.model.string) created=\(r.created) usage=\(r.usage)")
        for choice in r.choices {
            lines.append("choice \(choice.index) role=\(choice.role.string) finish=\(choice.finishReason.string)")
            lines.append("content=\(Array(UnsafeBufferPointer(start: choice.content.bytes, count: choice.content.count)))")
            lines.append("reasoning=\(Array(UnsafeBufferPointer(start: choice.reasoning.bytes, count: choice.reasoning.count)))")
            for call in choice.toolCalls {
                lines.append("call id=\(call.id.string) type=\(call.type.string) name=\(call.name.string) args=\(call.arguments.string)")
            }
        }
        lines.append("error=\(outcome.error.map { "\($0.status): \($0.message)" } ?? "none")")
        return lines
    }

    /// Decodes `input` with and without shapes, whole and in 7-byte reads.
    @discardableResult
    static func same(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> S.Outcome {
        let reference = S.run(input, reusesShapes: false)
        for piece in [0, 7] {
            let replayed = S.run(input, piece: piece, reusesShapes: true)
            #expect(seen(replayed) == seen(reference), "piece \(piece)", sourceLocation: sourceLocation)
        }
        return reference
    }

    static func content(_ text: String) -> String { S.chunk(S.delta("\"content\":\"\(text)\"")) }

    @Test func plainPiecesReplay() {
        let outcome = Self.same(S.sse([S.chunk(S.delta(#""role":"assistant","content":"""#))]
                                      + ["a", "bc", "", "def", "ghij"].map(Self.content)))
        #expect(outcome.response.choices[0].content.string == "abcdefghij")
    }

    @Test func escapesAndNonASCIIInPieces() {
        Self.same(S.sse([#"x\"y"#, #"\\"#, #"\n\t\u00e9\ud83c\udf0d"#, "Grüße 世界 🌍", #"\/"#, "end\\\\"].map(Self.content)))
    }

    /// A piece that holds the bytes of the shape's tail, or ends in a
    /// backslash that escapes the quote the tail starts with: the string
    /// does not end where the tail starts, so the chunk is scanned whole.
    @Test func piecesThatMimicTheTail() {
        Self.same(S.sse(["a", #"b\"},\"finish_reason\":null}]}"#, "c"].map(Self.content)))
        // Raw: the first quote ends the piece early; what follows is a bad
        // chunk or another shape, as a whole scan says.
        Self.same(S.sse(["a", "b\"},\"finish_reason\":null}]}x", "c"].map(Self.content)))
        Self.same(S.sse(["a", "b\",\"content\":\"c", "d"].map(Self.content)))
        Self.same(S.sse(["a", "b\\", "c"].map(Self.content)))
        Self.same(S.sse(["a", "b\\\\\\", "c"].map(Self.content)))
    }

    @Test func badPiecesFailAtTheSameByte() {
        let outcome = Self.same(S.sse(["a", "b\u{01}c", "d"].map(Self.content)))
        #expect(outcome.error?.status == .parse)
        Self.same(S.sse(["a", "b\\x", "d"].map(Self.content)))
        Self.same(S.sse(["a", "b\\u12G4", "d"].map(Self.content)))
        Self.same(S.sse(["a", "b\nc", "d"].map(Self.content)))
    }

    /// Tokens after the piece (id, model, finish reason, role) move with its length.
    @Test func fieldsAfterThePieceMove() {
        func chunk(_ text: String, finish: String = "null") -> String {
            #"{"choices":[{"delta":{"content":""# + text + #"","role":"assistant"},"finish_reason":"#
                + finish + #","index":0}],"model":"m-1","id":"abc","created":5}"#
        }
        let outcome = Self.same(S.sse([chunk("a"), chunk("bbbb"), chunk(""), chunk("cc", finish: "\"stop\"")]))
        #expect(outcome.response.id.string == "abc")
        #expect(outcome.response.choices[0].finishReason.string == "stop")
    }

    @Test func reasoningAndToolCallArgumentsReplay() {
        let reasoning = ["think ", "more ", ""].map { S.chunk(S.delta("\"reasoning_content\":\"\($0)\"")) }
        func args(_ text: String) -> String {
            S.chunk(S.delta(#""tool_calls":[{"index":0,"function":{"arguments":""# + text + #""}}]"#))
        }
        let start = S.chunk(S.delta(#""tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]"#))
        let outcome = Self.same(S.sse(reasoning + [start] + ["{\\\"a\\\"", ":1", "}"].map(args)
                                      + [S.chunk(S.delta("", finish: "tool_calls"))]))
        #expect(outcome.response.choices[0].toolCalls.first?.arguments.string == #"{"a":1}"#)
    }

    @Test func otherShapesAreScannedWhole() {
        let two = S.chunk(S.delta("\"content\":\"a\"") + "," + S.delta("\"content\":\"b\"", index: 1))
        let both = S.chunk(S.delta(#""content":"a","reasoning_content":"r""#))
        let usage = S.chunk(S.delta("\"content\":\"u\""), usage: #"{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}"#)
        Self.same(S.sse([two, two, both, both, usage, usage, Self.content("z"), two]))
        let error = #"{"error":{"message":"boom","type":"x"},"choices":[{"index":0,"delta":{"content":"a"}}]}"#
        Self.same(S.sse([Self.content("a"), error, error]))
    }

    /// Streams of chunks mutated at random (a byte changed, dropped or
    /// doubled, a quote or backslash put in), compared both ways.
    @Test func mutatedStreamsDecodeTheSame() {
        var random = SplitMix(seed: 0x5EED)
        let bases = [Self.content("tok "), S.chunk(S.delta("\"reasoning_content\":\"r\"")),
                     S.chunk(S.delta(#""tool_calls":[{"index":0,"function":{"arguments":"ä"}}]"#))]
        let specials: [UInt8] = Array(#""\{}[],:0n "#.utf8) + [0x01, 0xC3, 0xA4, 0x0A]
        for _ in 0..<3000 {
            var chunks: [[UInt8]] = []
            let base = Array(bases[Int(random.next() % 3)].utf8)
            for _ in 0..<(2 + Int(random.next() % 5)) {
                var bytes = base
                for _ in 0..<Int(random.next() % 3) {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 4 {
                    case 0: bytes[at] = specials[Int(random.next() % UInt64(specials.count))]
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(bytes[at], at: at)
                    default: bytes.insert(specials[Int(random.next() % UInt64(specials.count))], at: at)
                    }
                }
                chunks.append(bytes)
            }
            var input: [UInt8] = []
            for chunk in chunks { input += Array("data: ".utf8) + chunk.filter { $0 != 0x0A && $0 != 0x0D } + [0x0A, 0x0A] }
            let reference = S.run(input, reusesShapes: false)
            let replayed = S.run(input, reusesShapes: true)
            #expect(Self.seen(replayed) == Self.seen(reference), "\(String(decoding: input, as: UTF8.self))")
        }
    }
}

extension ChunkShapeTests {
    /// A chunk of the learned shape is taken from its `data:` line without
    /// a search for the line's end (`replayLine`), so everything around it
    /// is framing the general rules must still read: CR line ends, a
    /// second data line, other fields, comments, a missing blank line.
    /// Streams with such framing between replayed chunks, compared both
    /// ways, whole and in reads of 1, 7 and 64 bytes.
    @Test func framingAroundReplayedChunks() {
        var random = SplitMix(seed: 0xF2A3E)
        let ends = ["\n\n", "\r\n\r\n", "\r\r", "\n\r\n", "\r\n\n", "\n", "\n\n\n", "\ndata: x\n\n", "\ndata:\n\n",
                    "\nevent: error\n\n", "\nevent: other\n\n", "\nid: 7\n\n", "\n:c\n\n", "\n\u{0}\n", "\n \n", ""]
        let starts = ["data: ", "data:", "data:  ", "Data: ", ":c\ndata: ", "event: message\ndata: ", "\ndata: ", "id: 1\ndata: "]
        let pieces = ["a", "Grüße 世界 🌍 ", #"\n\"x"#, "", "b\nc"]
        for _ in 0..<1500 {
            var text = ""
            for _ in 0..<(3 + Int(random.next() % 6)) {
                let odd = random.next() % 4 == 0
                text += (odd ? starts[Int(random.next() % UInt64(starts.count))] : "data: ")
                text += Self.content(pieces[Int(random.next() % UInt64(pieces.count))])
                text += random.next() % 4 == 0 ? ends[Int(random.next() % UInt64(ends.count))] : "\n\n"
            }
            let input = Array((text + "data: [DONE]\n\n").utf8)
            let reference = S.run(input, reusesShapes: false)
            for piece in [0, 1, 7, 64] {
                let replayed = S.run(input, piece: piece, reusesShapes: true)
                #expect(Self.seen(replayed) == Self.seen(reference), "piece \(piece): \(text)")
            }
        }
    }

    /// A replayed line at, just over and well over the event limit fails
    /// (or not) exactly as the general rules decide, at the same offset.
    @Test func replayedLinesKeepTheEventLimit() {
        let line = "data: " + Self.content("ab") // 6 + chunk bytes
        let limit = line.utf8.count
        for extra in 0..<4 {
            let grown = Self.content(String(repeating: "x", count: 2 + extra))
            let input = S.sse([Self.content("ab"), Self.content("ab"), grown, Self.content("ab")])
            let reference = S.run(input, reusesShapes: false, maxEventBytes: limit)
            for piece in [0, 7] {
                let replayed = S.run(input, piece: piece, reusesShapes: true, maxEventBytes: limit)
                #expect(Self.seen(replayed) == Self.seen(reference), "extra \(extra), piece \(piece)")
            }
            #expect((reference.error?.status == .tooLarge) == (extra > 0), "extra \(extra)")
        }
    }
}

/// A small deterministic generator for the mutation test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
