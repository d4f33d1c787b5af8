import Glibc

/// Stops the fuzzer with `message` when an oracle fails (a crash libFuzzer
/// reports with the input).
public func require(_ condition: Bool, _ message: @autoclosure () -> String = "") {
    if !condition { fatalError(message()) }
}

/// Runs `body` on a new thread with a `stackBytes` stack and waits for it:
/// a reader that recurses on its input overflows it and crashes the fuzzer,
/// instead of passing on the fuzzer's own 8 MB stack.
public func onSmallStack(_ stackBytes: Int = 64 << 10, _ body: @escaping () -> Void) {
    final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackBytes)
    var thread = pthread_t()
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    let started = pthread_create(&thread, &attributes, { context in
        let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
        box.body()
        return nil
    }, context)
    require(started == 0, "pthread_create failed")
    pthread_join(thread, nil)
}
