import EngramCore
import Foundation
import GRDB
import Testing
@testable import EngramSQLite

/// Keyword search pinned to a scope through the FTS index's scope tokens: the same memories and the very
/// same scores as without the tokens, and never another scope's memories.
@Suite struct ScopedKeywordSearchTests {
    static let words = ["pizza", "pineapple", "tea", "coffee", "lisbon", "osaka", "cello", "marathon", "garden", "bees"]

    /// Memories with texts drawn from `words`, over users, agents and runs that overlap.
    static func memories(count: Int) -> [Memory] {
        var generator = SplitMix(state: 11)
        return (0..<count).map { index in
            let length = Int.random(in: 1...12, using: &generator)
            let text = (0..<length).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            return Sample.memory(
                text, user: ["alice", "bob", "carol"][index % 3], agent: index % 4 == 0 ? "helper" : nil,
                run: index % 5 == 0 ? "r\(index % 2)" : nil, at: Double(index)
            )
        }
    }

    static let scopes: [Filter] = [
        .compare(.field(.userID), .eq, .string("alice")),
        .and([.and([.compare(.field(.userID), .eq, .string("bob"))]), .compare(.field(.agentID), .eq, .string("helper"))]),
        .compare(.field(.runID), .eq, .string("r0")),
        .compare(.field(.agentID), .eq, .string("helper")),
    ]
    static let queries = ["pizza", "pineapple tea", "Lisbon bees garden cello", "coffee coffee marathon osaka", "nothing"]

    @Test func aPinnedSearchGivesTheSameMemoriesAndScoresAsAnUnpinnedOne() throws {
        try StoreFixture.run { store, _ in
            try store.apply(Sample.inserting(Self.memories(count: 300)))
            for scope in Self.scopes {
                #expect(!ScopeTokens.pinned(by: scope, project: "default").isEmpty)
                for query in Self.queries {
                    // The same condition under an OR of one pins no token.
                    let pinned = try store.keywordSearch(query, project: "default", filter: scope, visibility: Sample.visible, limit: 40)
                    let unpinned = try store.keywordSearch(query, project: "default", filter: .or([scope]), visibility: Sample.visible, limit: 40)
                    #expect(pinned.map(\.memory.id) == unpinned.map(\.memory.id))
                    #expect(pinned.map(\.score) == unpinned.map(\.score))
                    #expect(query == "nothing" ? pinned.isEmpty : pinned.count > 3)
                }
            }
        }
    }

    @Test func scoresEqualTheBuiltInBM25OfATextOnlyIndex() throws {
        try StoreFixture.run { store, fixture in
            let memories = Self.memories(count: 300)
            try store.apply(Sample.inserting(memories))
            // The index as migrations 0001 and 0002 made it, beside the real one.
            let queue = try DatabaseQueue(path: fixture.path)
            try queue.write { db in
                try db.execute(sql: """
                    CREATE VIRTUAL TABLE reference USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
                    INSERT INTO reference (rowid, text) SELECT seq, text FROM memories;
                    """)
            }
            for scope in Self.scopes {
                for query in Self.queries.dropLast() {
                    let hits = try store.keywordSearch(query, project: "default", filter: scope, visibility: Sample.visible, limit: 40)
                    let reference = try OldKeywordSearch.ranked(queue, table: "reference", query: query, filter: scope, limit: 40)
                    #expect(hits.map(\.memory.id) == reference.map(\.id))
                    #expect(hits.map(\.score) == reference.map(\.score))
                }
            }
        }
    }

