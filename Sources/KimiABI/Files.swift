import CKimiHeader
import KimiCore

final class FileBox {
    let file: FileObject
    init(_ file: FileObject) { self.file = file }
}

final class FileListBox {
    let files: [FileBox]
    init(_ files: [FileObject]) { self.files = files.map(FileBox.init) }
}

/// Wraps a C progress callback for the core's upload.
private func progressFunction(_ callback: kimi_progress_cb?, _ userData: UnsafeMutableRawPointer?) -> ((Int64, Int64) -> Bool)? {
    guard let callback else { return nil }
    return { sent, total in callback(UInt64(max(sent, 0)), UInt64(max(total, 0)), userData) == 0 }
}

@c @implementation
public func kimi_file_upload(_ client: OpaquePointer?, _ path: UnsafePointer<CChar>?, _ purpose: UnsafePointer<CChar>?,
                             _ progress: kimi_progress_cb?, _ userData: UnsafeMutableRawPointer?,
                             _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let file = try client.files.upload(path: try string(path, "path"), purpose: try string(purpose, "purpose"),
                                         progress: progressFunction(progress, userData))
        return handle(FileBox(file))
    }
}

@c @implementation
public func kimi_file_upload_data(_ client: OpaquePointer?, _ filename: UnsafePointer<CChar>?, _ data: UnsafeRawPointer?,
                                  _ len: Int, _ purpose: UnsafePointer<CChar>?, _ progress: kimi_progress_cb?,
                                  _ userData: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        guard let data, len > 0 else { throw .invalidArgument("data: must not be NULL or empty") }
        let memory = UnsafeRawBufferPointer(start: data, count: len)
        let file = try client.files.upload(borrowing: memory, filename: try string(filename, "filename"),
                                         purpose: try string(purpose, "purpose"), progress: progressFunction(progress, userData))
        return handle(FileBox(file))
    }
}

@c @implementation
public func kimi_file_retrieve(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?,
                               _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(FileBox(try client.files.retrieve(id: try string(fileID, "file_id"))))
    }
}

@c @implementation
public func kimi_file_delete(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        _ = try client.files.delete(id: try string(fileID, "file_id"))
    }
}

@c @implementation
public func kimi_file_content(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?,
                              _ contentOut: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                              _ lengthOut: UnsafeMutablePointer<Int>?) -> Int32 {
    contentOut?.pointee = nil
    lengthOut?.pointee = 0
    return call(#function) { () throws(KimiError) in
        guard let contentOut else { throw .invalidArgument("content_out must not be NULL") }
        let client = try require(client, "client", as: ClientBox.self).client
        let text = try client.files.content(id: try string(fileID, "file_id"))
        contentOut.pointee = try ownedCopy(text)
        lengthOut?.pointee = text.count
    }
}

@c @implementation
public func kimi_file_free(_ file: OpaquePointer?) { release(file, as: FileBox.self) }

private func file(_ pointer: OpaquePointer?) -> FileObject? { object(pointer, as: FileBox.self)?.file }

@c @implementation
public func kimi_file_id(_ f: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(file(f)?.id) }

@c @implementation
public func kimi_file_filename(_ f: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(file(f)?.filename) }

@c @implementation
public func kimi_file_purpose(_ f: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(file(f)?.purpose) }

@c @implementation
public func kimi_file_status(_ f: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(file(f)?.status) }

@c @implementation
public func kimi_file_status_details(_ f: OpaquePointer?) -> UnsafePointer<CChar>? { borrowed(file(f)?.statusDetails) }

@c @implementation
public func kimi_file_bytes(_ f: OpaquePointer?) -> Int64 { file(f)?.bytes ?? 0 }

@c @implementation
public func kimi_file_created_at(_ f: OpaquePointer?) -> Int64 { file(f)?.createdAt ?? 0 }

@c @implementation
public func kimi_file_json(_ f: OpaquePointer?, _ lengthOut: UnsafeMutablePointer<Int>?) -> UnsafePointer<CChar>? {
    borrowed(file(f)?.json, lengthOut)
}

