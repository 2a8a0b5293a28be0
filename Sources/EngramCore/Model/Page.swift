/// One page of a deterministic, paginated listing.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Every match, across all pages.
    public var total: Int
    /// 1-based.
    public var page: Int
    public var pageSize: Int

    public init(items: [Item], total: Int, page: Int, pageSize: Int) {
        self.items = items
        self.total = total
        self.page = page
        self.pageSize = pageSize
    }

    /// Whether a later page has items.
    public var hasNext: Bool {
        // A page number from a client may be as large as an Int holds: no overflow, just no next page.
        let (shown, overflow) = page.multipliedReportingOverflow(by: pageSize)
        return !overflow && shown < total
    }
}

extension Page: Equatable where Item: Equatable {}
