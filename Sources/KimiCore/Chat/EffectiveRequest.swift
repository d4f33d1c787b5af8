/// The request Kimi's rules judge: the body that will be sent, whatever way
/// each field came in. A member of the extra JSON that is a request field
/// (say `thinking` or `temperature`) is read into that field, through the
/// same reading a loaded body gets, so the rules see it; one the request
/// also has with another value is an error naming both, since only one of
/// them could be sent; the same goes for a member a loaded body had
/// (`unlisted`). What is left, in `extra` of the folded request (or still in
/// `unlisted`, when there was no extra JSON), is what Kimi does not list
/// (`UnlistedFields`).
extension ChatRequest {
    public func folded() throws(KimiError) -> ChatRequest {
        // Without extra JSON there is nothing to fold, and the request stays
        // as it came (a loaded one keeps its text, `ChatRequest.loaded`).
        guard (self.extra?.count ?? 0) > 0 else { return self }
        var folded = self
        var rest = self.unlisted?.members ?? []
        for (key, value) in self.extra?.members ?? [] {
            var given = ChatRequest(model: self.model)
            guard try RequestDecoder.apply(key, value, to: &given) else {
                if let loaded = rest.firstIndex(where: { $0.key == key }) {
                    let (typed, extraText) = (rest[loaded].value.jsonText, value.jsonText)
                    guard typed == extraText else {
                        throw .invalidArgument("\(key): given twice, in the request's body (\(excerpt(typed))) and in the extra JSON (\(excerpt(extraText))); only one can be sent, so give it once")
                    }
                } else {
                    rest.append((key, value))
                }
                continue
            }
            if key == "messages" && !self.messages.isEmpty {
                throw .invalidArgument("messages: given twice, as the request's \(self.messages.count) messages and in the extra JSON; only one list can be sent, so give it once")
            }
            if let typed = fieldJSON(key) {
                let extraText = given.fieldJSON(key) ?? "null"
                guard typed == extraText else {
                    throw .invalidArgument("\(key): given twice, as a request field (\(excerpt(typed))) and in the extra JSON (\(excerpt(extraText))); only one can be sent, so give it once")
                }
            } else {
                _ = try RequestDecoder.apply(key, value, to: &folded)
            }
        }
        folded.unlisted = nil
        if rest.isEmpty {
            folded.extra = nil
        } else {
            guard let object = JSONValue.object(rest) else { throw KimiError(.noMemory, "out of memory") }
            folded.extra = object
        }
        return folded
    }

    /// The names of the members a folded request sends that Kimi does not
    /// list (`UnlistedFields`): a loaded body's own, then the extra JSON's.
    var unlistedNames: [String] {
        ((self.unlisted?.members ?? []) + (self.extra?.members ?? [])).map(\.key)
    }

    /// Field `key` (not messages) as the JSON it is sent as, or nil when it
    /// is not set.
    /// Both sides of a comparison go through the encoder, so 1 and 1.0 agree.
    func fieldJSON(_ key: String) -> String? {
        guard key != "messages" else { return nil }
        var alone = self
        alone.messages = []
        alone.extra = nil
        alone.unlisted = nil
        guard let text = try? RequestEncoder.encode(alone, for: .stream).materialize(),
              case .success(let body) = JSONValue.parse(text.string) else { return nil }
        return body.member(key)?.jsonText
    }
}
