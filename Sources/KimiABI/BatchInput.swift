import CKimiHeader
import KimiCore

final class BatchInputBox {
    let input: BatchInput
    init(_ input: BatchInput) { self.input = input }
}

@c @implementation
public func kimi_batch_input_new(_ path: UnsafePointer<CChar>?) -> OpaquePointer? {
    do {
        return handle(BatchInputBox(try BatchInput(path: try string(path, "path"))))
    } catch {
        fail(#function, error)
        return nil
    }
}

@c @implementation
public func kimi_batch_input_add(_ input: OpaquePointer?, _ customID: UnsafePointer<CChar>?, _ req: OpaquePointer?) -> Int32 {
    call(#function) { () throws(KimiError) in
        let input = try require(input, "input", as: BatchInputBox.self).input
        let request = try require(req, "req", as: RequestBox.self).request
        try input.add(customID: try string(customID, "custom_id"), request: request)
    }
}

@c @implementation
public func kimi_batch_input_count(_ input: OpaquePointer?) -> Int { object(input, as: BatchInputBox.self)?.input.count ?? 0 }

@c @implementation
public func kimi_batch_input_close(_ input: OpaquePointer?, _ countOut: UnsafeMutablePointer<Int>?) -> Int32 {
    countOut?.pointee = 0
    return call(#function) { () throws(KimiError) in
        let input = try require(input, "input", as: BatchInputBox.self).input
        let count = try input.close()
        countOut?.pointee = count
    }
}

@c @implementation
public func kimi_batch_input_free(_ input: OpaquePointer?) { release(input, as: BatchInputBox.self) }
