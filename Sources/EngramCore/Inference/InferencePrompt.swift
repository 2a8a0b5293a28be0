import Foundation

/// The words of the one inference call: a system message saying what to remember and how to
/// reconcile it with what is known, and a user message carrying the observation date, the existing
/// memories as a JSON array of `{"id", "text"}` under small integer ids, and the new messages as
/// `role: content` lines. The answer format is fixed (DESIGN.md) so any test double can play the model.
struct InferencePrompt {
    /// The existing memories in the order shown; `id` is the index as a string.
    var existing: [String]
    var messages: [Message]
    var observedAt: Date
    /// The scope is an agent's alone: facts come from the assistant's messages.
    var agentScope: Bool
    /// `prompt` of the call, else the configured `custom_instructions`.
    var instructions: String?
    /// Configured replacements for the extraction and reconciliation guidance.
    var extractionGuide: String?
    var reconciliationGuide: String?
    var includes: String?
    var excludes: String?
    /// The categories a fact may be filed under.
    var categories: [CategoryDefinition] = []

    var chatMessages: [ChatMessage] {
        [ChatMessage(role: .system, text: system), ChatMessage(role: .user, text: user)]
    }

    var system: String {
        [
            "You keep the long-term memory of an AI assistant. You are given the memories already stored about "
                + "someone and a new piece of conversation. Decide how the memory must change.",
            "## What to remember\n" + (extractionGuide ?? Self.extraction),
            "## How to change what is stored\n" + (reconciliationGuide ?? Self.reconciliation),
            Self.answerFormat,
        ].joined(separator: "\n\n")
    }

    var user: String {
        var lines = ["Observation date: \(Self.describe(observedAt)). Resolve relative dates and times against it."]
        lines.append(agentScope
            ? "This memory belongs to the assistant (agent): take facts from the assistant's messages; the others are context."
            : "This memory belongs to the user: take facts from the user's messages; the assistant's and system messages are context only.")
        if let instructions, !instructions.isEmpty { lines.append("Additional instructions:\n\(instructions)") }
        if let includes, !includes.isEmpty { lines.append("Only remember facts about: \(includes)") }
        if let excludes, !excludes.isEmpty { lines.append("Never remember facts about: \(excludes)") }
        if !categories.isEmpty {
            // The platform's defaults are plain words a model knows: their names alone keep the prompt
            // short (about 60 tokens); a project's own categories come with what they cover.
            let listed = categories == Categories.defaults
                ? categories.map(\.name).joined(separator: ", ")
                : categories.map { "- \($0.name): \($0.description.prefix(160))" }.joined(separator: "\n")
            lines.append("Categories (file each ADD and UPDATE under those that fit, by name):\n" + listed)
        }
        lines.append("Existing memories:\n" + Self.json(existing))
        lines.append("New messages:\n" + messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n"))
        return lines.joined(separator: "\n\n")
    }

    static let extraction = """
        - Durable, useful facts: who the person is, their relationships, preferences and dislikes, plans and \
        goals, habits, health, work and studies, places, belongings, important events with their dates, and \
        anything they ask to be remembered.
        - Not: greetings, small talk, questions that reveal nothing, the assistant's suggestions, passing moods.
        - Each fact is one short sentence that stands on its own and names whom it is about ("User ...", or \
        the person's name when known), so it can be understood without the conversation.
        - Write each fact in the language the conversation is in.
        - Turn relative dates ("yesterday", "next Friday", "last spring") into absolute ones using the \
        observation date.
        - State only what the messages say. Never guess or invent.
        """

    static let reconciliation = """
        - ADD a fact that no existing memory states.
        - UPDATE an existing memory when the new messages add detail to the same fact; give the complete new \
        text, keeping what still holds.
        - DELETE an existing memory that the new messages contradict or show is no longer true (a move, a new \
        job, a changed preference); ADD the new fact alongside it.
        - NONE for an existing memory that stays as it is (you may omit these).
        - Never ADD what an existing memory already says, even in other words.
        - Refer to existing memories only by the ids given. Never make up an id.
        """

    static let answerFormat = """
        ## Answer
        Reply with one JSON object and nothing else:
        {"operations": [{"op": "ADD", "text": "..."}, {"op": "UPDATE", "id": "3", "text": "..."}, \
        {"op": "DELETE", "id": "1"}, {"op": "NONE", "id": "2"}]}
        When nothing should change, reply {"operations": []}.

        An ADD or UPDATE may also list the relations its fact states between named things, as \
        "relations": [{"source": "user", "relationship": "sister", "target": "Claire", "target_type": "person"}, \
        {"source": "Claire", "relationship": "lives_in", "target": "Lyon", "target_type": "city", \
        "valid_at": "2026-03-01"}]. Use "user" for the person the memory belongs to; write relationships \
        in lower snake_case and keep them general and lasting (lives_in, works_at, sister, likes); add \
        "valid_at" (YYYY-MM-DD) only when the messages say since when it holds. An UPDATE lists every \
        relation the new text states. Leave "relations" out when the fact names no such things.

        When categories are given, an ADD or UPDATE also lists the one to three that fit it best, as \
        "categories": ["food", "health"], using only the names given.
        """

    /// `[{"id": "0", "text": "..."}, ...]` with ids as strings.
    static func json(_ texts: [String]) -> String {
        let items = texts.enumerated().map { index, text in
            JSONValue.object(["id": .string(String(index)), "text": .string(text)])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(JSONValue.array(items)) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `2026-11-21 (Saturday), 14:05 UTC`.
    static func describe(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let weekday = weekdays[((parts.weekday ?? 1) - 1 + 7) % 7]
        let day = String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
        let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
        return "\(day) (\(weekday)), \(time) UTC"
    }
}

/// The words of a procedural-memory call: the conversation summarised as steps an agent can follow.
enum ProceduralPrompt {
    static let system = """
        You write the procedural memory of an AI agent: a faithful, compact record of what the agent did in \
        the conversation below, so that it can continue or repeat the work later without the conversation. \
        Give the task and its goal, then the steps taken in order, each with what was done, the key inputs and \
        the results (exact values, names, paths, errors), then the current state and what remains. Use only \
        what the conversation shows. Reply with the summary text only, without preamble.
        """

    static func user(_ messages: [Message], instructions: String?) -> String {
        var text = "Conversation:\n" + messages.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        if let instructions, !instructions.isEmpty { text += "\n\nAdditional instructions:\n\(instructions)" }
        return text
    }
}

/// The words of an image description call (vision).
enum ImagePrompt {
    static let system = """
        Describe the image for a memory system, in one to three sentences: what it shows, any text in it, and \
        anything personal it reveals (people, places, objects, documents). Reply with the description only.
        """
}
