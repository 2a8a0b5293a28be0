import EngramPostgresTestSupport
import EngramTestSupport
import Foundation
import Glibc
import Testing

/// The admin commands as an operator runs them: the real binary on real SQLite files and a real
/// Postgres, with data written through a running `engram serve`.
@Suite("engram migrate, export, import, reindex, doctor, backup")
struct AdminCommandsTests {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `engram` with `arguments`, `input` on its standard input; standard error goes through a
    /// file, so neither stream can fill its pipe while the other is read.
    static func engram(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = ServeCommandTests.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("engram-admin-stderr-\(UUID())")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        let out = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderrText = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self), stderr: stderrText)
    }

    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("engram-admin-\(UUID())")
    }

    /// The lines of an export after its header, parsed, sorted by id; the header apart.
    static func records(_ text: String) throws -> (header: [String: Any], records: [[String: Any]]) {
        let lines = text.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        guard let header = lines.first ?? nil else { return ([:], []) }
        let records = lines.dropFirst().compactMap { $0 }.sorted { ($0["id"] as? String ?? "") < ($1["id"] as? String ?? "") }
        return (header, records)
    }

    /// Writes memories through a server: verbatim adds, heuristic adds that build a graph and supersede,
    /// an update (an UPDATE in history), metadata and two projects' worth of scopes.
    /// `--database-url` of a new Postgres database that a server has populated (and stopped).
    static func populatedPostgres(directory: URL) throws -> [String] {
        let database = ["--database-url", try EmbeddedPostgres.shared.makeDatabase()]
        let server = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: database)
        defer { server.kill(SIGTERM) }
        try populate(port: server.port)
        return database
    }

    static func populate(port: Int) throws {
        let adds = [
            #"{"messages": "I live in Paris and work at Acme.", "user_id": "alice", "metadata": {"source": "chat", "score": 3}}"#,
            #"{"messages": "My sister Anna lives in Berlin.", "user_id": "alice"}"#,
            #"{"messages": "I moved to London last year.", "user_id": "alice"}"#,
            #"{"messages": "Bob likes green tea with \"honey\" and ünïcödé.", "agent_id": "bot", "infer": false, "metadata": {"nested": {"a": [1, 2]}}}"#,
            #"{"messages": [{"role": "user", "content": "We met at the café."}], "run_id": "r1", "user_id": "carol", "infer": false}"#,
        ]
        for body in adds {
            let response = try RawClient.request(port: port, "POST", "/memories", body: body)
            #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        }
        let listing = try RawClient.request(port: port, "GET", "/memories?agent_id=bot")
        let id = try #require(listing.results.first?["id"] as? String)
        let update = try RawClient.request(port: port, "PUT", "/memories/\(id)", body: #"{"text": "Bob likes black tea."}"#)
        #expect(update.status == 200)
    }

    @Test("migrate applies the migrations once and says so")
    func migrate() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.engram(["migrate", "--data-dir", directory.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("applied 0001_memories_history_entities_settings"))
        #expect(first.stdout.contains("applied 0009_counters_reindex"))
        let second = try Self.engram(["migrate", "--data-dir", directory.path])
        #expect(second.status == 0)
        #expect(second.stdout.contains("up to date"))
        #expect(!second.stdout.contains("applied 0001"))
    }

    @Test("migrate rebuilds the Postgres vector index in a new shape, doctor tells until then, and bad shapes are refused")
    func vectorIndexShape() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Self.populatedPostgres(directory: directory)
        let shape = ["--database-vector-index", "halfvec", "--database-hnsw-m", "24", "--database-hnsw-ef-construction", "80"]
        let doctor = try Self.engram(["doctor"] + database + shape)
        #expect(doctor.stdout.contains("WARN  vector index"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("configured halfvec m=24 ef_construction=80: run `engram migrate`"), "\(doctor.stdout)")

        let rebuilt = try Self.engram(["migrate"] + database + shape)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(rebuilt.stdout.contains("rebuilding the vector index: vector m=16 ef_construction=64 → halfvec m=24 ef_construction=80"),
                "\(rebuilt.stdout)")
        #expect(rebuilt.stdout.contains("rebuilt the vector index in"))
        let again = try Self.engram(["migrate"] + database + shape)
        #expect(again.status == 0)
        #expect(!again.stdout.contains("rebuilding"), "\(again.stdout)")
        let healthy = try Self.engram(["doctor"] + database + shape)
        #expect(healthy.stdout.contains("OK    vector index     halfvec m=24 ef_construction=80, "), "\(healthy.stdout)")

        // A server with the new shape searches the rebuilt index.
        let server = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: database + shape)
        defer { server.kill(SIGTERM) }
        let search = try RawClient.request(port: server.port, "POST", "/search", body: #"{"query": "what does Bob drink", "agent_id": "bot"}"#)
        #expect((search.results.first?["memory"] as? String) == "Bob likes black tea.")

        let tooNarrow = try Self.engram(["migrate"] + database + ["--database-hnsw-m", "24", "--database-hnsw-ef-construction", "20"])
        #expect(tooNarrow.status != 0)
        #expect(tooNarrow.stderr.contains("at least twice m"), "\(tooNarrow.stderr)")
        let unknown = try Self.engram(["migrate"] + database, environment: ["ENGRAM_DATABASE_VECTOR_INDEX": "float"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("vector or halfvec"), "\(unknown.stderr)")
        let replicaWithoutPostgres = try Self.engram(["migrate", "--data-dir", directory.path, "--database-read-url", "postgres://x@127.0.0.1:1/x"])
        #expect(replicaWithoutPostgres.status != 0)
        #expect(replicaWithoutPostgres.stderr.contains("needs a Postgres store"), "\(replicaWithoutPostgres.stderr)")
    }

    @Test("migrate lays a Postgres store with memories out in partitions, serve and doctor tell until then, bad counts are refused")
    func tableLayout() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try Self.populatedPostgres(directory: directory)
        let layout = ["--database-partitions", "4"]
        let doctor = try Self.engram(["doctor"] + database + layout)
        #expect(doctor.stdout.contains("WARN  table layout"), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("memories and history: one table each; configured 4 partitions by project"), "\(doctor.stdout)")
        do {
            // serve keeps the layout of a store with memories, and says so.
            let server = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: database + layout)
            defer { server.kill(SIGTERM) }
            let log = try String(contentsOf: server.log, encoding: .utf8)
            #expect(log.contains("one table each but 4 partitions by project is configured"), "\(log)")
        }

        let moved = try Self.engram(["migrate"] + database + layout)
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.stdout.contains("laying out the memories and history tables: one table each → 4 partitions by project (5 memories"),
                "\(moved.stdout)")
        #expect(moved.stdout.contains("laid out the tables in"), "\(moved.stdout)")
        let again = try Self.engram(["migrate"] + database + layout)
        #expect(again.status == 0)
        #expect(!again.stdout.contains("laying out"), "\(again.stdout)")
        let healthy = try Self.engram(["doctor"] + database, environment: ["ENGRAM_DATABASE_PARTITIONS": "4"])
        #expect(healthy.stdout.contains("OK    table layout     memories and history: 4 partitions by project"), "\(healthy.stdout)")

        // The memories are all there and found through the partitioned table.
        let server = try EngramProcess.start(dataDirectory: directory, logDirectory: directory, arguments: database)
        defer { server.kill(SIGTERM) }
        let search = try RawClient.request(port: server.port, "POST", "/search", body: #"{"query": "what does Bob drink", "agent_id": "bot"}"#)
        #expect((search.results.first?["memory"] as? String) == "Bob likes black tea.")

        for bad in ["1", "2000", "-3"] {
            let refused = try Self.engram(["migrate"] + database + ["--database-partitions=\(bad)"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("0 (one table) or 2–1,024"), "\(refused.stderr)")
        }
    }

    /// Export (while serve runs), import into an empty store, export again: the same memories,
    /// history and graph.
    func roundTrip(serveArguments: [String], target: [String], directory: URL) throws {
        let server = try EngramProcess.start(
            dataDirectory: directory.appendingPathComponent("source"), logDirectory: directory, arguments: serveArguments)
        defer { server.kill(SIGTERM) }
        try Self.populate(port: server.port)
        let source = ["--data-dir", directory.appendingPathComponent("source").path] + serveArguments
        let exported = try Self.engram(["export"] + source)
        #expect(exported.status == 0, "\(exported.stderr)")
        let first = try Self.records(exported.stdout)
        #expect(first.header["format"] as? String == "engram-export")
        #expect(first.header["embedding_model"] as? String == "sentence-transformers/all-MiniLM-L6-v2")
        #expect(first.records.count == 5, "\(first.records.count)")
        #expect(first.records.contains { ($0["relations"] as? [Any])?.isEmpty == false }, "no relations exported")
        #expect(first.records.contains { ($0["history"] as? [[String: Any]])?.contains { $0["event"] as? String == "UPDATE" } == true })
        let file = directory.appendingPathComponent("export.jsonl")
        try exported.stdout.write(to: file, atomically: true, encoding: .utf8)

        let imported = try Self.engram(["import", file.path, "--progress", "lines"] + target)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported \(first.records.count) memories, skipped 0"), "\(imported.stdout)")
        // Postgres builds the vector index of an empty store once, after the rows are in.
        #expect(imported.stdout.contains("its vector index was built once after the import") == target.contains("--database-url"),
                "\(imported.stdout)")
        let again = try Self.engram(["export"] + target)
        #expect(again.status == 0, "\(again.stderr)")
        let second = try Self.records(again.stdout)
        #expect(second.records.count == first.records.count)
        for (before, after) in zip(first.records, second.records) {
            #expect(NSDictionary(dictionary: before).isEqual(to: after), "\(before)\n!=\n\(after)")
        }
        // The imported memories are searchable at once, by a server on the target.
        let served = try EngramProcess.start(
            dataDirectory: URL(fileURLWithPath: target[1]), logDirectory: directory, arguments: Array(target.dropFirst(2)))
        defer { served.kill(SIGTERM) }
        let search = try RawClient.request(port: served.port, "POST", "/search", body: #"{"query": "what does Bob drink", "agent_id": "bot"}"#)
        #expect((search.results.first?["memory"] as? String) == "Bob likes black tea.")
    }

    @Test("export, import into an empty SQLite store and export again give the same memories, history and relations")
    func roundTripSQLite() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try roundTrip(serveArguments: [], target: ["--data-dir", directory.appendingPathComponent("target").path], directory: directory)
    }

    @Test("the round trip holds on Postgres too")
    func roundTripPostgres() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try EmbeddedPostgres.shared.makeDatabase()
        let target = try EmbeddedPostgres.shared.makeDatabase()
        try roundTrip(
            serveArguments: ["--database-url", source],
            target: ["--data-dir", directory.appendingPathComponent("target").path, "--database-url", target], directory: directory)
    }

    @Test("export --with-vectors carries each embedding; an import with the same embedder keeps them, another embeds again")
    func vectorsTravelWithTheExport() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let server = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("source"), logDirectory: directory)
            defer { server.kill(SIGTERM) }
            try Self.populate(port: server.port)
        }
        let source = ["--data-dir", directory.appendingPathComponent("source").path]
        let exported = try Self.engram(["export", "--with-vectors"] + source)
        #expect(exported.status == 0, "\(exported.stderr)")
        let original = try Self.records(exported.stdout)
        #expect(original.records.count == 5)
        let vectors = original.records.compactMap { $0["embedding"] as? String }
        #expect(vectors.count == 5)
        #expect(vectors.allSatisfy { Data(base64Encoded: $0)?.count == 384 * 4 })
        let plain = try Self.engram(["export"] + source)
        #expect(try Self.records(plain.stdout).records.allSatisfy { $0["embedding"] == nil })

        // A vector that is not the text's own (the next memory's) shows which vectors an import kept.
        let lines = exported.stdout.split(separator: "\n").map(String.init)
        let own = try #require(vectors.first { lines[1].contains($0) })
        let borrowed = try #require(vectors.first { lines[2].contains($0) })
        let tampered = [lines[0], lines[1].replacingOccurrences(of: own, with: borrowed)] + lines.dropFirst(2)
        let file = directory.appendingPathComponent("vectors.jsonl")
        try (tampered.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let firstID = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])["id"] as? String

        // Same embedder, into Postgres: every vector kept, the tampered one too.
        let postgres = ["--data-dir", directory.appendingPathComponent("pg").path, "--database-url", try EmbeddedPostgres.shared.makeDatabase()]
        let kept = try Self.engram(["import", file.path] + postgres)
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stdout.contains("Imported 5 memories, skipped 0"), "\(kept.stdout)")
        #expect(kept.stdout.contains("5 of them kept the vectors of the export"), "\(kept.stdout)")
        let fromPostgres = try Self.records(try Self.engram(["export", "--with-vectors"] + postgres).stdout).records
        for record in fromPostgres {
            let id = record["id"] as? String
            let expected = id == firstID ? borrowed : original.records.first { $0["id"] as? String == id }?["embedding"] as? String
            #expect(record["embedding"] as? String == expected, "\(id ?? "?")")
        }

        // An export naming another model: its vectors are not this embedder's, so every text is embedded again.
        let other = tampered.enumerated().map { index, line in
            index == 0 ? line.replacingOccurrences(of: "sentence-transformers/all-MiniLM-L6-v2", with: "another/model") : line
        }
        try (other.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let target = ["--data-dir", directory.appendingPathComponent("target").path]
        let embedded = try Self.engram(["import", file.path] + target)
        #expect(embedded.status == 0, "\(embedded.stderr)")
        #expect(embedded.stdout.contains("5 vectors of the export were embedded again"), "\(embedded.stdout)")
        let reembedded = try Self.records(try Self.engram(["export", "--with-vectors"] + target).stdout).records
        let firstVector = reembedded.first { $0["id"] as? String == firstID }?["embedding"] as? String
        // Embedded again from its text: the text's own vector (to float rounding), not the borrowed one.
        let floats = { (text: String?) -> [Float] in
            (Data(base64Encoded: text ?? "") ?? Data()).withUnsafeBytes { raw in
                (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
        }
        let cosine = zip(floats(firstVector), floats(own)).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(cosine > 0.999, "\(cosine)")

        // A vector that cannot be read, or has no direction, is a bad line.
        let broken = [lines[0], lines[1].replacingOccurrences(of: own, with: "not base64!"),
                      lines[2].replacingOccurrences(of: borrowed, with: Data(count: 384 * 4).base64EncodedString() /* all zeros */)]
        try (broken.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let refused = try Self.engram(["import", file.path, "--new-ids", "--data-dir", directory.appendingPathComponent("third").path])
        let said = refused.stdout + refused.stderr
        #expect(refused.stdout.contains("skipped 2"), "\(said)")
        #expect(said.contains("line 2: 'embedding' must be base64 of float32 values"), "\(said)")
        #expect(said.contains("line 3: 'embedding' is all zeros"), "\(said)")
    }

    @Test("import reads mem0's get_all results (platform and open-source shapes, array, object and JSON Lines)")
    func importsMem0() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = ["--data-dir", directory.appendingPathComponent("store").path]
        // The platform's v2 get_all answer (a list), with categories and an app.
        let platform = """
            [
              {"id": "7f4c2a0e-1c1d-4e55-9a0f-0d5c2b7e9a01", "memory": "Likes hiking in the Alps", "user_id": "dana",
               "app_id": "travel-app", "metadata": {"topic": "outdoors"}, "categories": ["hobbies", "Travel"],
               "created_at": "2025-03-01T10:20:30.123456-08:00", "updated_at": "2025-03-02T11:00:00.654321-08:00",
               "expiration_date": null, "immutable": false, "structured_attributes": {"day": 1}},
              {"id": "7f4c2a0e-1c1d-4e55-9a0f-0d5c2b7e9a02", "memory": "Is allergic to peanuts", "user_id": "dana",
               "created_at": "2025-03-03T09:00:00Z", "updated_at": null}
            ]
            """
        // The open-source Memory.get_all() answer: {"results": [...]}, its times with an offset.
        let oss = #"{"results": [{"id": "8a1d0c9e-2b3a-4c5d-8e9f-000000000001", "memory": "Prefers window seats", "hash": "x", "metadata": null, "created_at": "2025-01-05T08:00:00.000001-08:00", "updated_at": null, "user_id": "erin", "agent_id": "travel-bot", "role": "user"}]}"#
        let lines = [
            #"{"id": "9b2e1d0f-3c4b-4d6e-9fa0-000000000001", "memory": "Works night shifts", "user_id": "finn"}"#,
            #"{"memory": "Speaks Portuguese", "user_id": "finn", "created_at": "2025-02-02T02:02:02"}"#,
        ].joined(separator: "\n")
        for (name, text) in [("platform.json", platform), ("oss.json", oss), ("lines.jsonl", lines)] {
            let file = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let outcome = try Self.engram(["import", file.path, "--progress", "none"] + store)
            #expect(outcome.status == 0, "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.isEmpty || !outcome.stderr.contains("item"), "\(name): \(outcome.stderr)")
        }
        let exported = try Self.records(try Self.engram(["export"] + store).stdout).records
        #expect(exported.count == 5)
        let hiking = try #require(exported.first { $0["id"] as? String == "7f4c2a0e-1c1d-4e55-9a0f-0d5c2b7e9a01" })
        #expect(hiking["app_id"] as? String == "travel-app")
        #expect(hiking["categories"] as? [String] == ["hobbies", "travel"])
        #expect((hiking["metadata"] as? [String: Any])?["topic"] as? String == "outdoors")
        #expect(hiking["created_at"] as? String == "2025-03-01T18:20:30.123456+00:00")
        #expect((hiking["hash"] as? String)?.count == 32)
        #expect((hiking["history"] as? [[String: Any]])?.first?["event"] as? String == "ADD")
        let window = try #require(exported.first { $0["memory"] as? String == "Prefers window seats" })
        #expect(window["agent_id"] as? String == "travel-bot")
        #expect(window["created_at"] as? String == "2025-01-05T16:00:00.000001+00:00")
        #expect(window["hash"] as? String != "x", "the hash is the md5 of the text, not the file's")
        let portuguese = try #require(exported.first { $0["memory"] as? String == "Speaks Portuguese" })
        #expect(portuguese["created_at"] as? String == "2025-02-02T02:02:02.000000+00:00")
        // From standard input, into another project, with new ids.
        let piped = try Self.engram(["import", "-", "--project", "imported", "--new-ids", "--progress", "none"] + store, input: lines)
        #expect(piped.status == 0, "\(piped.stderr)")
        let inProject = try Self.records(try Self.engram(["export", "--project", "imported"] + store).stdout).records
        #expect(inProject.count == 2)
        #expect(!inProject.contains { $0["id"] as? String == "9b2e1d0f-3c4b-4d6e-9fa0-000000000001" })
        #expect(inProject.allSatisfy { $0["project"] as? String == "imported" })
    }

    @Test("a bad line is reported by number and skipped; with --strict nothing is written")
    func badLines() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = ["--data-dir", directory.appendingPathComponent("store").path]
        let lines = [
            #"{"memory": "Good one", "user_id": "gail"}"#,
            #"{"memory": "No scope at all"}"#,
            #"{"memory": "Broken JSON", "user_id": "#,
            "",
            #"{"memory": "Bad time", "user_id": "gail", "created_at": "yesterday"}"#,
            #"{"memory": 42, "user_id": "gail"}"#,
            #"{"id": "dup-1", "memory": "First of a pair", "user_id": "gail"}"#,
            #"{"id": "dup-1", "memory": "Second of a pair", "user_id": "gail"}"#,
            #"{"memory": "Bad metadata", "user_id": "gail", "metadata": [1]}"#,
            #"{"memory": "Another good one", "user_id": "gail", "state": "superseded"}"#,
        ].joined(separator: "\n")
        let file = directory.appendingPathComponent("mixed.jsonl")
        try lines.write(to: file, atomically: true, encoding: .utf8)

        let strict = try Self.engram(["import", file.path, "--strict", "--progress", "none"] + store)
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("nothing was imported"), "\(strict.stderr)")
        let empty = try Self.engram(["export"] + store)
        #expect(try Self.records(empty.stdout).records.isEmpty)

        let lenient = try Self.engram(["import", file.path, "--progress", "none"] + store)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        for expected in ["line 2: ", "line 3: not valid JSON", "line 5: 'created_at' is not an ISO-8601 time", "line 6: ",
                         "line 8: the id dup-1 appears twice", "line 9: 'metadata' must be an object"] {
            #expect(lenient.stderr.contains(expected), "missing '\(expected)' in \(lenient.stderr)")
        }
        #expect(!lenient.stderr.contains("line 1:") && !lenient.stderr.contains("line 7:") && !lenient.stderr.contains("line 10:"))
        #expect(lenient.stdout.contains("Imported 3 memories, skipped 6"), "\(lenient.stdout)")
        let kept = try Self.records(try Self.engram(["export"] + store).stdout).records.compactMap { $0["memory"] as? String }
        #expect(Set(kept) == ["Good one", "First of a pair", "Another good one"])
        let superseded = try Self.records(try Self.engram(["export"] + store).stdout).records.first { $0["memory"] as? String == "Another good one" }
        #expect(superseded?["state"] as? String == "superseded")
        // A JSON Lines file whose first line is broken is still read line by line.
        let brokenFirst = directory.appendingPathComponent("broken-first.jsonl")
        try "{\"memory\": \"cut off\n\n{\"memory\": \"Whole line\", \"user_id\": \"gail\"}\n".write(to: brokenFirst, atomically: true, encoding: .utf8)
        let broken = try Self.engram(["import", brokenFirst.path, "--progress", "none"] + store)
        #expect(broken.status == 0, "\(broken.stderr)")
        #expect(broken.stderr.contains("line 1: not valid JSON"), "\(broken.stderr)")
        #expect(broken.stdout.contains("Imported 1 memories, skipped 1"), "\(broken.stdout)")
        // Kept ids are taken now: a second import of the same file skips them, --new-ids takes them all.
        let twice = try Self.engram(["import", file.path, "--progress", "none"] + store)
        #expect(twice.stderr.contains("line 7: a memory with the id dup-1 exists already"), "\(twice.stderr)")
    }

    @Test("reindex re-embeds with a new embedder, resumes after a failure, and serve then starts with it")
    func reindex() throws {
        try FakeProviderServer.run { fake in
            let directory = Self.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = ["--data-dir", directory.appendingPathComponent("store").path]
            let seed = (0..<40).map { #"{"memory": "Fact number \#($0) about the garden", "user_id": "hana"}"# }.joined(separator: "\n")
            let file = directory.appendingPathComponent("seed.jsonl")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try seed.write(to: file, atomically: true, encoding: .utf8)
            #expect(try Self.engram(["import", file.path, "--progress", "none"] + store).status == 0)
            let remote = [
                "ENGRAM_EMBEDDER_PROVIDER": "openai", "ENGRAM_EMBEDDER_MODEL": "text-embedding-3-small",
                "ENGRAM_EMBEDDER_BASE_URL": fake.openAIBaseURL, "ENGRAM_EMBEDDER_API_KEY": "sk-test", "ENGRAM_EMBEDDER_DIMS": "8",
                "ENGRAM_EMBEDDER_TIMEOUT": "5",
            ]
            // The new embedder cannot serve the old vectors: serve refuses and names the way out.
            let refused = try Self.engram(["serve", "--port", "0"] + store, environment: remote)
            #expect(refused.status != 0)
            #expect((refused.stdout + refused.stderr).contains("engram reindex"))
            // Two batches answer, then the provider fails for good: the run stops, the old model stays.
            fake.enqueue(.openAIEmbeddings(dimension: 8), .openAIEmbeddings(dimension: 8), on: "/v1/embeddings")
            fake.setFallback(.error(status: 400, message: "quota exhausted"), on: "/v1/embeddings")
            let failed = try Self.engram(["reindex", "--batch-size", "10", "--progress", "lines"] + store, environment: remote)
            #expect(failed.status != 0)
            let doctor = try Self.engram(["doctor"] + store)
            #expect(doctor.stdout.contains("memories embedded with sentence-transformers/all-MiniLM-L6-v2"), "\(doctor.stdout)")
            // Resumed: only the 20 left are embedded.
            fake.setFallback(.openAIEmbeddings(dimension: 8), on: "/v1/embeddings")
            let resumed = try Self.engram(["reindex", "--batch-size", "10", "--progress", "none"] + store, environment: remote)
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(resumed.stdout.contains("Re-embedded 20 of 40 memories (20 kept from an earlier run)"), "\(resumed.stdout)")
            let server = try EngramProcess.start(
                dataDirectory: directory.appendingPathComponent("store"), logDirectory: directory, environment: remote)
            defer { server.kill(SIGTERM) }
            let search = try RawClient.request(port: server.port, "POST", "/search", body: #"{"query": "Fact number 7 about the garden", "user_id": "hana"}"#)
            #expect(search.status == 200)
            #expect(search.results.first?["memory"] as? String == "Fact number 7 about the garden")
        }
    }

    @Test("doctor passes on a working setup and fails, with a fix, on an LLM that refuses")
    func doctor() throws {
        try FakeProviderServer.run { fake in
            let directory = Self.scratch()
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = ["--data-dir", directory.path]
            let good = try Self.engram(["doctor"] + store)
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            for name in ["config", "kernels", "model files", "store", "embedder", "llm", "reranker"] {
                #expect(good.stdout.contains("OK    \(name)"), "no OK for \(name): \(good.stdout)")
            }
            fake.setFallback(.error(status: 401, message: "Incorrect API key provided"), on: "/v1/chat/completions")
            let llm = ["ENGRAM_LLM_PROVIDER": "openai", "ENGRAM_LLM_MODEL": "gpt-4.1-mini", "ENGRAM_LLM_BASE_URL": fake.openAIBaseURL,
                       "ENGRAM_LLM_API_KEY": "sk-wrong"]
            let bad = try Self.engram(["doctor"] + store, environment: llm)
            #expect(bad.status == 1)
            #expect(bad.stdout.contains("FAIL  llm"), "\(bad.stdout)")
            #expect(bad.stdout.contains("fix: check the model name"))
            let missing = try Self.engram(["doctor", "--model-dir", "/nonexistent/model"] + store)
            #expect(missing.status == 1)
            #expect(missing.stdout.contains("FAIL  model files"))
            #expect(missing.stdout.contains("make model"))
        }
    }

    @Test("backup copies a SQLite store while serve writes to it; Postgres is pointed to pg_dump")
    func backup() throws {
        let directory = Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try EngramProcess.start(dataDirectory: directory.appendingPathComponent("live"), logDirectory: directory)
        defer { server.kill(SIGTERM) }
        try Self.populate(port: server.port)
        let copy = directory.appendingPathComponent("copy/engram.sqlite")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        let outcome = try Self.engram(["backup", "--output", copy.path, "--data-dir", directory.appendingPathComponent("live").path])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let again = try Self.engram(["backup", "--output", copy.path, "--data-dir", directory.appendingPathComponent("live").path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists already"))
        let live = try Self.records(try Self.engram(["export", "--data-dir", directory.appendingPathComponent("live").path]).stdout)
        let copied = try Self.records(try Self.engram(["export", "--data-dir", copy.deletingLastPathComponent().path]).stdout)
        #expect(copied.records.count == live.records.count)
        let postgres = try Self.engram(["backup", "--output", directory.appendingPathComponent("pg").path,
                                        "--database-url", try EmbeddedPostgres.shared.makeDatabase()])
        #expect(postgres.status == 1)
        #expect(postgres.stderr.contains("pg_dump"))
    }
}
