import KimiCore

/// Turns a retained Swift object into the opaque pointer C holds.
func handle<T: AnyObject>(_ object: T) -> OpaquePointer {
    OpaquePointer(Unmanaged.passRetained(object).toOpaque())
}

/// The object behind a C handle, checked to be of the expected class, so a
/// handle of the wrong kind (easy to pass from ctypes) is an error, not a crash.
func object<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type = T.self) -> T? {
    guard let pointer else { return nil }
    return Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).takeUnretainedValue() as? T
}

/// `object(_:)` for arguments: NULL or a wrong handle kind is reported by name.
func require<T: AnyObject>(_ pointer: OpaquePointer?, _ name: String, as type: T.Type = T.self) throws(KimiError) -> T {
    guard let pointer else { throw .invalidArgument("\(name) must not be NULL") }
    guard let value = object(pointer, as: type) else {
        throw .invalidArgument("\(name) is not a \(String(describing: T.self).handleName) handle")
    }
    return value
}

/// A handle C may read but never frees (no reference taken): valid while
/// its owner keeps `object` alive.
func borrowedHandle(_ object: AnyObject) -> OpaquePointer {
    OpaquePointer(Unmanaged.passUnretained(object).toOpaque())
}

/// Element `i` of a list handle's objects, borrowed; NULL when out of range.
func borrowedHandle<T: AnyObject>(_ objects: [T]?, _ i: Int) -> OpaquePointer? {
    guard let objects, i >= 0, i < objects.count else { return nil }
    return borrowedHandle(objects[i])
}

/// Releases the reference a `handle(_:)` call created. NULL is a no-op.
func release<T: AnyObject>(_ pointer: OpaquePointer?, as type: T.Type) {
    guard let pointer, object(pointer, as: type) != nil else { return }
    Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(pointer)).release()
}

extension String {
    /// "RequestBox" -> "kimi_chat_request" style names for messages.
    var handleName: String {
        switch self {
        case "ClientBox": return "kimi_client"
        case "OptionsBox": return "kimi_client_options"
        case "RequestBox": return "kimi_chat_request"
        case "MessageBox": return "kimi_message"
        case "ResponseBox": return "kimi_chat_response"
        case "StreamBox": return "kimi_stream"
        case "CancelTokenBox": return "kimi_cancel_token"
        case "FileBox": return "kimi_file"
        case "FileListBox": return "kimi_file_list"
        case "FileIterBox": return "kimi_file_iter"
        case "BatchIterBox": return "kimi_batch_iter"
        case "ModelBox": return "kimi_model"
        case "ModelListBox": return "kimi_model_list"
        case "ConversationBox": return "kimi_conversation"
        case "ToolResultBox": return "kimi_tool_result"
        case "TaskBox": return "kimi_task"
        case "BatchBox": return "kimi_batch"
        case "BatchInputBox": return "kimi_batch_input"
        case "BatchPageBox": return "kimi_batch_page"
        case "CallOptionsBox": return "kimi_call_options"
        case "QueueBox": return "kimi_event_queue"
        case "EventSource": return "kimi_stream_event"
        default: return self
        }
    }
}
