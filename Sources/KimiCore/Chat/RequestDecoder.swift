/// Loads an OpenAI-style chat completion body into a `ChatRequest`.
///
/// Known members go through the same validating setters as the C API, so a
/// rule has one message. Every message starts with the field it is about;
/// containers put their path in front ("messages[2].role: ..."). Unknown
/// top-level members are kept (`unlisted`) and sent as they came.
///
/// The request keeps the text (`ChatRequest.loaded`) and sends it as it
/// came, unless reading it had to fill in or reshape something the text
/// says otherwise (`Exactness`): then the encoder writes the body, as for a
/// built request. A member named twice in one object is refused: the rules
/// would judge one value and a server might read the other.
public enum RequestDecoder {
    public static func decode(_ text: String) throws(KimiError) -> ChatRequest {
        let bytes = TextBuffer(text)
        var exact = Exactness()
        let root: JSONValue
        switch JSONValue.parse(bytes.rawBuffer, rejectingDuplicates: true, numbersHeld: &exact.numbersHeld) {
        case .success(let value): root = value
        case .failure(let error) where error.isDuplicateKey:
            let name = memberName(endingAt: error.position, in: bytes)
            throw .invalidArgument("body: member \(quoted(name)) is given twice in one object (the second time at byte \(error.position)); Kimi's rules would check one value and a server might read the other, so give it once")
        case .failure(let error):
            throw .invalidArgument("body: invalid JSON: \(error.message) at byte \(error.position)")
        }
        guard root.isObject else { throw .invalidArgument("body: must be a JSON object, got \(root.kindName)") }

        var request = ChatRequest()
        var extras: [(key: String, value: JSONValue)] = []
        var callMembers = false
        var model = false
        for (key, value) in root.members {
            if value.isNull { exact.note(false) }
            switch key {
            case "model": model = true
            case "stream", "stream_options": callMembers = true
            default: break
            }
            if !(try apply(key, value, to: &request, exact: &exact)) { extras.append((key, value)) }
        }
        if !extras.isEmpty {
            guard let object = JSONValue.object(extras) else { throw KimiError(.noMemory, "out of memory") }
            request.unlisted = object
        }
        exact.note(model)
        if exact.isExact { request.loaded = LoadedBody(bytes, callMembers: callMembers) }
        return request
    }

    /// Whether a loaded text says exactly what its request's encoding would
    /// say, so it can be sent as it came. It does not when the reading
    /// filled in or reshaped something: a number too large to hold (read as
    /// null), a missing `model` (the default), a member given as null (read
    /// as absent), a tool call's `type` or non-string `arguments` (filled
    /// in, or sent as a string), or an image or video part (media keeps its
    /// own way to the body: checked, uploaded, counted against the limit),
    /// or a count written as a real (`"n": 1.0`, `"max_completion_tokens":
    /// 1e3`: read as the integer it equals and checked as one, so it is
    /// sent as one; a server that types the field as an integer refuses
    /// the real, as this library's own readers of counts do, `count64`).
    struct Exactness {
        var numbersHeld = true
        private var readAsGiven = true
        var isExact: Bool { numbersHeld && readAsGiven }
        mutating func note(_ asGiven: Bool) { readAsGiven = readAsGiven && asGiven }
    }

    /// The member name whose closing quote is just before `end` (where
    /// jansson stops on a duplicate), as written.
    static func memberName(endingAt end: Int, in text: TextBuffer) -> String {
        guard end >= 2, end <= text.count, text.bytes[end - 1] == UInt8(ascii: "\"") else { return "?" }
        var start = end - 2
        while start >= 0 {
            if text.bytes[start] == UInt8(ascii: "\"") {
                var slashes = 0
                while start - 1 - slashes >= 0, text.bytes[start - 1 - slashes] == UInt8(ascii: "\\") { slashes += 1 }
                if slashes % 2 == 0 { break }
            }
            start -= 1
        }
        let name = UnsafeBufferPointer(start: text.bytes + start + 1, count: max(0, end - 2 - start))
        return String(decoding: name, as: UTF8.self)
    }

    /// `apply` where how exactly the text was read does not matter (the
    /// members of the extra JSON, folded into the fields).
    static func apply(_ key: String, _ value: JSONValue, to request: inout ChatRequest) throws(KimiError) -> Bool {
        var exact = Exactness()
        return try apply(key, value, to: &request, exact: &exact)
    }

