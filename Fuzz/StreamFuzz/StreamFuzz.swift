import FuzzSupport
import KimiCore

/// libFuzzer target: the SSE decoder, the chunk scanner and the stream
/// accumulator (StreamDecoder), fed the input three times: whole, in pieces
/// whose sizes come from the first byte, and whole with every chunk scanned
/// whole (no shape replayed, `ChunkShape`). Beyond "no crash", three oracles:
/// - nothing is lost: each choice's accumulated content and reasoning are
///   exactly the concatenation of the delta events delivered for it;
/// - splitting does not matter: both runs deliver the same events, the same
///   final answer and end the same way;
/// - replaying a chunk's shape gives what scanning it whole gives.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let seed = Int(data[0])
    let stream = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let whole = run(stream, pieceSize: { stream.count })
    var state = seed
    let split = run(stream, pieceSize: {
        state = (state &* 37 &+ 11) & 0xFF
        return 1 + state % 48
    })
    require(whole == split, "splitting changed the result:\n\(whole)\n---\n\(split)")
    let scanned = run(stream, reusesShapes: false, pieceSize: { stream.count })
    require(whole == scanned, "replaying shapes changed the result:\n\(whole)\n---\n\(scanned)")
    return 0
}

private struct Outcome: Equatable, CustomStringConvertible {
    var events: [String] = []
    var contents: [String] = []
    var reasonings: [String] = []
    /// The response's other parts: id, model, roles, finish reasons, tool calls.
    var parts: [String] = []
    var ending = ""

    var description: String { "events \(events.count) \(events.suffix(5)) contents \(contents) ending \(ending)" }
}

private func run(_ stream: UnsafeBufferPointer<UInt8>, reusesShapes: Bool = true, pieceSize: () -> Int) -> Outcome {
    let decoder = StreamDecoder(maxEventBytes: 4096, reusesShapes: reusesShapes)
    let input = TextBuffer()
    var outcome = Outcome()
    var delivered: [Int: (content: [UInt8], reasoning: [UInt8])] = [:]
    var position = 0
    do throws(KimiError) {
        while true {
            if try decoder.decodeNext(input) {
                for i in 0..<decoder.eventCount {
                    let event = decoder.event(i)
                    let text = Array(decoder.text(of: event))
                    outcome.events.append("\(event.type) \(event.choiceIndex) \(event.toolCallIndex) \(String(decoding: text, as: UTF8.self))")
                    switch event.type {
                    case .contentDelta: delivered[event.choiceIndex, default: ([], [])].content += text
                    case .reasoningDelta: delivered[event.choiceIndex, default: ([], [])].reasoning += text
                    default: break
                    }
                }
                if decoder.sawDone { break }
                continue
            }
            guard position < stream.count else { break }
            decoder.compact(input)
            let n = min(pieceSize(), stream.count - position)
            input.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(stream)[position..<position + n]))
            position += n
        }
        outcome.ending = decoder.sawDone ? "done" : "end of input"
    } catch {
        outcome.ending = "\(error.status): \(error.message)"
    }
    for choice in decoder.response.choices {
        let mine = delivered[choice.index] ?? ([], [])
        require(Array(UnsafeBufferPointer(start: choice.content.bytes, count: choice.content.count)) == mine.content,
                     "choice \(choice.index): accumulated content differs from the delivered deltas")
        require(Array(UnsafeBufferPointer(start: choice.reasoning.bytes, count: choice.reasoning.count)) == mine.reasoning,
                     "choice \(choice.index): accumulated reasoning differs from the delivered deltas")
        outcome.contents.append(choice.content.string)
        outcome.reasonings.append(choice.reasoning.string)
        outcome.parts.append("\(choice.index) \(choice.role.string) \(choice.finishReason.string) \(choice.usage)")
        for call in choice.toolCalls {
            outcome.parts.append("call \(call.id.string) \(call.type.string) \(call.name.string) \(call.arguments.string)")
        }
    }
    let response = decoder.response
    outcome.parts.append("\(response.id.string) \(response.model.string) \(response.created) \(response.usage)")
    return outcome
}

/// `precondition` that prints its message in optimized builds too.
