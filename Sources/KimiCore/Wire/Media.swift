/// The media of an `image_url` or `video_url` part.
public enum Media {
    /// A URL sent as given: a `data:` URI or `ms://<file_id>`.
    case url(String)

    public var urlString: String? {
        if case .url(let url) = self { return url }
        return nil
    }
}
