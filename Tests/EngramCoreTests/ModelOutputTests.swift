import Foundation
import Testing
@testable import EngramCore

/// A model's answer is untrusted text: fences, reasoning, prose and JSON laxities are tolerated;
/// anything that breaks the schema is rejected with a reason.
@Suite("Model output")
struct ModelOutputTests {
    @Test("reads the operations of a clean answer")
    func clean() throws {
        let operations = try MemoryOperation.parse(#"""
            {"operations": [{"op": "ADD", "text": "User lives in Porto."}, {"op": "UPDATE", "id": "3", "text": "User has two cats."},
             {"op": "DELETE", "id": "1"}, {"op": "NONE", "id": "2"}]}
            """#)
        #expect(operations == [
            MemoryOperation(kind: .add, id: nil, text: "User lives in Porto."),
            MemoryOperation(kind: .update, id: "3", text: "User has two cats."),
            MemoryOperation(kind: .delete, id: "1", text: nil),
            MemoryOperation(kind: .none, id: "2", text: nil),
        ])
    }

    @Test("tolerates fences, think blocks, prose around the JSON and trailing commas", arguments: [
        "```json\n{\"operations\": [{\"op\": \"ADD\", \"text\": \"User likes tea.\"}]}\n```",
        "<think>The user said they like tea, so ADD.</think>\n{\"operations\": [{\"op\": \"ADD\", \"text\": \"User likes tea.\"}]}",
        "Sure! Here is the result:\n{\"operations\": [{\"op\": \"add\", \"text\": \"User likes tea.\"},]}\nLet me know if you need more.",
        "{\"operations\": [{\"op\": \"ADD\", \"text\": \"User likes tea.\",},],}",
        "{\"memory\": [{\"event\": \"ADD\", \"text\": \"User likes tea.\"}]}",
        "reasoning without an opening tag</think>{\"operations\": [{\"op\": \"ADD\", \"fact\": \"User likes tea.\"}]}",
    ])
    func tolerant(answer: String) throws {
        #expect(try MemoryOperation.parse(answer) == [MemoryOperation(kind: .add, id: nil, text: "User likes tea.")])
    }

    @Test("accepts numeric ids and an empty list")
    func numericIDs() throws {
        #expect(try MemoryOperation.parse(#"{"operations": [{"op": "DELETE", "id": 4}]}"#) == [MemoryOperation(kind: .delete, id: "4", text: nil)])
        #expect(try MemoryOperation.parse(#"{"operations": []}"#).isEmpty)
    }

    @Test("rejects answers that break the schema", arguments: [
        "I could not find any facts.",
        "{\"facts\": [\"User likes tea.\"]}",
        "{\"operations\": [{\"op\": \"MERGE\", \"text\": \"x\"}]}",
        "{\"operations\": [{\"op\": \"ADD\"}]}",
        "{\"operations\": [{\"op\": \"UPDATE\", \"text\": \"no id\"}]}",
        "{\"operations\": [{\"op\": \"DELETE\"}]}",
        "{\"operations\": [\"ADD User likes tea\"]}",
        "<think>unfinished reasoning {\"operations\": []}",
        "{\"operations\": [{\"op\": \"ADD\", \"text\": \"cut off",
    ])
    func rejects(answer: String) {
        #expect(throws: UnusableAnswer.self) { try MemoryOperation.parse(answer) }
    }

    @Test("braces inside strings do not end the object")
    func bracesInStrings() throws {
        let operations = try MemoryOperation.parse(#"{"operations": [{"op": "ADD", "text": "User's password hint is {curly}."}]} trailing }"#)
        #expect(operations.first?.text == "User's password hint is {curly}.")
    }

    @Test("the prompt carries the observation date, the memories as JSON and the messages as lines")
    func prompt() throws {
        let prompt = InferencePrompt(
            existing: ["User lives in Lisbon.", "User has a dog named \"Rex\"."],
            messages: [Message(role: "user", content: "I moved to Porto yesterday."), Message(role: "assistant", content: "Nice!")],
            observedAt: Date(timeIntervalSince1970: 1_795_000_000), agentScope: false, instructions: "Keep it short.",
            extractionGuide: nil, reconciliationGuide: nil, includes: "travel", excludes: "health")
        let user = prompt.user
        #expect(user.contains("Observation date: 2026-11-18 (Wednesday), 11:06 UTC"))
        #expect(user.contains(#"[{"id":"0","text":"User lives in Lisbon."},{"id":"1","text":"User has a dog named \"Rex\"."}]"#))
        #expect(user.contains("user: I moved to Porto yesterday.\nassistant: Nice!"))
        #expect(user.contains("Keep it short.") && user.contains("travel") && user.contains("health"))
        #expect(prompt.system.contains(#""operations""#))
        #expect(InferencePrompt.json([]) == "[]")
    }
}
