import KimiCore

/// The one shape of every status-returning entry point: run `body`; on
/// success clear the thread's last error and return KIMI_OK; on failure
/// record the error, prefixed with the C function's name, and return its
/// status. Nothing here can trap: bodies validate instead of unwrapping.
@inline(__always)
func call(_ function: StaticString, _ body: () throws(KimiError) -> Void) -> Int32 {
    do {
        try body()
        LastError.existing?.clear()
        return Status.ok.rawValue
    } catch {
        return fail(function, error)
    }
}

/// `call` for functions whose result is one new handle stored in `out`:
/// `*out` is NULL unless the call succeeds, and a NULL `out` is an error.
@inline(__always)
func callStoring(_ function: StaticString, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                 _ body: () throws(KimiError) -> OpaquePointer) -> Int32 {
    out?.pointee = nil
    return call(function) { () throws(KimiError) in
        guard let out else { throw .invalidArgument("out must not be NULL") }
        out.pointee = try body()
    }
}

/// Records `error` as the thread's last error and returns its status.
@discardableResult
func fail(_ function: StaticString, _ error: KimiError) -> Int32 {
    var error = error
    error.message = "\(cName(function)): \(error.message)"
    LastError.current.record(error)
    return error.status.rawValue
}

/// "kimi_client_new(_:_:)" -> "kimi_client_new".
private func cName(_ function: StaticString) -> Substring {
    let text = function.description
    return text.prefix { $0 != "(" }
}
