/// A tool the model may call.
public enum Tool {
    /// A function the caller runs: `{"type":"function","function":{...}}`.
    case function(name: String, description: String?, parameters: JSONValue?, strict: Bool?)
    /// A tool Kimi runs itself, e.g. `$web_search`:
    /// `{"type":"builtin_function","function":{"name":"$web_search"}}`.
    case builtin(name: String)

    public var name: String {
        switch self {
        case .function(let name, _, _, _), .builtin(let name): return name
        }
    }

    public static var webSearch: Tool { .builtin(name: "$web_search") }
}

/// Which tool the model must (or must not) call.
public enum ToolChoice: Equatable {
    case auto, none, required
    case function(String)
}
