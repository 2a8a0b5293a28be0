import EngramCore
import Testing
@testable import EngramSQLite

/// The scope tokens of the FTS index, and which filters pin them.
@Suite("Scope tokens")
struct ScopeTokensTests {
    @Test("a token is the field letter, the project and the id in hex, and a final digit")
    func spelling() {
        #expect(ScopeTokens.token(.userID, id: "bob", project: "default") == "u64656661756C74x626F620")
        #expect(ScopeTokens.token(.agentID, id: "é\"", project: "p") == "a70xC3A9220")
        #expect(ScopeTokens.token(.runID, id: "", project: "p") == "r70x0")
        // Text is bound up to its first NUL: the token spells what the database holds.
        #expect(ScopeTokens.token(.runID, id: "a\u{0}b", project: "p") == "r70x610")
        #expect(ScopeTokens.token(.actorID, id: "bob", project: "p") == nil)
    }

    @Test("tokens of look-alike projects and ids differ")
    func distinct() {
        let pairs: [(project: String, id: String)] = [("ab", "c"), ("a", "bc"), ("abc", ""), ("", "abc"), ("a", "b c"), ("a", "b0")]
        let tokens = pairs.map { ScopeTokens.token(.userID, id: $0.id, project: $0.project) }
        #expect(Set(tokens).count == pairs.count)
    }

    @Test("a filter pins the scope ids it requires by equality, also inside nested ANDs, once each")
    func pinned() throws {
        let scope = try Scope(userID: "alice", agentID: "helper").filter
        let filter = Filter.and([scope, .and([.compare(.metadata("topic"), .eq, .string("food")), scope])])
        #expect(ScopeTokens.pinned(by: filter, project: "p") == [
            ScopeTokens.token(.userID, id: "alice", project: "p"), ScopeTokens.token(.agentID, id: "helper", project: "p"),
        ])
        #expect(ScopeTokens.pinned(by: .compare(.field(.runID), .eq, .string("r1")), project: "p") == [
            ScopeTokens.token(.runID, id: "r1", project: "p"),
        ])
        let parsed = try Sample.filter(#"{"user_id": "alice", "AND": [{"run_id": {"eq": "r1"}}], "OR": [{"agent_id": "x"}]}"#)
        #expect(ScopeTokens.pinned(by: parsed, project: "p") == [
            ScopeTokens.token(.runID, id: "r1", project: "p"), ScopeTokens.token(.userID, id: "alice", project: "p"),
        ])
    }

    @Test("OR, NOT, other operators, null, and fields that are not scope ids pin nothing")
    func notPinned() {
        let alice = Filter.compare(.field(.userID), .eq, .string("alice"))
        for filter in [
            Filter.or([alice]), .not([alice]), .compare(.field(.userID), .ne, .string("alice")),
            .compare(.field(.userID), .in, .array([.string("alice")])), .compare(.field(.userID), .eq, .null),
            .compare(.field(.actorID), .eq, .string("alice")), .compare(.metadata("user_id"), .eq, .string("alice")),
            .exists(.field(.userID)), .all,
        ] {
            #expect(ScopeTokens.pinned(by: filter, project: "p").isEmpty)
        }
    }
}
