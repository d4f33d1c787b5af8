/// A pull stream read as records (kimi_stream_read_records): each call
/// writes every message already received, and reads the network only when
/// none is waiting, so a binding makes one call per network read instead of
/// one per event. A message that does not fit stays for the next call; a
/// failure after records were written in a call is reported by the next.
public final class StreamRecords {
    private let stream: ChatStream
    /// The current message was decoded but not written yet.
    private var pending = false
    private var failure: KimiError?
    private var shown = CompletionShown()
    /// Reused for every record: writing one allocates nothing once warm.
    private var parts: [RecordPart] = []

    public init(_ stream: ChatStream) { self.stream = stream }

    /// Writes records until the buffer is full or no message is ready
    /// (waiting for the network only while nothing was written); writes
    /// nothing once the stream is over. Throws the stream's failure (once).
    public func read(into writer: inout RecordWriter) throws(KimiError) {
        if let failure {
            self.failure = nil
            throw failure
        }
        while !writer.isFull {
            if !pending {
                let state: ChatStream.MessageState
                do {
                    state = try stream.nextMessage(wait: writer.written == 0)
                } catch {
                    guard writer.written > 0 else { throw error }
                    failure = error
                    return
                }
                guard state == .message else { return }
                pending = true
            }
            do {
                guard try write(&writer) else { return }
            } catch {
                // Records already written in this call go out; the message
                // comes first in the next call. One that no call can write
                // is passed over, and the call says why.
                if writer.written > 0 { return }
                let events = stream.events
                while events.advance() {}
                pending = false
                throw error
            }
            pending = false
        }
    }

    /// The current message as a record (after a completion record when its
    /// id, model or creation time is new); false when it did not fit.
    private func write(_ writer: inout RecordWriter) throws(KimiError) -> Bool {
        let events = stream.events
        guard try shown.show(id: events.completionID, model: events.completionModel, created: events.completionCreated,
                             userData: 0, into: &writer) else { return false }
        parts.removeAll(keepingCapacity: true)
        events.forEachPending { parts.append(events.recordPart($0)) }
        guard try writer.append(parts, userData: 0) else { return false }
        while events.advance() {}
        return true
    }
}

/// What completion record a reader was last given (id and model are set
/// once each, from empty; the creation time once, from 0), so one is
/// written when they become known and not again.
struct CompletionShown {
    private var id = 0
    private var model = 0
    private var created: Int64 = 0

    /// Writes a completion record when these are new; false when it did
    /// not fit.
    mutating func show(id newID: UnsafeBufferPointer<UInt8>, model newModel: UnsafeBufferPointer<UInt8>, created newCreated: Int64,
                       userData: UInt64, into writer: inout RecordWriter) throws(KimiError) -> Bool {
        guard newID.count != id || newModel.count != model || newCreated != created else { return true }
        guard try writer.appendCompletion(id: UnsafeRawBufferPointer(newID), model: UnsafeRawBufferPointer(newModel),
                                          created: newCreated, userData: userData) else { return false }
        (id, model, created) = (newID.count, newModel.count, newCreated)
        return true
    }
}
