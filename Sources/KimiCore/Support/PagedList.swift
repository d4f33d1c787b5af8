/// Walks a listing the server pages with cursors (`has_more`, and `after`
/// set to the id of the last item of the page before), one item at a time,
/// fetching a page only when the one before is used up.
///
/// The server's answers are hostile input, so the walk always ends: a page
/// that says more follow must end with an item that has an id, that id must
/// not have been a cursor before (a server repeating a page, or cycling,
/// would loop), an empty page may not say more follow, and at most
/// `maxItems` items are given. Each of these ends the walk with an error
/// saying so (`.parse`, or `.tooLarge` for the count); so does a failed
/// fetch. An ended walk keeps giving its error.
public final class PagedList<Item> {
    public typealias Page = (items: [Item], hasMore: Bool)

    /// More than any account holds: Kimi keeps at most 1,000 files per
    /// user, and each batch needs an input file.
    public static var maxItems: Int { 100_000 }
    static var maxIDBytes: Int { 256 }

    private let what: String
    private let fetch: (String?) throws(KimiError) -> Page
    private let id: (Item) -> String
    private var page: [Item] = []
    private var index = 0
    private var hasMore = true
    private var pages = 0
    private var given = 0
    private var cursors: Set<String> = []
    private var failure: KimiError?

    /// `what` names the items in errors ("files"); `fetch(after)` gets one
    /// page (`after` nil for the first); `id` is an item's id.
    public init(_ what: String, fetch: @escaping (String?) throws(KimiError) -> Page, id: @escaping (Item) -> String) {
        self.what = what
        self.fetch = fetch
        self.id = id
    }

    /// The next item; nil at the end.
    public func next() throws(KimiError) -> Item? {
        if let failure { throw failure }
        do throws(KimiError) {
            while index >= page.count {
                guard hasMore else { return nil }
                try fetchNext()
            }
            guard given < PagedList.maxItems else {
                throw KimiError(.tooLarge, "the listing of \(what) goes on past \(PagedList.maxItems) items (page \(pages) still says more follow); stopped there")
            }
            given += 1
            index += 1
            return page[index - 1]
        } catch {
            failure = error
            throw error
        }
    }

    private func fetchNext() throws(KimiError) {
        var after: String?
        if pages > 0 {
            let cursor = page.last.map(id) ?? ""  // a page saying more follow is never empty (below)
            guard !cursor.isEmpty else {
                throw KimiError(.parse, "the last of the \(what) on page \(pages) has no id, so the page after it cannot be asked for; stopped there")
            }
            // Only an id-shaped cursor is sent back, or named in a message.
            guard cursor.utf8.count <= PagedList.maxIDBytes, (try? pathSegment(cursor, "after")) != nil else {
                throw KimiError(.parse, "the last of the \(what) on page \(pages) has an id that is not one (up to \(PagedList.maxIDBytes) letters, digits, '-', '_' and '.'), so the page after it cannot be asked for; stopped there")
            }
            guard cursors.insert(cursor).inserted else {
                throw KimiError(.parse, "page \(pages) of the \(what) ends with \"\(cursor.prefix(80))\" again, as an earlier page did: the server repeats itself; stopped there")
            }
            after = cursor
        }
        let fetched = try fetch(after)
        pages += 1
        page = fetched.items
        index = 0
        hasMore = fetched.hasMore
        if page.isEmpty && hasMore {
            throw KimiError(.parse, "page \(pages) of the \(what) is empty but says more follow (has_more); stopped there")
        }
    }
}
