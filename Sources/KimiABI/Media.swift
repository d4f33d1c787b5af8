import CKimiHeader
import KimiCore

/// Copies a caller's byte buffer; NULL with a length is an error.
private func bytes(_ pointer: UnsafeRawPointer?, _ length: Int, _ name: String) throws(KimiError) -> [UInt8] {
    guard length > 0 else { throw .invalidArgument("len: the data is empty") }
    guard let pointer else { throw .invalidArgument("\(name) must not be NULL") }
    return Array(UnsafeRawBufferPointer(start: pointer, count: length))
}

private func addMedia(_ function: StaticString, _ msg: OpaquePointer?, _ kind: MediaKind,
                      _ make: () throws(KimiError) -> Media) -> Int32 {
    call(function) { () throws(KimiError) in
        let box = try require(msg, "msg", as: MessageBox.self)
        let media = try make()
        box.message.addPart(kind == .image ? .image(media) : .video(media))
    }
}

@c @implementation
public func kimi_message_add_image_data(_ msg: OpaquePointer?, _ mime: UnsafePointer<CChar>?,
                                        _ data: UnsafeRawPointer?, _ len: Int) -> Int32 {
    addMedia(#function, msg, .image) { () throws(KimiError) in
        .inline(try InlineMedia.fromBytes(try bytes(data, len, "bytes"), mime: try optionalString(mime, "mime"), kind: .image))
    }
}

@c @implementation
public func kimi_message_add_image_file(_ msg: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    addMedia(#function, msg, .image) { () throws(KimiError) in .inline(try InlineMedia.fromFile(try string(path, "path"), kind: .image)) }
}

@c @implementation
public func kimi_message_add_image_url(_ msg: OpaquePointer?, _ url: UnsafePointer<CChar>?) -> Int32 {
    addMedia(#function, msg, .image) { () throws(KimiError) in try Media.checkedURL(try string(url, "url"), kind: .image) }
}

@c @implementation
public func kimi_message_add_video_data(_ msg: OpaquePointer?, _ mime: UnsafePointer<CChar>?,
                                        _ data: UnsafeRawPointer?, _ len: Int) -> Int32 {
    addMedia(#function, msg, .video) { () throws(KimiError) in
        .inline(try InlineMedia.fromBytes(try bytes(data, len, "bytes"), mime: try optionalString(mime, "mime"), kind: .video))
    }
}

@c @implementation
public func kimi_message_add_video_file(_ msg: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
    addMedia(#function, msg, .video) { () throws(KimiError) in .inline(try InlineMedia.fromFile(try string(path, "path"), kind: .video)) }
}

@c @implementation
public func kimi_message_add_video_url(_ msg: OpaquePointer?, _ url: UnsafePointer<CChar>?) -> Int32 {
    addMedia(#function, msg, .video) { () throws(KimiError) in try Media.checkedURL(try string(url, "url"), kind: .video) }
}

@c @implementation
public func kimi_message_set_media_reuse(_ msg: OpaquePointer?, _ reuse: Int32) -> Int32 {
    call(#function) { () throws(KimiError) in try require(msg, "msg", as: MessageBox.self).message.reuseMedia = reuse != 0 }
}
