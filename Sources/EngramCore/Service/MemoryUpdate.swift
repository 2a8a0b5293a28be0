/// A partial update of one memory: only the fields that are set change.
public struct MemoryUpdate: Sendable {
    /// New text (re-embedded).
    public var text: String?
    /// Metadata merged into the existing metadata (scope keys ignored).
    public var metadata: [String: JSONValue]?
    /// `.some(nil)` clears the expiration date; `nil` leaves it.
    public var expirationDate: String??

    public init(text: String? = nil, metadata: [String: JSONValue]? = nil, expirationDate: String?? = nil) {
        self.text = text
        self.metadata = metadata
        self.expirationDate = expirationDate
    }

    /// Whether nothing would change.
    public var isEmpty: Bool { text == nil && metadata == nil && expirationDate == nil }
}