    @Test func scopesWhoseIdsLookAlikeOrHoldSpecialCharactersNeverShareMatches() throws {
        try StoreFixture.run { store, fixture in
            let ids = [
                "alice", "Alice", "ALICE", "alice2", "alice 2", "a\"b", "a'b", "'; DROP TABLE memories; --", "x OR 1=1",
                "text:secret", "scope : \"u\"", "ünïcødé", "用户", "🙂", "78", "7830", "u", "", "NEAR(a b)", "a\u{0}b",
            ]
            let projects = ["default", "ab", "a", "défaut"]
            var memories: [Memory] = []
            for project in projects {
                for (index, id) in ids.enumerated() {
                    memories.append(Sample.memory("secret number \(index) of \(id)", user: id, project: project))
                    memories.append(Sample.memory("secret agent note", user: nil, agent: id, run: id, project: project))
                }
            }
            try store.apply(Sample.inserting(memories))
            for project in projects {
                for id in ids {
                    for field in [MemoryField.userID, .agentID, .runID] {
                        let filter = Filter.compare(.field(field), .eq, .string(id))
                        let hits = try store.keywordSearch("secret", project: project, filter: filter, visibility: Sample.visible, limit: 100)
                        let expected = memories.filter { memory in
                            let value = switch field {
                            case .userID: memory.scope.userID
                            case .agentID: memory.scope.agentID
                            default: memory.scope.runID
                            }
                            return memory.project == project && value == id
                        }
                        #expect(Set(hits.map(\.memory.id)) == Set(expected.map(\.id)), "\(project) \(field) \(id)")
                    }
                }
            }
            // The tokenizer keeps every token whole and unstemmed: the index holds exactly the Swift tokens.
            let queue = try DatabaseQueue(path: fixture.path)
            let indexed = try queue.write { db in
                try db.execute(sql: "CREATE VIRTUAL TABLE temp.vocabulary USING fts5vocab(main, memories_fts, 'col')")
                return try String.fetchSet(db, sql: "SELECT term FROM temp.vocabulary WHERE col = 'scope'")
            }
            let expected = memories.flatMap { memory in
                memory.scope.fields.compactMap { ScopeTokens.token($0.field, id: $0.value, project: memory.project)?.lowercased() }
            }
            #expect(indexed == Set(expected))
        }
    }

    @Test func theIndexFollowsChangesOfTextAndScope() throws {
        try StoreFixture.run { store, _ in
            let memory = Sample.memory("pizza on fridays", user: "alice", run: "r1")
            try store.apply(Sample.inserting([memory]))
            func found(_ query: String, _ filter: Filter) throws -> Bool {
                try !store.keywordSearch(query, project: "default", filter: filter, visibility: Sample.visible, limit: 5).isEmpty
            }
            let alice = Filter.compare(.field(.userID), .eq, .string("alice"))
            let bob = Filter.compare(.field(.userID), .eq, .string("bob"))
            let run = Filter.compare(.field(.runID), .eq, .string("r1"))
            #expect(try found("pizza", alice) && found("pizza", run) && !found("pizza", bob))

            var moved = memory
            moved.scope = Scope(stored: "bob", agentID: "helper", runID: nil)
            moved.text = "sushi on fridays"
            var update = MemoryChanges()
            update.updates = [moved]
            try store.apply(update)
            let helper = Filter.compare(.field(.agentID), .eq, .string("helper"))
            #expect(try found("sushi", bob) && found("sushi", helper) && found("fridays", .and([bob, helper])))
            #expect(try !found("sushi", alice) && !found("sushi", run) && !found("pizza", bob) && !found("fridays", alice))

            var delete = MemoryChanges()
            delete.deletions = [memory.id]
            try store.apply(delete)
            #expect(try !found("sushi", bob) && !found("fridays", helper))
        }
    }
}

/// Keyword search as the store ran it before the scope column: the built-in `bm25()` over a text-only
/// FTS5 table, the scope applied as an SQL condition after the MATCH.
enum OldKeywordSearch {
    static func ranked(_ queue: DatabaseQueue, table: String, query: String, filter: Filter, limit: Int) throws -> [(id: String, score: Double)] {
        let match = SearchTerms.words(in: query, maxTerms: 64).map { "\"\($0)\"" }.joined(separator: " OR ")
        let condition = try FilterCompiler.memories.compile(filter)
        return try queue.read { db in
            let rows = try Row.fetchAll(
                db, sql: """
                    SELECT m.id, bm25(\(table)) AS relevance FROM \(table) JOIN memories m ON m.seq = \(table).rowid
                    WHERE \(table) MATCH ? AND m.project = 'default' AND \(condition.sql)
                    ORDER BY relevance, m.seq LIMIT ?
                    """,
                arguments: StatementArguments([match.databaseValue] + condition.arguments + [limit.databaseValue])
            )
            return rows.map { (id: $0[0], score: -($0[1] as Double)) }
        }
    }
}
