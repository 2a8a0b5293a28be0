import Testing
@testable import EngramCore

@Suite("Speaker labels")
struct SpeakerLabelTests {
    @Test("a transcript's leading name is the speaker; other colons are not")
    func labels() {
        #expect(SpeakerLabel.of("Caroline: I went to the support group.") == "caroline")
        #expect(SpeakerLabel.of("Dr. Mary Ann: hi") == "dr. mary ann")
        #expect(SpeakerLabel.of("O'Brien-Smith: yes") == "o'brien-smith")
        for text in [
            "User likes tea: green, mostly.", "note:no space", "Meeting at 10:30 with Bob", "A Very Long Speaker Name: x",
            "caroline: lower case", ": empty", "Caroline:", "Reminder (urgent): call", "",
        ] {
            #expect(SpeakerLabel.of(text) == nil, "\(text)")
        }
    }

    @Test("a query names a speaker only as whole words, and only one of them")
    func named() {
        let labels: Set<String> = ["caroline", "melanie"]
        #expect(SpeakerLabel.named(in: "When did Caroline go to the group?", among: labels) == "caroline")
        #expect(SpeakerLabel.named(in: "What is Melanie's favourite book?", among: labels) == "melanie")
        #expect(SpeakerLabel.named(in: "What did Caroline tell Melanie?", among: labels) == nil)
        #expect(SpeakerLabel.named(in: "Where do Carolines live?", among: labels) == nil)
        #expect(SpeakerLabel.named(in: "anything", among: []) == nil)
        #expect(SpeakerLabel.named(in: "Ask Dr. Mary Ann", among: ["dr. mary ann"]) == "dr. mary ann")
    }
}
