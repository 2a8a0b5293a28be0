/// One conversation message posted to `add`.
public struct Message: Sendable, Equatable, Codable {
    /// `user`, `assistant`, `system`, or another role the client uses.
    public var role: String
    /// The text (for a message of several parts, the text parts joined by newlines).
    public var content: String
    /// The speaker's name, stored as the memory's `actor_id` when messages are stored verbatim.
    public var name: String?
    /// Images attached to the message (`image_url` parts): `https:` or `data:` URLs.
    public var imageURLs: [String]

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case imageURLs = "image_urls"
    }

    public init(role: String, content: String, name: String? = nil, imageURLs: [String] = []) {
        self.role = role
        self.content = content
        self.name = name
        self.imageURLs = imageURLs
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        role = try container.decode(String.self, forKey: .role)
        content = try container.decode(String.self, forKey: .content)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        imageURLs = try container.decodeIfPresent([String].self, forKey: .imageURLs) ?? []
    }
}