    /// Reads body member `key` into `request`'s field of that name; false
    /// when it is not a field the request has (it is then an extra). The
    /// same reading serves a loaded body and the members of the extra JSON
    /// folded into the fields (`ChatRequest.folded`).
    static func apply(_ key: String, _ value: JSONValue, to request: inout ChatRequest,
                      exact: inout Exactness) throws(KimiError) -> Bool {
        switch key {
        case "model": try request.setModel(try string(value, key))
        case "messages":
            for (i, element) in try array(value, key).enumerated() {
                request.messages.append(try within("messages[\(i)]") { () throws(KimiError) in
                    try decodeMessage(element, exact: &exact)
                })
            }
        case "thinking":
            guard !value.isNull else { request.thinking = nil; return true }
            guard value.isObject else { throw .invalidArgument("thinking: expected an object like {\"type\":\"enabled\"}, got \(value.kindName)") }
            request.thinking = try within(key) { () throws(KimiError) in try decodeThinking(value) }
        case "max_completion_tokens":
            try request.setMaxCompletionTokens(try integer(value, key))
            exact.note(value.kind == .integer)
        case "max_tokens":
            try request.setMaxTokens(try integer(value, key))
            exact.note(value.kind == .integer)
        case "temperature": try request.setTemperature(try number(value, key))
        case "top_p": try request.setTopP(try number(value, key))
        case "n":
            try request.setN(try integer(value, key))
            exact.note(value.kind == .integer)
        case "presence_penalty": try request.setPresencePenalty(try number(value, key))
        case "frequency_penalty": try request.setFrequencyPenalty(try number(value, key))
        case "response_format":
            guard value.isObject else { throw .invalidArgument("response_format: expected an object like {\"type\":\"json_object\"}, got \(value.kindName)") }
            try within(key) { () throws(KimiError) in try decodeResponseFormat(value, into: &request) }
        case "stop":
            if value.string != nil {
                try request.addStop(try string(value, key))
            } else {
                for (i, element) in try array(value, key).enumerated() {
                    try request.addStop(try string(element, "stop[\(i)]"))
                }
            }
        case "stream": break
        case "stream_options":
            if let include = value.member("include_usage") {
                request.includeUsage = try boolean(include, "stream_options.include_usage")
            }
        case "tools":
            for (i, element) in try array(value, key).enumerated() {
                try within("tools[\(i)]") { () throws(KimiError) in try decodeTool(element, into: &request) }
            }
        case "tool_choice":
            if value.isNull { request.toolChoice = nil; return true }
            if let text = value.string {
                try within(key) { () throws(KimiError) in try request.setToolChoice(text) }
            } else if value.isObject, let name = value.member("function")?.member("name")?.string {
                // The type is checked, not assumed: the text is sent as given.
                if let type = value.member("type") {
                    guard type.string == "function" else {
                        throw .invalidArgument("tool_choice.type: expected \"function\", got \(type.string.map { quoted($0) } ?? type.kindName)")
                    }
                } else {
                    exact.note(false)  // written with its type
                }
                try request.setToolChoiceFunction(name)
            } else {
                throw .invalidArgument("tool_choice: expected \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}")
            }
        case "prompt_cache_key": request.promptCacheKey = try string(value, key)
        case "safety_identifier": request.safetyIdentifier = try string(value, key)
        default: return false
        }
        return true
    }

    static func decodeTool(_ value: JSONValue, into request: inout ChatRequest) throws(KimiError) {
        guard value.isObject else { throw .invalidArgument("tool: expected an object, got \(value.kindName)") }
        let type = try string(value.member("type"), "type")
        guard let function = value.member("function"), function.isObject else {
            throw .invalidArgument("function: expected an object with a name")
        }
        let name = try string(function.member("name"), "function.name")
        switch type {
        case "function":
            let description = try function.member("description").map { v throws(KimiError) in try string(v, "function.description") }
            let strict = try function.member("strict").map { v throws(KimiError) in try boolean(v, "function.strict") }
            try within("function") { () throws(KimiError) in
                try request.addFunctionTool(name: name, description: description, parameters: function.member("parameters"),
                                            strict: strict)
            }
        case "builtin_function":
            request.tools.append(.builtin(name: name))
        default:
            throw .invalidArgument("type: \(quoted(type)) is not function or builtin_function")
        }
    }

    public static func decodeMessage(_ value: JSONValue) throws(KimiError) -> Message {
        var exact = Exactness()
        return try decodeMessage(value, exact: &exact)
    }

    static func decodeMessage(_ value: JSONValue, exact: inout Exactness) throws(KimiError) -> Message {
        guard value.isObject else { throw .invalidArgument("message: expected an object, got \(value.kindName)") }
        let role = try Message.parseRole(try string(value.member("role"), "role"))
        var message = Message(role: role)
        for (key, member) in value.members {
            if member.isNull {
                exact.note(false)
                continue
            }
            switch key {
            case "role": break
            case "content":
                if let text = member.string {
                    message.text = text
                } else if member.kind == .array {
                    for (i, part) in member.elements.enumerated() {
                        let part = try within("content[\(i)]") { () throws(KimiError) in try decodePart(part) }
                        if case .text = part {} else { exact.note(false) }
                        message.addPart(part)
                    }
                } else {
                    throw .invalidArgument("content: expected a string or an array of parts, got \(member.kindName)")
                }
            case "name": try message.setName(try string(member, key))
            case "partial": try message.setPartial(try boolean(member, key))
            case "reasoning_content": try message.setReasoningContent(try string(member, key))
            case "tool_call_id": try message.setToolCallID(try string(member, key))
            case "tool_calls":
                for (i, call) in try array(member, key).enumerated() {
                    try message.addToolCall(try within("tool_calls[\(i)]") { () throws(KimiError) in
                        try decodeToolCall(call, exact: &exact)
                    })
                }
            default:
                throw .invalidArgument("\(excerpt(key)): not a message field Kimi accepts")
            }
        }
        // Kimi refuses empty content, and an assistant tool-call turn read
        // back from an answer often has "content": "": the encoder leaves it
        // out (as Kimi's own client does), so the text is not sent as given.
        if role == .assistant, !message.toolCalls.isEmpty, message.hasNoContent, value.member("content") != nil {
            exact.note(false)
        }
        return message
    }

