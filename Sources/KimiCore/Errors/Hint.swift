/// What a caller can do about an error, as a value: the core's messages say
/// what went wrong in domain words, and each front end renders the hint in
/// its own API's names (the C layer names its option setter, the Python
/// package "Client(api_key=...)"). The raw values are stable: the C layer
/// exposes them for bindings to render.
public enum Hint: String, Sendable, CaseIterable {
    /// Give the client an API key.
    case apiKey = "api_key"
    /// Raise the largest event-stream line accepted.
    case maxEventBytes = "max_event_bytes"
    /// Raise the largest response accepted.
    case maxResponseBytes = "max_response_bytes"
    /// Upload the image through the Files API and send ms://<id>, or turn on auto upload.
    case uploadImage = "upload_image"
    /// The same for a video.
    case uploadVideo = "upload_video"
    /// Send image bytes or a file instead of a web URL (or upload it; or turn
    /// Kimi's rules off for another server).
    case imageFromFile = "image_from_file"
    /// The same for a video.
    case videoFromFile = "video_from_file"
    /// An image was given where a video belongs: add it as an image.
    case addAsImage = "add_as_image"
    /// A video was given where an image belongs: add it as a video.
    case addAsVideo = "add_as_video"
    /// Send the assistant turn's reasoning back (or let a conversation keep it).
    case reasoningContent = "reasoning_content"
    /// Give a json_schema response format its name and schema together.
    case jsonSchema = "json_schema"
    /// `stream` is chosen by which call is made, not set in the body.
    case streamArgument = "stream_argument"
    /// Name the function tool_choice must call.
    case toolChoiceFunction = "tool_choice_function"
    /// Build a tool result with its tool_call_id.
    case toolMessage = "tool_message"
    /// Wait for the batch to finish first.
    case batchWait = "batch_wait"
    /// Turn thinking off for this request.
    case disableThinking = "disable_thinking"
    /// Raise max_completion_tokens.
    case maxCompletionTokens = "max_completion_tokens"
    /// Set max_completion_tokens instead of the deprecated max_tokens.
    case useMaxCompletionTokens = "use_max_completion_tokens"
    /// Let the library fit max_completion_tokens to the window.
    case fitMaxCompletionTokens = "fit_max_completion_tokens"

    /// The upload hint for media of `kind`.
    public static func upload(_ kind: MediaKind) -> Hint { kind == .image ? .uploadImage : .uploadVideo }
    /// The "use bytes or a file" hint for media of `kind`.
    public static func fromFile(_ kind: MediaKind) -> Hint { kind == .image ? .imageFromFile : .videoFromFile }
}