@c @implementation
public func kimi_files_list(_ client: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        return handle(FileListBox(try client.files.list()))
    }
}

@c @implementation
public func kimi_file_list_count(_ list: OpaquePointer?) -> Int { object(list, as: FileListBox.self)?.files.count ?? 0 }

@c @implementation
public func kimi_file_list_get(_ list: OpaquePointer?, _ i: Int) -> OpaquePointer? {
    borrowedHandle(object(list, as: FileListBox.self)?.files, i)
}

@c @implementation
public func kimi_file_list_free(_ list: OpaquePointer?) { release(list, as: FileListBox.self) }

@c @implementation
public func kimi_file_content_write(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?, _ write: kimi_write_cb?,
                                    _ progress: kimi_progress_cb?, _ userData: UnsafeMutableRawPointer?,
                                    _ bytesOut: UnsafeMutablePointer<UInt64>?) -> Int32 {
    download(#function, client, fileID, progress, userData, bytesOut) { () throws(KimiError) in
        guard let write else { throw .invalidArgument("write must not be NULL") }
        return { piece in write(piece.baseAddress, piece.count, userData) == 0 }
    }
}

@c @implementation
public func kimi_file_content_to_fd(_ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?, _ fd: Int32,
                                    _ progress: kimi_progress_cb?, _ userData: UnsafeMutableRawPointer?,
                                    _ bytesOut: UnsafeMutablePointer<UInt64>?) -> Int32 {
    download(#function, client, fileID, progress, userData, bytesOut) { () throws(KimiError) in
        guard fd >= 0 else { throw .invalidArgument("fd: \(fd) is not a file descriptor") }
        return { piece throws(KimiError) in
            try writeAll(fd, piece)
            return true
        }
    }
}

/// The one download of both content functions: `writer` checks its own
/// argument and gives the piece writer; `bytesOut` gets what was written,
/// on failure too.
private func download(_ function: StaticString, _ client: OpaquePointer?, _ fileID: UnsafePointer<CChar>?,
                      _ progress: kimi_progress_cb?, _ userData: UnsafeMutableRawPointer?,
                      _ bytesOut: UnsafeMutablePointer<UInt64>?,
                      _ writer: () throws(KimiError) -> (UnsafeRawBufferPointer) throws(KimiError) -> Bool) -> Int32 {
    bytesOut?.pointee = 0
    return call(function) { () throws(KimiError) in
        let client = try require(client, "client", as: ClientBox.self).client
        let id = try string(fileID, "file_id")
        let write = try writer()
        var written: Int64 = 0
        defer { bytesOut?.pointee = UInt64(max(written, 0)) }
        _ = try client.files.writeContent(of: id, cancel: nil, progress: progressFunction(progress, userData)) { piece throws(KimiError) in
            let going = try write(piece)
            written += Int64(piece.count)  // given to `write`, also the piece it stopped at
            return going
        }
    }
}

@c @implementation
public func kimi_file_iter_new(_ client: OpaquePointer?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    callStoring(#function, out) { () throws(KimiError) in
        handle(FileIterBox(try require(client, "client", as: ClientBox.self).client.files.walk()))
    }
}

@c @implementation
public func kimi_file_iter_next(_ iter: OpaquePointer?, _ fileOut: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    fileOut?.pointee = nil
    return call(#function) { () throws(KimiError) in
        let box = try require(iter, "iter", as: FileIterBox.self)
        guard let fileOut else { throw .invalidArgument("file_out must not be NULL") }
        if let file = try box.files.next() { fileOut.pointee = handle(FileBox(file)) }
    }
}

@c @implementation
public func kimi_file_iter_free(_ iter: OpaquePointer?) { release(iter, as: FileIterBox.self) }

final class FileIterBox {
    let files: PagedList<FileObject>
    init(_ files: PagedList<FileObject>) { self.files = files }
}