    static func decodeToolCall(_ value: JSONValue, exact: inout Exactness) throws(KimiError) -> ToolCall {
        guard value.isObject else { throw .invalidArgument("tool call: expected an object, got \(value.kindName)") }
        let id = try string(value.member("id"), "id")
        let type = try value.member("type").map { v throws(KimiError) in try string(v, "type") } ?? "function"
        guard let function = value.member("function"), function.isObject else {
            throw .invalidArgument("function: expected an object with name and arguments")
        }
        let name = try string(function.member("name"), "function.name")
        let arguments = function.member("arguments").map { $0.string ?? $0.jsonText } ?? "{}"
        exact.note(value.member("type") != nil && function.member("arguments")?.string != nil)
        return ToolCall(id: id, name: name, arguments: arguments, type: type)
    }

    static func decodePart(_ value: JSONValue) throws(KimiError) -> ContentPart {
        guard value.isObject else { throw .invalidArgument("part: expected an object, got \(value.kindName)") }
        let type = try string(value.member("type"), "type")
        switch type {
        case "text": return .text(try string(value.member("text"), "text"))
        case "image_url": return .image(try decodeMediaURL(value.member("image_url"), "image_url"))
        case "video_url": return .video(try decodeMediaURL(value.member("video_url"), "video_url"))
        default: throw .invalidArgument("type: \(quoted(type)) is not a content part type (text, image_url, video_url)")
        }
    }

    /// `{"url": "..."}`, or the bare string form Kimi also accepts.
    static func decodeMediaURL(_ value: JSONValue?, _ name: String) throws(KimiError) -> Media {
        if let url = value?.string { return .url(url) }
        guard let value, value.isObject else {
            throw .invalidArgument("\(name): expected {\"url\": \"...\"} or a URL string")
        }
        return .url(try string(value.member("url"), "\(name).url"))
    }

    static func decodeThinking(_ value: JSONValue) throws(KimiError) -> ChatRequest.Thinking {
        let typeText = try string(value.member("type"), "type")
        guard let type = ChatRequest.ThinkingType(rawValue: typeText) else {
            throw .invalidArgument("type: \(quoted(typeText)) is not enabled or disabled")
        }
        let keep = try value.member("keep").flatMap { v throws(KimiError) in v.isNull ? nil : try string(v, "keep") }
        return ChatRequest.Thinking(type: type, keep: keep)
    }

    static func decodeResponseFormat(_ value: JSONValue, into request: inout ChatRequest) throws(KimiError) {
        let type = try string(value.member("type"), "type")
        guard type == "json_schema" else {
            try request.setResponseFormat(type: type)
            return
        }
        guard let spec = value.member("json_schema"), spec.isObject else {
            throw .invalidArgument("json_schema: expected an object with name and schema")
        }
        let name = try string(spec.member("name"), "json_schema.name")
        guard let schema = spec.member("schema") else { throw .invalidArgument("json_schema.schema: missing") }
        let strict = try spec.member("strict").map { v throws(KimiError) in try boolean(v, "json_schema.strict") }
        try within("json_schema") { () throws(KimiError) in try request.setJSONSchema(name: name, schema: schema, strict: strict) }
    }

    // MARK: - Typed reads whose errors name the field

    /// Runs `body`, putting `path` in front of any error's field name.
    static func within<R>(_ path: String, _ body: () throws(KimiError) -> R) throws(KimiError) -> R {
        do {
            return try body()
        } catch {
            var error = error
            error.message = "\(path).\(error.message)"
            throw error
        }
    }

    static func string(_ value: JSONValue?, _ name: String) throws(KimiError) -> String {
        guard let value else { throw .invalidArgument("\(name): missing") }
        guard let text = value.string else { throw .invalidArgument("\(name): expected a string, got \(value.kindName)") }
        return text
    }

    static func integer(_ value: JSONValue, _ name: String) throws(KimiError) -> Int64 {
        guard let number = value.int64 else { throw .invalidArgument("\(name): expected an integer, got \(value.kindName)") }
        return number
    }

    static func number(_ value: JSONValue, _ name: String) throws(KimiError) -> Double {
        guard let number = value.double else { throw .invalidArgument("\(name): expected a number, got \(value.kindName)") }
        return number
    }

    static func boolean(_ value: JSONValue, _ name: String) throws(KimiError) -> Bool {
        guard let flag = value.bool else { throw .invalidArgument("\(name): expected a boolean, got \(value.kindName)") }
        return flag
    }

    static func array(_ value: JSONValue, _ name: String) throws(KimiError) -> [JSONValue] {
        guard value.kind == .array else { throw .invalidArgument("\(name): expected an array, got \(value.kindName)") }
        return value.elements
    }
}
