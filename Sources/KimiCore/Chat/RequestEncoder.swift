/// Writes a `ChatRequest` as the JSON body Kimi expects.
///
/// Key order is fixed (model, messages, then the documented fields), only
/// set fields are written, then the unlisted members of a loaded body, and
/// `extra` members are merged last and win over built ones, like
/// openai-python's `extra_body`. Inline media becomes a
/// separate body segment, encoded to base64 only when sent.
public struct RequestEncoder {
    public enum Purpose {
        case create
        case stream
        /// The body of `estimate-token-count`: model and messages only.
        case estimate
    }

    private var w: JSONWriter
    private var segments: [RequestBody.Segment] = []
    private let overridden: Set<String>

    private init(extraKeys: Set<String>) {
        w = JSONWriter(into: TextBuffer(capacity: 256))
        overridden = extraKeys
    }

    public static func encode(_ request: ChatRequest, for purpose: Purpose) -> RequestBody {
        var encoder = RequestEncoder(extraKeys: Set(request.extra?.members.map(\.key) ?? []))
        encoder.write(request, purpose)
        encoder.segments.append(.text(encoder.w.out))
        return RequestBody(encoder.segments)
    }

    /// A history as the JSON array of its messages (media inline).
    public static func encode(messages: [Message]) -> RequestBody {
        var encoder = RequestEncoder(extraKeys: [])
        encoder.w.beginArray()
        for message in messages { encoder.write(message) }
        encoder.w.endArray()
        encoder.segments.append(.text(encoder.w.out))
        return RequestBody(encoder.segments)
    }

    /// A streamed call's own members: `stream`, and `stream_options` when
    /// `include_usage` was set. A loaded body gets these same ones
    /// (`LoadedBody`).
    static func writeStreamFields(includeUsage: Bool?, to w: inout JSONWriter) {
        w.key("stream"); w.bool(true)
        if let includeUsage {
            w.key("stream_options")
            w.beginObject()
            w.key("include_usage"); w.bool(includeUsage)
            w.endObject()
        }
    }

