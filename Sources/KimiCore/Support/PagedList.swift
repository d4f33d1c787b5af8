/// The rules a server's pages must keep for a walk over a listing paged with
/// cursors (`has_more`, and `after` set to the id of the last item of the
/// page before) to end. The answers are hostile input: a page that says more
/// follow must end with an item that has an id-shaped id, that id must not
/// have been a cursor before (a server repeating a page, or cycling, would
/// loop), an empty page may not say more follow, and at most `maxItems`
/// items are given. Each of these ends the walk with an error saying so
/// (`.parse`, or `.tooLarge` for the count). `PagedList` walks with them on
/// the calling thread, a list task (`ListJob`) on the loop.
struct PageRules<Item> {
    typealias Page = (items: [Item], hasMore: Bool)

    /// More than any account holds: Kimi keeps at most 1,000 files per
    /// user, and each batch needs an input file.
    static var maxItems: Int { 100_000 }

    let what: String
    let id: (Item) -> String
    private(set) var pages = 0
    private(set) var items = 0
    private var cursors: Set<String> = []

    init(_ what: String, id: @escaping (Item) -> String) {
        self.what = what
        self.id = id
    }

    /// `page` came: the cursor of the page after it, nil when it was the last.
    mutating func after(_ page: Page) throws(KimiError) -> String? {
        pages += 1
        items = items.saturatingAdd(page.items.count)
        guard page.hasMore else { return nil }
        guard let last = page.items.last else {
            throw KimiError(.parse, "page \(pages) of the \(what) is empty but says more follow (has_more); stopped there")
        }
        let cursor = id(last)
        guard !cursor.isEmpty else {
            throw KimiError(.parse, "the last of the \(what) on page \(pages) has no id, so the page after it cannot be asked for; stopped there")
        }
        // Only an id-shaped cursor is sent back, or named in a message.
        guard (try? pathSegment(cursor, "after")) != nil else {
            throw KimiError(.parse, "the last of the \(what) on page \(pages) has an id that is not one (up to \(maxIDBytes) letters, digits, '-', '_' and '.'), so the page after it cannot be asked for; stopped there")
        }
        guard cursors.insert(cursor).inserted else {
            throw KimiError(.parse, "page \(pages) of the \(what) ends with \(quoted(cursor)) again, as an earlier page did: the server repeats itself; stopped there")
        }
        return cursor
    }
}

/// Walks a paged listing one item at a time on the calling thread, fetching
/// a page only when the one before is used up, under `PageRules`. A failed
/// fetch ends the walk too; an ended walk keeps giving its error.
public final class PagedList<Item> {
    public typealias Page = (items: [Item], hasMore: Bool)

    public static var maxItems: Int { PageRules<Item>.maxItems }

    private var rules: PageRules<Item>
    private let fetch: (String?) throws(KimiError) -> Page
    private var page: [Item] = []
    private var index = 0
    /// The cursor of the next page (nil: the first), while more follow.
    private var cursor: String?
    private var more = true
    private var given = 0
    private var failure: KimiError?

    /// `what` names the items in errors ("files"); `fetch(after)` gets one
    /// page (`after` nil for the first); `id` is an item's id.
    public init(_ what: String, fetch: @escaping (String?) throws(KimiError) -> Page, id: @escaping (Item) -> String) {
        rules = PageRules(what, id: id)
        self.fetch = fetch
    }

    /// The next item; nil at the end.
    public func next() throws(KimiError) -> Item? {
        if let failure { throw failure }
        do throws(KimiError) {
            while index >= page.count {
                guard more else { return nil }
                let fetched = try fetch(cursor)
                page = fetched.items
                index = 0
                cursor = try rules.after(fetched)
                more = cursor != nil
            }
            guard given < PagedList.maxItems else {
                throw KimiError(.tooLarge, "the listing of \(rules.what) goes on past \(PagedList.maxItems) items (page \(rules.pages)\(more ? " still says more follow" : "")); stopped there")
            }
            given += 1
            index += 1
            return page[index - 1]
        } catch {
            failure = error
            throw error
        }
    }
}
