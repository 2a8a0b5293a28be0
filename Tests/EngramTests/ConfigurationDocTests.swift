import Foundation
import Testing

/// docs/configuration.md against the code: every environment variable the sources read, every flag of
/// every command and every config-file key is on the page (in backticks), so the page cannot fall
/// behind a new setting.
@Suite("docs/configuration.md")
struct ConfigurationDocTests {
    static let root = Mem0ClientTests.root

    static func page() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
    }

    /// Every Swift source of the server.
    static func sources() throws -> [String] {
        let base = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        return try files.map { try String(contentsOf: base.appendingPathComponent($0), encoding: .utf8) }
    }

    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test("names every environment variable the server reads")
    func environmentVariables() throws {
        let page = try Self.page()
        var names: Set<String> = []
        for source in try Self.sources() {
            // Spelled out in a string literal (prefixes such as "ENGRAM_LLM_" are expanded below).
            for name in try Self.matches(#""(ENGRAM_[A-Z0-9_]*[A-Z0-9])""#, in: source) { names.insert(name) }
            // Read through `setting(flag, "name")` / `integer(flag, "name")`: ENGRAM_<NAME>.
            for name in try Self.matches(#"(?:setting|integer)\([^,()]+, "([a-z_]+)"\)"#, in: source) {
                names.insert("ENGRAM_" + name.uppercased())
            }
        }
        for prefix in ["LLM", "EMBEDDER", "RERANKER"] {
            for suffix in ["PROVIDER", "MODEL", "BASE_URL", "API_KEY", "TIMEOUT"] { names.insert("ENGRAM_\(prefix)_\(suffix)") }
        }
        names.formUnion(["ENGRAM_EMBEDDER_DIMS", "ENGRAM_LLM_ENABLE_VISION"])
        #expect(names.count > 30, "the scan found too few: \(names.sorted())")
        let missing = names.filter { !page.contains("`\($0)`") }.sorted()
        #expect(missing.isEmpty, "docs/configuration.md does not name \(missing)")
    }

    @Test("names every flag of every command")
    func flags() throws {
        let page = try Self.page()
        let commands = [["serve"], ["migrate"], ["reindex"], ["export"], ["import"], ["doctor"], ["backup"],
                        ["keys", "create"], ["keys", "list"], ["keys", "revoke"]]
        var missing: [String] = []
        for command in commands {
            let help = try AdminCommandsTests.engram(command + ["--help"])
            #expect(help.status == 0, "\(command) --help: \(help.stderr)")
            let flags = Set(try Self.matches(#"(--[a-z][a-z0-9-]+)"#, in: help.stdout + help.stderr))
            #expect(flags.count >= 2, "\(command): no flags found in its help")
            for flag in flags.sorted() where !page.contains("`\(flag)`") && !page.contains("`\(flag) ") {
                missing.append("\(command.joined(separator: " ")) \(flag)")
            }
        }
        #expect(missing.isEmpty, "docs/configuration.md does not name \(missing)")
    }

    @Test("names every key of the config file")
    func configKeys() throws {
        let page = try Self.page()
        let file = try String(contentsOf: Self.root.appendingPathComponent("Sources/engram/ConfigFile.swift"), encoding: .utf8)
        let block = try #require(file.range(of: "serverKeys: Set<String> = [").map { file[$0.upperBound...] }?.prefix { $0 != "]" })
        let keys = try Self.matches(#""([a-z_]+)""#, in: String(block))
        #expect(keys.count > 10)
        let missing = (keys + ["llm", "embedder", "reranker", "custom_instructions"]).filter { !page.contains("`\($0)`") }
        #expect(missing.isEmpty, "docs/configuration.md does not name the config keys \(missing)")
    }
}
