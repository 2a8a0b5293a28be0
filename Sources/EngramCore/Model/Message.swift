/// One conversation message posted to `add`.
public struct Message: Sendable, Equatable {
    /// `user`, `assistant`, `system`, or another role the client uses.
    public var role: String
    public var content: String
    /// The speaker's name, stored as the memory's `actor_id` when messages are stored verbatim.
    public var name: String?

    public init(role: String, content: String, name: String? = nil) {
        self.role = role
        self.content = content
        self.name = name
    }
}
