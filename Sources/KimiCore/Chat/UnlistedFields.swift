/// Request fields Kimi's chat API reference does not list. Every field it
/// lists is a field of `ChatRequest` (model, messages, thinking,
/// max_completion_tokens, the deprecated max_tokens, temperature, top_p, n,
/// presence_penalty, frequency_penalty, response_format, stop, stream,
/// stream_options, tools, tool_choice, prompt_cache_key, safety_identifier:
/// platform.kimi.ai/docs/api/chat and the OpenAPI `ChatCompletionRequest`),
/// so whatever is left in the extra JSON once those are read is not Kimi's.
/// It is sent as given and logged once per client while Kimi's rules are
/// on: Kimi may ignore it or refuse it, and a gateway that needs it wants
/// the rules off. This table says where each known one comes from and what
/// Kimi has instead.
enum UnlistedFields {
    struct Field {
        let name: String
        /// Where the field is documented (not by Kimi).
        let source: String
        /// What Kimi offers instead, when it offers something.
        let instead: String?
    }

    static let openAIReference = "OpenAI's chat completion reference (platform.openai.com/docs/api-reference/chat/create)"

    static let known: [Field] = [
        Field(name: "audio", source: openAIReference, instead: nil),
        Field(name: "function_call", source: openAIReference,
              instead: "tool_choice (Kimi's migration guide: functions and function_call are not supported)"),
        Field(name: "functions", source: openAIReference,
              instead: "tools (Kimi's migration guide: functions and function_call are not supported)"),
        Field(name: "logit_bias", source: openAIReference, instead: nil),
        Field(name: "logprobs", source: openAIReference, instead: nil),
        Field(name: "metadata", source: openAIReference, instead: nil),
        Field(name: "modalities", source: openAIReference, instead: nil),
        Field(name: "moderation", source: "openai-python's chat.completions.create", instead: nil),
        Field(name: "parallel_tool_calls", source: openAIReference, instead: nil),
        Field(name: "prediction", source: openAIReference, instead: nil),
        Field(name: "prompt_cache_options", source: "openai-python's chat.completions.create", instead: "prompt_cache_key"),
        Field(name: "prompt_cache_retention", source: openAIReference, instead: "prompt_cache_key"),
        Field(name: "reasoning_effort", source: "\(openAIReference); kimi-cli calls it Kimi's legacy thinking parameter",
              instead: "thinking"),
        Field(name: "seed", source: openAIReference, instead: nil),
        Field(name: "service_tier", source: openAIReference, instead: nil),
        Field(name: "store", source: openAIReference, instead: nil),
        Field(name: "top_logprobs", source: openAIReference, instead: nil),
        Field(name: "user", source: openAIReference, instead: "safety_identifier"),
        Field(name: "verbosity", source: openAIReference, instead: nil),
        Field(name: "web_search_options", source: openAIReference, instead: "the $web_search builtin tool"),
    ]

    /// The once-per-client line for `name`, a member left in the extra JSON.
    static func notice(_ name: String) -> String {
        let way = "it is sent as given (Kimi may ignore or refuse it); turn Kimi's rules off for an OpenAI-compatible gateway that needs it (said once per client)"
        guard let field = known.first(where: { $0.name == name }) else {
            return "\(excerpt(name)): not a request field of Kimi's API reference, nor of OpenAI's; \(way)"
        }
        let instead = field.instead.map { "; Kimi's own is \($0)" } ?? ""
        return "\(name): not a request field of Kimi's API reference (it is in \(field.source))\(instead); \(way)"
    }
}
