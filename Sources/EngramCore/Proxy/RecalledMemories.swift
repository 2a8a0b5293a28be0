import Foundation

/// The section of the system message in which the chat proxy shows a scope's memories to the model.
public enum RecalledMemories {
    /// The first line of the section.
    public static let header = "## Memories from earlier conversations (Engram)"
    /// The line that ends it.
    public static let footer = "## End of memories"

    /// The memories, most relevant first, one line each with the day it was last recorded, between
    /// `header` and `footer`.
    public static func section(_ memories: [Memory]) -> String {
        var lines = [
            header,
            "Facts remembered from earlier conversations, most relevant first, each with the day it was "
                + "recorded. Use them when they help; what the user says now wins over them.",
        ]
        for memory in memories {
            let text = memory.text.replacingOccurrences(of: "\n", with: " ")
            lines.append("- [\(MemoryService.day(of: memory.updatedAt))] \(text)")
        }
        lines.append(footer)
        return lines.joined(separator: "\n")
    }
}
