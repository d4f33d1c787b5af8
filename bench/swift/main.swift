// kimi-bench: micro-benchmarks of KimiCore pieces that have throughput
// targets. Prints one JSON line per measurement; bench/run.py tabulates them.
import Foundation
import KimiCore

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ name: String, bytes: Int, runs: [Double]) {
    let best = runs.min() ?? 0
    let median = runs.sorted()[runs.count / 2]
    print(#"{"name": "\#(name)", "bytes": \#(bytes), "best_s": \#(best), "median_s": \#(median), "gb_per_s": \#(Double(bytes) / median / 1e9)}"#)
}

let size = 50 * 1024 * 1024
var input = [UInt8](repeating: 0, count: size)
var state: UInt64 = 0x9E3779B97F4A7C15
for i in 0..<size {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    input[i] = UInt8(truncatingIfNeeded: state >> 56)
}

// 1. The encoder alone, into a preallocated buffer.
let output = UnsafeMutableRawPointer.allocate(byteCount: Base64.encodedLength(size), alignment: 64)
var runs: [Double] = []
for _ in 0..<7 {
    runs.append(input.withUnsafeBytes { raw in seconds { Base64.encode(raw.baseAddress!, count: size, to: output) } })
}
report("base64 encode (50 MiB in memory)", bytes: size, runs: runs)

// 2. The send path: a 50 MB video file read and encoded through the body
// reader in 64 KiB pieces, as curl's read callback pulls it.
let path = NSTemporaryDirectory() + "kimi-bench-\(getpid()).mp4"
let header: [UInt8] = [0, 0, 0, 0x18] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2".utf8)
var file = input
file.replaceSubrange(0..<header.count, with: header)
_ = FileManager.default.createFile(atPath: path, contents: Data(file))
defer { try? FileManager.default.removeItem(atPath: path) }
var message = Message(role: .user)
message.addPart(.video(.inline(try InlineMedia.fromFile(path, kind: .video))))
var request = ChatRequest()
request.messages.append(message)
let body = RequestEncoder.encode(request, for: .create)
runs = []
let piece = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 64)
for _ in 0..<5 {
    let reader = BodyReader(body)
    runs.append(seconds { while let n = reader.read(into: piece, capacity: 65536), n > 0 {} })
}
report("request body with a 50 MiB video file (64 KiB reads)", bytes: size, runs: runs)

// 3. Chunk decoding, the stream's hot path, two ways over the same 100,000
// chunks: the direct scan libkimi uses (StreamDecoder: SSE lines, JSONScanner,
// accumulator) and jansson (json_loads of each payload, then member lookups),
// both appending the content to one buffer.
let chunkCount = 100_000
let chunkLine = #"data: {"id":"cmpl-0123456789abcdef01234567","object":"chat.completion.chunk","created":1700000000,"model":"kimi-k2.6","choices":[{"index":0,"delta":{"content":"tok "},"finish_reason":null}]}"# + "\n\n"
var sse = [UInt8]()
sse.reserveCapacity(chunkLine.utf8.count * chunkCount + 16)
for _ in 0..<chunkCount { sse.append(contentsOf: chunkLine.utf8) }
sse.append(contentsOf: "data: [DONE]\n\n".utf8)
let sseBytes = sse.count

func chunkReport(_ name: String, runs: [Double], bytes: Int = sseBytes) {
    let median = runs.sorted()[runs.count / 2]
    print(#"{"name": "\#(name)", "chunks": \#(chunkCount), "median_s": \#(median), "ns_per_chunk": \#(median / Double(chunkCount) * 1e9), "gb_per_s": \#(Double(bytes) / median / 1e9)}"#)
}

/// Runs of the direct scan (StreamDecoder) over `stream`, each checked by `check`.
func directScanRuns(_ stream: [UInt8], check: (ChatResponse) -> Bool) -> [Double] {
    (0..<7).map { _ in
        let input = stream.withUnsafeBytes { TextBuffer(bytes: $0) }
        return seconds {
            let decoder = StreamDecoder()
            while (try? decoder.decodeNext(input)) == true {}
            precondition(decoder.sawDone && check(decoder.response))
        }
    }
}
runs = directScanRuns(sse) { $0.choices[0].content.count == 4 * chunkCount }
chunkReport("chunk decoding, direct scan (StreamDecoder)", runs: runs)
// The same over bench/run.py's mixed stream: half non-ASCII content pieces,
// half tool-call argument pieces (the mock's `mixed` scenario).
let chunkHead = #"data: {"id":"cmpl-0123456789abcdef01234567","object":"chat.completion.chunk","created":1700000000,"model":"kimi-k2.6","choices":[{"index":0,"delta":"#
let chunkTail = #","finish_reason":null}]}"# + "\n\n"
var mixed = [UInt8]()
mixed.reserveCapacity(sse.count * 5 / 4)
for _ in 0..<(chunkCount / 2) { mixed.append(contentsOf: (chunkHead + #"{"content":"Grüße 世界 🌍 "}"# + chunkTail).utf8) }
mixed.append(contentsOf: (chunkHead + #"{"tool_calls":[{"index":0,"id":"functions.search:0","type":"function","function":{"name":"search","arguments":""}}]}"# + chunkTail).utf8)
for _ in 0..<(chunkCount / 2) { mixed.append(contentsOf: (chunkHead + #"{"tool_calls":[{"index":0,"function":{"arguments":"ääääää"}}]}"# + chunkTail).utf8) }
mixed.append(contentsOf: "data: [DONE]\n\n".utf8)
runs = directScanRuns(mixed) { $0.choices[0].toolCalls.first?.arguments.count == 12 * chunkCount / 2 }
chunkReport("chunk decoding of the mixed stream, direct scan (StreamDecoder)", runs: runs, bytes: mixed.count)

runs = []
let lineLength = chunkLine.utf8.count
for _ in 0..<7 {
    let content = TextBuffer()
    runs.append(sse.withUnsafeBytes { raw in
        seconds {
            for i in 0..<chunkCount {
                let payload = UnsafeRawBufferPointer(rebasing: raw[(i * lineLength + 6)..<((i + 1) * lineLength - 2)])
                guard case .success(let root) = JSONValue.parse(payload),
                      let delta = root.member("choices")?.elements.first?.member("delta") else { continue }
                _ = delta.member("content")?.appendString(to: content)
            }
        }
    })
    precondition(content.count == 4 * chunkCount)
}
chunkReport("chunk decoding, jansson per payload", runs: runs)
