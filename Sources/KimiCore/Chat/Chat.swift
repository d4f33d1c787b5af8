/// Chat completions: create, continue, pull and push streams, and tasks on
/// the event loop. Every style runs the same `Call`; what a finished call
/// means for a chat (the Partial Mode prefix joined, the call's metadata
/// attached, usage recorded once) is `finish`, here, once.
public struct Chat {
    let client: Client

    /// Sends `request` and decodes the whole answer.
    public func create(_ request: ChatRequest) throws(KimiError) -> ChatResponse {
        let call = try self.call(request, sink: WholeBody.shared)
        let response = try Chat.completion(of: client.engine.perform(call), gate: client.config.gate)
        Chat.finish(response, call: call, prefill: request.prefill, usage: client.usage)
        return response
    }

    /// Continues an answer that stopped early (finish_reason "length"): the
    /// answer so far becomes a Partial Mode prefix, and the new response's
    /// `fullContent` is the whole answer.
    public func continueAfter(_ previous: ChatResponse, _ request: ChatRequest) throws(KimiError) -> ChatResponse {
        if previous.isReasoningOnlyCut { throw .cutWhileReasoning("previous", previous) }
        var next = request
        try next.setPrefill(previous.fullContent.string, name: nil)
        return try create(next)
    }

    /// A streamed completion, read with `next()` on the calling thread.
    public func stream(_ request: ChatRequest) throws(KimiError) -> ChatStream {
        try ChatStream(chat: self, request: request)
    }

    /// The call of `request`: its body prepared under Kimi's rules, its own
    /// options over the client view's; streamed when `sink` reads a stream.
    func call(_ request: ChatRequest, sink: BodySink) throws(KimiError) -> Call {
        let config = client.config
        let streamed = sink.streams
        var http = HTTPRequest(method: .post, url: config.base.endpoint("/chat/completions"),
                               headers: streamed ? config.streamHeaders : config.jsonHeaders,
                               body: try prepareBody(request, for: streamed ? .stream : .create))
        http.expects = streamed ? .eventStream : .whole
        return try client.call(http, request.callOptions, sink: sink)
    }

    /// The response in a create's 2xx answer.
    static func completion(of transfer: Transfer, gate: Gate) throws(KimiError) -> ChatResponse {
        try ResponseDecoder.decode(transfer.body, gate: gate)
    }

    /// What every finished chat response goes through, whatever the call
    /// style: the Partial Mode prefix joined to the answer, the call's
    /// metadata attached, its usage added to the client's totals once.
    static func finish(_ response: ChatResponse, call: Call, prefill: String?, firstTokenAt: UInt64 = 0,
                       usage: UsageMeter) {
        response.completePartial(prefix: prefill)
        response.metadata = call.metadata(firstTokenAt: firstTokenAt)
        usage.record(response)
    }
}
