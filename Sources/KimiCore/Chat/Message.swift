/// A chat message as Kimi reads it back: content (text or parts), and for
/// assistant turns the reasoning and tool calls that must be echoed verbatim.
public struct Message {
    public enum Role: String, CaseIterable, Sendable {
        case system, user, assistant, tool
    }

    public var role: Role
    /// Plain text, or nil when the message carries parts (or nothing).
    public var text: String?
    /// Content parts; when non-empty, `content` is sent as an array.
    public var parts: [ContentPart] = []
    public var name: String?
    public var partial: Bool = false
    public var reasoningContent: String?
    public var toolCalls: [ToolCall] = []
    public var toolCallID: String?
    /// With auto upload on, this message's inline media is uploaded once
    /// and sent as `ms://<id>` from then on.
    public var reuseMedia = false

    public init(role: Role, text: String? = nil) {
        self.role = role
        self.text = text
    }

    /// True when the message has no text and no parts.
    public var hasNoContent: Bool { (text ?? "").isEmpty && parts.isEmpty }

    /// The message's text content: the plain text, or its text parts joined.
    public var joinedText: String {
        if let text { return text }
        return parts.compactMap { if case .text(let t) = $0 { return t } else { return nil } }.joined()
    }
}

/// One element of a multimodal `content` array.
public enum ContentPart {
    case text(String)
    case image(Media)
    case video(Media)
}

/// A tool call an assistant message made. The id is opaque: Kimi's native ids
/// look like `functions.get_weather:0` and must come back unchanged.
public struct ToolCall: Sendable {
    public var id: String
    public var type: String = "function"
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String, type: String = "function") {
        self.id = id
        self.name = name
        self.arguments = arguments
        self.type = type
    }
}