    /// Writes `name` unless an extra member replaces it.
    private mutating func field(_ name: StaticString) -> Bool {
        if !overridden.isEmpty, overridden.contains(name.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }) {
            return false
        }
        w.key(name)
        return true
    }

    private mutating func write(_ request: ChatRequest, _ purpose: Purpose) {
        w.beginObject()
        if field("model") { w.string(request.model) }
        if field("messages") {
            w.beginArray()
            for message in request.messages { write(message) }
            w.endArray()
        }
        if purpose == .estimate {
            w.endObject()
            return
        }
        if let thinking = request.thinking, field("thinking") {
            w.beginObject()
            w.key("type"); w.string(thinking.type.rawValue)
            if let keep = thinking.keep { w.key("keep"); w.string(keep) }
            w.endObject()
        }
        if let value = request.maxCompletionTokens, field("max_completion_tokens") { w.int(value) }
        if let value = request.maxTokens, field("max_tokens") { w.int(value) }
        if let value = request.temperature, field("temperature") { w.double(value) }
        if let value = request.topP, field("top_p") { w.double(value) }
        if let value = request.n, field("n") { w.int(value) }
        if let value = request.presencePenalty, field("presence_penalty") { w.double(value) }
        if let value = request.frequencyPenalty, field("frequency_penalty") { w.double(value) }
        if let format = request.responseFormat, field("response_format") { write(format) }
        if !request.stop.isEmpty, field("stop") {
            w.beginArray()
            for stop in request.stop { w.string(stop) }
            w.endArray()
        }
        if purpose == .stream {
            let usage = overridden.contains("stream_options") ? nil : request.includeUsage
            RequestEncoder.writeStreamFields(includeUsage: usage, to: &w)
        }
        if !request.tools.isEmpty, field("tools") {
            w.beginArray()
            for tool in request.tools { write(tool) }
            w.endArray()
        }
        if let choice = request.toolChoice, field("tool_choice") { write(choice) }
        if let value = request.promptCacheKey, field("prompt_cache_key") { w.string(value) }
        if let value = request.safetyIdentifier, field("safety_identifier") { w.string(value) }
        for (key, value) in request.unlisted?.members ?? [] where !overridden.contains(key) {
            w.key(key)
            value.write(to: &w)
        }
        for (key, value) in request.extra?.members ?? [] {
            w.key(key)
            value.write(to: &w)
        }
        w.endObject()
    }

    private mutating func write(_ message: Message) {
        w.beginObject()
        w.key("role"); w.string(message.role.rawValue)
        // Kimi's own client leaves out empty content on tool-call turns.
        if !(message.role == .assistant && !message.toolCalls.isEmpty && message.hasNoContent) {
            w.key("content")
            if message.parts.isEmpty {
                w.string(message.text ?? "")
            } else {
                w.beginArray()
                for part in message.parts { write(part) }
                w.endArray()
            }
        }
        if let name = message.name { w.key("name"); w.string(name) }
        if message.partial { w.key("partial"); w.bool(true) }
        if let reasoning = message.reasoningContent { w.key("reasoning_content"); w.string(reasoning) }
        if !message.toolCalls.isEmpty {
            w.key("tool_calls"); w.beginArray()
            for call in message.toolCalls {
                w.toolCall(id: call.id, type: call.type, name: call.name, arguments: call.arguments)
            }
            w.endArray()
        }
        if let id = message.toolCallID { w.key("tool_call_id"); w.string(id) }
        w.endObject()
    }

    private mutating func write(_ part: ContentPart) {
        w.beginObject()
        switch part {
        case .text(let text):
            w.key("type"); w.string("text")
            w.key("text"); w.string(text)
        case .image(let media):
            w.key("type"); w.string("image_url")
            w.key("image_url"); write(media)
        case .video(let media):
            w.key("type"); w.string("video_url")
            w.key("video_url"); write(media)
        }
        w.endObject()
    }

    private mutating func write(_ media: Media) {
        w.beginObject()
        w.key("url")
        switch media {
        case .url(let url):
            w.string(url)
        case .inline(let inline):
            if let id = inline.uploadedID {
                w.string("ms://\(id)")
            } else {
                w.beginPiecewiseString()
                w.out.append(inline.dataURIPrefix)
                segments.append(.text(w.out))
                segments.append(.media(inline))
                w.continueIn(TextBuffer(capacity: 128))
                w.endPiecewiseString()
            }
        }
        w.endObject()
    }

    private mutating func write(_ tool: Tool) {
        w.beginObject()
        switch tool {
        case .function(let name, let description, let parameters, let strict):
            w.key("type"); w.string("function")
            w.key("function"); w.beginObject()
            w.key("name"); w.string(name)
            if let description { w.key("description"); w.string(description) }
            if let parameters { w.key("parameters"); parameters.write(to: &w) }
            if let strict { w.key("strict"); w.bool(strict) }
            w.endObject()
        case .builtin(let name):
            w.key("type"); w.string("builtin_function")
            w.key("function"); w.beginObject()
            w.key("name"); w.string(name)
            w.endObject()
        }
        w.endObject()
    }

    private mutating func write(_ choice: ToolChoice) {
        switch choice {
        case .auto: w.string("auto")
        case .none: w.string("none")
        case .required: w.string("required")
        case .function(let name):
            w.beginObject()
            w.key("type"); w.string("function")
            w.key("function"); w.beginObject()
            w.key("name"); w.string(name)
            w.endObject()
            w.endObject()
        }
    }

    private mutating func write(_ format: ChatRequest.ResponseFormat) {
        w.beginObject()
        switch format {
        case .text:
            w.key("type"); w.string("text")
        case .jsonObject:
            w.key("type"); w.string("json_object")
        case .jsonSchema(let name, let schema, let strict):
            w.key("type"); w.string("json_schema")
            w.key("json_schema"); w.beginObject()
            w.key("name"); w.string(name)
            if let strict { w.key("strict"); w.bool(strict) }
            w.key("schema"); schema.write(to: &w)
            w.endObject()
        }
        w.endObject()
    }
}
