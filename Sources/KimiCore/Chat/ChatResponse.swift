/// Token counts. -1 marks a count the server did not send.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int64 = -1
    public var completionTokens: Int64 = -1
    public var totalTokens: Int64 = -1
    /// From `cached_tokens` or `prompt_tokens_details.cached_tokens`.
    public var cachedTokens: Int64 = -1

    public init() {}

    public var isPresent: Bool { promptTokens >= 0 || completionTokens >= 0 || totalTokens >= 0 }

    /// Kimi reports cached tokens at the top of `usage` or in
    /// `prompt_tokens_details` (live K2.6 answers carry both): the top one
    /// wins. The one rule for bodies and streams.
    static func cachedTokens(top: Int64?, details: Int64?) -> Int64 { top ?? details ?? -1 }
}

/// A tool call in a response, assembled from one message or many deltas.
/// Its id, type and name are outside text (gated); its arguments are the
/// model's own text, byte for byte.
public final class ResponseToolCall {
    public let id = GatedText()
    public let type = GatedText()
    public let name = GatedText()
    public let arguments = TextBuffer()
    public init() {}
}

/// One choice of a response: the assistant message and how it ended. The
/// content and reasoning are the model's text, byte for byte; the role and
/// finish reason are outside text (gated).
public final class ResponseChoice {
    public var index: Int
    public let role = GatedText()
    public let content = TextBuffer()
    public let reasoning = TextBuffer()
    public let finishReason = GatedText()
    public var toolCalls: [ResponseToolCall] = []
    /// Kimi's per-choice usage (`choices[i].usage`), when sent.
    public var usage = Usage()

    public init(index: Int) { self.index = index }
}

/// A chat completion: from one JSON body, or accumulated from a stream.
/// Both paths fill the same fields, so the accessors cannot tell them apart.
public final class ChatResponse {
    public let id = GatedText()
    public let object = GatedText()
    public let model = GatedText()
    public var created: Int64 = 0
    /// Choices in order of their `index`.
    public var choices: [ResponseChoice] = []
    public var usage = Usage()
    /// The prices of the client that made this response (K2.6's until then).
    public internal(set) var pricing = Pricing.kimiK26
    /// Set once the client's usage totals include this response.
    var accounted = false
    /// What the call that made it tells: request id, headers, status,
    /// attempts, times.
    public internal(set) var metadata = ResponseMetadata()

    /// What this response cost under `pricing`: its tokens and its
    /// `$web_search` calls.
    public var costUSD: Double { pricing.cost(of: usage, webSearches: webSearchCalls) }

    /// The `$web_search` calls Kimi bills this response for: its calls of
    /// `$web_search` in choices that finished with "tool_calls"
    /// (platform.kimi.ai/docs/pricing/tools; one that ends "stop" is free).
    public var webSearchCalls: Int64 {
        var calls: Int64 = 0
        for choice in choices where choice.finishReason.string == "tool_calls" {
            for call in choice.toolCalls where call.name.string == "$web_search" { calls += 1 }
        }
        return calls
    }

    /// A response that holds only the metadata of an answer still arriving
    /// (a running stream task's head).
    public convenience init(metadataOnly metadata: ResponseMetadata) {
        self.init()
        self.metadata = metadata
    }

    /// The Partial Mode prefix the request ended with, "" when none.
    public let prefix = TextBuffer()
    /// prefix + content of choice 0, made when the response is complete.
    private var full: TextBuffer?

    private let rawLock = Lock()
    private var rawBody: TextBuffer?
    private var exported: GatedText?
    /// Removes the key from the JSON this response exports.
    let gate: Gate

    public init(gate: Gate = .none) { self.gate = gate }

    /// A response whose JSON is the body it was decoded from.
    init(rawBody: TextBuffer, gate: Gate) {
        self.rawBody = rawBody
        self.gate = gate
    }

    /// The JSON of this response: the body as received, or for a stream a
    /// non-streaming-shaped document, made once on first use; gated (a
    /// server that quotes the key back does not get it exported).
    public var json: GatedText {
        rawLock.withLock {
            if let exported { return exported }
            let text = rawBody ?? ResponseEncoder.encode(self)
            var unchanged = false
            let made = withExtendedLifetime(text) {
                GatedText(gate.admitJSON(text.view, payload: .chatResponse, unchanged: &unchanged))
            }
            if rawBody != nil { bodyAsIs = unchanged }
            exported = made
            rawBody = nil
            return made
        }
    }

    /// The decoded body's shape when records hold it whole (`ResponseShape`).
    var shape: ResponseShape?
    /// Whether `json` is the body as received; known once asked or exported.
    private var bodyAsIs: Bool?

    /// True when the JSON this response exports is the body as received:
    /// no control character to escape, no key to remove (false for a
    /// response made from a stream).
    var exportsBodyAsIs: Bool {
        rawLock.withLock {
            if bodyAsIs == nil, let rawBody { bodyAsIs = gate.passesUnchanged(rawBody.view) }
            return bodyAsIs ?? false
        }
    }

    /// The whole answer of choice 0: Partial Mode's prefix followed by the
    /// completion (just the content when the request had no prefix).
    public var fullContent: TextBuffer { full ?? choice(at: 0).content }

    /// Records the prefix of a Partial Mode request; call once the response
    /// is complete (the content no longer grows).
    func completePartial(prefix text: String?) {
        guard let text, !text.isEmpty else { return }
        prefix.append(text)
        let whole = TextBuffer(capacity: text.utf8.count + choice(at: 0).content.count)
        whole.append(text)
        whole.append(choice(at: 0).content)
        full = whole
    }

    /// The choice with `index`, created (with any missing ones before it) on
    /// first use. Streams name choices by index, in any order.
    func choice(at index: Int) -> ResponseChoice {
        while choices.count <= index { choices.append(ResponseChoice(index: choices.count)) }
        return choices[index]
    }
}
