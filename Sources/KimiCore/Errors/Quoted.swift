/// A text value an error message names (the caller's, or one a server
/// sent), as the message shows it: in double quotes, whole when it is
/// short; see `excerpt`.
func quoted(_ value: some StringProtocol) -> String {
    excerpt(value, quote: "\"")
}

/// A value an error message shows (JSON text as it is, or with `quote`
/// around it): whole up to 80 Unicode scalars; a longer one as its first
/// 64, "…" and its size in bytes, so that one huge value cannot make a huge
/// message (messages are read by people and end up in logs). Control
/// characters are taken out wherever an error leaves the library, as for
/// every message.
func excerpt(_ value: some StringProtocol, quote: String = "") -> String {
    let scalars = value.unicodeScalars
    guard !scalars.dropFirst(excerptWholeScalars).isEmpty else { return "\(quote)\(value)\(quote)" }
    var head = String.UnicodeScalarView()
    head.append(contentsOf: scalars.prefix(64))
    return "\(quote)\(String(head))…\(quote) (\(value.utf8.count) bytes)"
}

/// The longest value (in Unicode scalars) `excerpt` shows whole.
let excerptWholeScalars = 80
