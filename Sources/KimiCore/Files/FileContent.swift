extension Files {
    /// Writes a file's content to `write` piece by piece as it arrives, never
    /// holding the whole body; `progress` gets (bytes so far, the announced
    /// size or 0) after each piece. Either returning false stops the
    /// download with `.aborted`. A body cut before its end throws
    /// `.incomplete` saying how much arrived (all of which was written).
    /// Runs the content task's job on the calling thread. Returns the bytes
    /// written.
    public func writeContent(of id: String, cancel: CancelToken?, progress: ((Int64, Int64) -> Bool)?,
                             _ write: @escaping (UnsafeRawBufferPointer) throws(KimiError) -> Bool) throws(KimiError) -> Int64 {
        var options = CallOptions()
        options.cancel = cancel
        let job = ContentJob(client: client, id: id, options: options)
        var stopped: KimiError?  // the caller's own stop, said as it is
        let (_, error) = try JobRun.run(job, engine: client.engine) { [unowned job] in
            guard let event = job.events.currentEvent, event.type == .data else { return true }
            do throws(KimiError) {
                guard try write(UnsafeRawBufferPointer(job.events.text(of: event))) else {
                    stopped = KimiError(.aborted, "the write callback stopped the download of file \(id) after \(event.done) bytes")
                    return false
                }
            } catch {
                stopped = error
                return false
            }
            if let progress, !progress(event.done, event.total) {
                stopped = KimiError(.aborted, "the progress callback stopped the download of file \(id) after \(event.done) bytes")
                return false
            }
            return true
        }
        if let stopped { throw stopped }
        if let error { throw error }
        return job.bytes
    }
}
