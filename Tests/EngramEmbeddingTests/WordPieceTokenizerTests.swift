@testable import EngramEmbedding
import Testing

@Suite("WordPiece tokenizer")
struct WordPieceTokenizerTests {
    /// A vocabulary small enough to reason about: ids follow the list order.
    private static let tokens = [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "aff", "hello", "world",
        ",", "!", "cafe", "中", "文", "a", "##a",
    ]

    private func tokenizer(maxTokens: Int = 256) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(
            vocabulary: Vocabulary(tokens: Self.tokens), configuration: .init(maxTokens: maxTokens)
        )
    }

    @Test("the fixture is readable and has cases")
    func fixtureIsReadable() throws {
        let fixture = try ReferenceFixture.loaded.get()
        #expect(fixture.cases.count > 30)
    }

    @Test("token ids equal the reference for every fixture case", arguments: ReferenceFixture.cases)
    func matchesReference(_ reference: ReferenceFixture.Case) throws {
        let embedder = try ReferenceFixture.embedder.get()
        #expect(embedder.tokenizer.encode(reference.text) == reference.inputIDs)
    }

    @Test("words split greedily into the longest pieces, continuations marked ##")
    func greedyLongestMatchFirst() throws {
        #expect(try tokenizer().encode("unaffable") == [2, 4, 5, 6, 3])
        #expect(try tokenizer().encode("aaa") == [2, 15, 16, 16, 3])
    }

    @Test("a word with an unmatched remainder becomes one [UNK]")
    func unmatchedWordIsUnknown() throws {
        #expect(try tokenizer().encode("unaffablex hello") == [2, 1, 8, 3])
    }

    @Test("a word over 100 scalars is [UNK] even when it could be split")
    func overlongWordIsUnknown() throws {
        #expect(try tokenizer().encode(String(repeating: "a", count: 100)).count == 102)
        #expect(try tokenizer().encode(String(repeating: "a", count: 101)) == [2, 1, 3])
    }

    @Test("punctuation, case, accents, controls and CJK are normalised like BERT")
    func basicNormalisation() throws {
        #expect(try tokenizer().encode("HELLO,\u{0}world!") == [2, 8, 10, 9, 11, 3])
        #expect(try tokenizer().encode("Cafe\u{301}\u{200B}") == [2, 12, 3])
        #expect(try tokenizer().encode("中文") == [2, 13, 14, 3])
        #expect(try tokenizer().encode(" \t\r\n ") == [2, 3])
    }

    @Test("long texts are truncated to the limit, [SEP] kept")
    func truncation() throws {
        let ids = try tokenizer(maxTokens: 5).encode("hello world hello world hello")
        #expect(ids == [2, 8, 9, 8, 3])
    }

    @Test("a vocabulary without [UNK] is rejected")
    func missingSpecialToken() {
        #expect(throws: VocabularyError.missingSpecialToken("[UNK]")) {
            try Vocabulary(tokens: ["[CLS]", "[SEP]"])
        }
    }

    @Test("vocab.txt parses with LF and CRLF line ends")
    func parsesVocabularyFile() throws {
        let vocabulary = try Vocabulary(fileContents: Array("[UNK]\r\n[CLS]\n[SEP]\nhi\n".utf8))
        #expect(vocabulary.count == 4)
        #expect(vocabulary.unknownID == 0 && vocabulary.classifierID == 1 && vocabulary.separatorID == 2)
    }

    @Test("a pair reads [CLS] first [SEP] second [SEP], the second text in segment 1")
    func pairSegments() throws {
        let encoding = try tokenizer().encode("hello world", pairedWith: "cafe!")
        #expect(encoding.ids == [2, 8, 9, 3, 12, 11, 3])
        #expect(encoding.tokenTypes == [0, 0, 0, 0, 1, 1, 1])
    }

    @Test("a long pair keeps min(shorter, room / 2) of the shorter text and the rest of the longer, the first shorter on a tie",
          arguments: [
              (10, 10, 16, 6, 7), (10, 10, 17, 7, 7), (5, 30, 17, 5, 9), (30, 5, 17, 9, 5), (30, 7, 16, 7, 6),
              (8, 30, 16, 6, 7), (100, 80, 54, 26, 25), (80, 100, 54, 25, 26), (3, 4, 16, 3, 4),
          ])
    func pairTruncation(_ first: Int, _ second: Int, _ maxTokens: Int, _ firstKept: Int, _ secondKept: Int) throws {
        let words = { (word: String, count: Int) in Array(repeating: word, count: count).joined(separator: " ") }
        let encoding = try tokenizer(maxTokens: maxTokens).encode(words("a", first), pairedWith: words("hello", second))
        #expect(encoding.ids == [2] + Array(repeating: 15, count: firstKept) + [3] + Array(repeating: 8, count: secondKept) + [3])
    }
}
