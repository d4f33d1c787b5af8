import FuzzSupport
import KimiCore

/// libFuzzer target: the decoders of what the server sends outside chat
/// completions. The first byte chooses one: a batch result line, a file
/// object, a model list, a batch object, a balance, or a batch page. Oracles:
/// no trap; counts, sizes and timestamps are 0 ... 2^53 (or their absent
/// value); an HTTP status is 0 or 100 ... 999; a failed batch line says why.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzObjects(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let body = TextBuffer(bytes: UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 6 {
    case 0:
        let result = BatchResult.decode(body.rawBuffer, number: 1, file: "output file f")
        require(result.httpStatus == 0 || (100...999).contains(result.httpStatus), "status \(result.httpStatus)")
        require((result.response == nil) == (result.errorMessage != nil), "a line neither answered nor failed")
        if let response = result.response { checkUsage(response.usage) }
    case 1:
        guard case .success(let root) = JSONValue.parse(body) else { return 0 }
        let file = FileObject(root, gate: .none)
        require(isCount(file.bytes) && isCount(file.createdAt), "file \(file.bytes) \(file.createdAt)")
    case 2:
        guard case .success(let root) = JSONValue.parse(body) else { return 0 }
        for model in (root.member("data")?.elements ?? []).map({ ModelInfo($0, gate: .none) }) {
            require(model.contextLength == -1 || isCount(model.contextLength), "context \(model.contextLength)")
            require(isCount(model.created), "created \(model.created)")
        }
    case 3, 5:
        guard case .success(let root) = JSONValue.parse(body) else { return 0 }
        let objects = data[0] % 6 == 3 ? [root] : (root.member("data")?.elements ?? [])
        for batch in objects.map({ Batch($0, gate: .none) }) {
            for value in [batch.total, batch.completed, batch.failed, batch.createdAt, batch.inProgressAt,
                          batch.finalizingAt, batch.completedAt, batch.failedAt, batch.expiredAt,
                          batch.cancellingAt, batch.cancelledAt, batch.expiresAt] {
                require(isCount(value), "batch field \(value)")
            }
            _ = batch.isFinal
            _ = batch.json.count
        }
    default:
        guard case .success(let root) = JSONValue.parse(body) else { return 0 }
        if let balance = try? Balance(root) {
            require(balance.available.isFinite && balance.voucher.isFinite && balance.cash.isFinite, "balance")
        }
    }
    return 0
}

private func isCount(_ value: Int64) -> Bool { value >= 0 && value <= Counts.largest }

private func checkUsage(_ usage: Usage) {
    for value in [usage.promptTokens, usage.completionTokens, usage.totalTokens, usage.cachedTokens] {
        require(value == -1 || isCount(value), "usage \(value)")
    }
}

/// `precondition` that prints its message in optimized builds too.
