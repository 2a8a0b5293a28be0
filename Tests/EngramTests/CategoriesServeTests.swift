import EngramTestSupport
import Foundation
import Glibc
import Testing

/// Categories without an LLM, with the real local embedder: `engram serve` files plain facts under the
/// platform's categories, and under a project's own once it sets them.
@Suite("Categories with the local embedder")
struct CategoriesServeTests {
    @Test("facts are filed under the categories they are about, never misc by default")
    func offlineCategories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("engram-categories-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let engram = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("data"), logDirectory: directory)
        defer { engram.kill(SIGTERM) }
        func categories(_ text: String) throws -> [String] {
            let body = #"{"messages": [{"role": "user", "content": "\#(text)"}], "user_id": "alice", "infer": false}"#
            let added = try RawClient.request(port: engram.port, "POST", "/v3/memories/add/", body: body)
            let id = try #require(added.results.first?["id"] as? String, "\(added.text)")
            return try RawClient.request(port: engram.port, "GET", "/v1/memories/\(id)/").object["categories"] as? [String] ?? []
        }
        let expected: [(String, String)] = [
            ("I play tennis every weekend", "sports"), ("My favourite band is Radiohead", "music"),
            ("I love sushi and ramen", "food"), ("I bought a new iPhone", "technology"),
            ("I have asthma and take an inhaler", "health"), ("We adopted a dog named Max", "family"),
            ("I went hiking in the Alps last summer", "travel"), ("Melanie painted a sunrise over the lake", "hobbies"),
        ]
        for (text, category) in expected {
            let found = try categories(text)
            #expect(found.first == category, "\(text): \(found)")
            #expect(!found.contains("misc"))
        }
        #expect(try categories("The meeting is on Tuesday").count <= 1)

        let patch = try RawClient.request(port: engram.port, "PATCH", "/api/v1/orgs/organizations/engram/projects/default/",
                                          body: #"{"custom_categories": [{"pets": "Dogs, cats and other animals someone keeps"}, {"cooking": "Recipes and meals someone makes"}]}"#)
        #expect(patch.status == 200, "\(patch.text)")
        #expect(try categories("My cat sleeps on the sofa all day") == ["pets"])
        #expect(try categories("I baked bread with my own recipe") == ["cooking"])
    }
}
