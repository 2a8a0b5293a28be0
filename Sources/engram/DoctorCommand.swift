import ArgumentParser
import EngramCore
import EngramEmbedding
import EngramPostgres
import EngramProviders
import Foundation
import Logging

/// `engram doctor`: checks what `serve` would use (configuration, model files and kernels, the store,
/// the providers with one tiny call each) and prints one line per check with the fix for each failure.
/// Exit status 1 when any check fails.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, model files, embedder kernels, store and providers; exit status 1 on any failure.")

    @OptionGroup var engineOptions: EngineOptions

    enum Status: String {
        case ok = "OK"
        case warn = "WARN"
        case fail = "FAIL"
    }

    /// One check's verdict.
    struct Check {
        var name: String
        var status: Status
        var detail: String
        var fix: String?
        var seconds: Double?
    }

    func run() throws {
        var checks: [Check] = []
        func record(_ check: Check) {
            checks.append(check)
            var line = "\(check.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) "
                + "\(check.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(check.detail)"
            if let seconds = check.seconds { line += " (\(Self.milliseconds(seconds)))" }
            print(line)
            if let fix = check.fix, check.status != .ok { print("      fix: \(fix)") }
        }
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let value = try body()
            return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let environment = engineOptions.environment

        // Configuration.
        let file: ConfigFile
        do {
            file = try engineOptions.configFile()
            let path = engineOptions.config ?? environment["ENGRAM_CONFIG"]
            record(Check(name: "config", status: .ok, detail: path.map { "config file \($0) read" } ?? "no config file; flags, environment and defaults"))
        } catch {
            record(Check(name: "config", status: .fail, detail: "\(error)", fix: "correct the config file (docs/configuration.md lists every key)"))
            file = ConfigFile()
        }
        var llmSettings: ProviderSettings?
        var embedderSettings: ProviderSettings?
        var rerankerSettings: ProviderSettings?
        do {
            llmSettings = try ProviderOptions.llm(environment: environment, file: file)
            embedderSettings = try ProviderOptions.embedder(environment: environment, file: file)
            rerankerSettings = try ProviderOptions.reranker(environment: environment, file: file)
        } catch {
            record(Check(name: "providers", status: .fail, detail: "\(error)", fix: "correct the ENGRAM_LLM_*, ENGRAM_EMBEDDER_* or ENGRAM_RERANKER_* settings"))
        }

        // The local model and the kernels it runs on.
        let kernels = (try? engineOptions.resolvedEmbedKernels()) ?? .automatic
        let resolved = kernels.resolved
        record(Check(
            name: "kernels", status: .ok,
            detail: "\(resolved.name) (asked: \(kernels.name); automatic on this CPU: \(MatrixKernels.automatic.resolved.name), \(MatrixKernels.automaticChoice))"))
        var local: LocalEmbedder?
        do {
            let (loaded, seconds) = try timed { try engineOptions.localEmbedder() }
            local = loaded
            record(Check(name: "model files", status: .ok, detail: "\(loaded.modelID) loaded from \(engineOptions.resolvedModelDirectory)", seconds: seconds))
        } catch {
            let status: Status = embedderSettings == nil ? .fail : .warn
            record(Check(
                name: "model files", status: status, detail: "\(error)",
                fix: "run `make model` (fetches all-MiniLM-L6-v2 into ./models), or point --model-dir / ENGRAM_MODEL_DIR at its folder"))
        }

        // The store.
        var store: (any AdminStore)?
        do {
            let (opened, seconds) = try timed { try engineOptions.openStore() }
            store = opened
            let report = opened.migrationReport
            let statistics = try? opened.statistics()
            let memories = statistics.map { $0.memoriesByProject.values.reduce(0, +) }
            var detail = "\(engineOptions.databaseURL == nil ? "SQLite" : "Postgres") at \(engineOptions.storeLocation): "
                + "\(report.known.count) migrations applied"
            if !report.appliedAtOpen.isEmpty { detail += " (\(report.appliedAtOpen.count) just now)" }
            if let memories { detail += ", \(ProgressReporter.grouped(memories)) memories" }
            if let bytes = statistics?.bytes { detail += ", \(Self.size(bytes))" }
            record(Check(name: "store", status: opened.isReachable() ? .ok : .fail, detail: detail,
                         fix: "check that the database is up and the URL is right", seconds: seconds))
        } catch {
            record(Check(name: "store", status: .fail, detail: "\(error)",
                         fix: engineOptions.databaseURL == nil
                            ? "check that the data directory is writable (--data-dir / ENGRAM_DATA_DIR)"
                            : "check that Postgres is up, reachable and has pgvector, and the URL (--database-url / ENGRAM_DATABASE_URL)"))
        }
        if let postgres = store as? PostgresMemoryStore {
            let index = postgres.vectorIndexStatus
            if let built = index.built {
                var detail = built.description
                if let bytes = try? postgres.vectorIndexBytes() { detail += ", " + Self.size(Int64(bytes)) }
                if index.needsRebuild { detail += "; configured \(index.configured): run `engram migrate` to rebuild" }
                record(Check(name: "vector index", status: index.needsRebuild ? .warn : .ok, detail: detail,
                             fix: "run `engram migrate` with the same settings to rebuild the index in the configured shape"))
            } else {
                record(Check(name: "vector index", status: .ok, detail: "none yet (built when an embedder is first recorded)"))
            }
            if let layout = try? postgres.partitionStatus() {
                var detail = "memories and history: " + StoreOption.layout(layout.built)
                if let configured = layout.configured, layout.needsChange { detail += "; configured \(StoreOption.layout(configured)): run `engram migrate` to move the rows" }
                record(Check(name: "table layout", status: layout.needsChange ? .warn : .ok, detail: detail,
                             fix: "run `engram migrate` with the same settings (it locks the tables while it moves the rows)"))
            }
            do {
                let (status, seconds) = try timed { try postgres.replicaStatus() }
                if let status {
                    record(Check(
                        name: "read replica", status: status.isStandby ? .ok : .fail,
                        detail: status.isStandby
                            ? "a standby \(ProgressReporter.grouped(status.lagBytes)) bytes of WAL behind the primary"
                            : "the read URL names a server that is not a standby",
                        fix: "point --database-read-url / ENGRAM_DATABASE_READ_URL at a streaming replica of the database", seconds: seconds))
                }
            } catch {
                record(Check(name: "read replica", status: .fail, detail: "\(error)",
                             fix: "check that the replica is up and the read URL (--database-read-url / ENGRAM_DATABASE_READ_URL) is right"))
            }
        }
        // What /configure persisted wins over the environment, as at serve's start.
        if let store, let text = try? store.setting(MemoryService.overridesKey),
           case .object(let overrides)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) {
            func persisted(_ key: String, _ current: ProviderSettings?) -> ProviderSettings? {
                guard let value = overrides[key] else { return current }
                return value == .null ? nil : (try? ProviderSettings(json: value, section: key)) ?? current
            }
            llmSettings = persisted("llm", llmSettings)
            embedderSettings = persisted("embedder", embedderSettings).flatMap { $0.provider == "local" ? nil : $0 }
            rerankerSettings = persisted("reranker", rerankerSettings)
        }
        let remote = RemoteProviderFactory(logger: Logger(label: "engram.doctor"))

        // The embedder in use: one embedding, and the store's recorded model.
        var embedder: (any Embedder)? = local
        if let embedderSettings {
            do {
                embedder = try remote.embedder(embedderSettings)
            } catch {
                embedder = nil
                record(Check(name: "embedder", status: .fail, detail: "\(embedderSettings.provider): \(error)", fix: "correct the embedder settings"))
            }
        }
        if let embedder {
            do {
                let (vector, seconds) = try timed { try embedder.embed("engram doctor") }
                record(Check(name: "embedder", status: vector.count == embedder.dimension ? .ok : .fail,
                             detail: "\(embedder.modelID), dimension \(vector.count)", fix: "the embedder answers vectors of another size than it says",
                             seconds: seconds))
            } catch {
                record(Check(name: "embedder", status: .fail, detail: "\(embedder.modelID): \(error)",
                             fix: "check the embedder's URL and API key (ENGRAM_EMBEDDER_BASE_URL, ENGRAM_EMBEDDER_API_KEY)"))
            }
            if let store, let model = try? store.setting("embedding_model"), let dimension = try? store.setting("embedding_dimension") {
                let same = model == embedder.modelID && dimension == String(embedder.dimension)
                record(Check(
                    name: "store embedder", status: same ? .ok : .fail,
                    detail: same ? "memories embedded with \(model)" : "memories embedded with \(model) (dimension \(dimension)); configured: \(embedder.modelID) (dimension \(embedder.dimension))",
                    fix: "configure \(model) again, or run `engram reindex` to re-embed every memory with \(embedder.modelID)"))
            }
        }

        // The LLM: one tiny completion.
        var chat: (any ChatModel)?
        if let llmSettings {
            do {
                let model = try remote.chatModel(llmSettings)
                chat = model
                let (answer, seconds) = try timed {
                    try model.complete(ChatRequest(messages: [ChatMessage(role: .user, text: "Reply with the word OK.")], maxTokens: 5))
                }
                record(Check(name: "llm", status: .ok, detail: "\(model.modelID) answered \(answer.text.prefix(20).debugDescription)", seconds: seconds))
            } catch {
                record(Check(name: "llm", status: .fail, detail: "\(llmSettings.provider)/\(llmSettings.model ?? "?"): \(error)",
                             fix: "check the model name, ENGRAM_LLM_API_KEY (or the provider's key variable) and ENGRAM_LLM_BASE_URL"))
            }
        } else {
            record(Check(name: "llm", status: .ok, detail: "none configured: adds use the built-in heuristic extractor"))
        }

        // The reranker: one query and one document.
        if let rerankerSettings {
            do {
                let reranker: any Reranker
                if rerankerSettings.provider == "llm" {
                    guard let chat else { throw MemoryError.invalid("the llm reranker needs an LLM configured") }
                    reranker = LLMReranker(model: chat)
                } else if rerankerSettings.provider == "local" {
                    guard let folder = rerankerSettings.model else { throw MemoryError.invalid("the local reranker needs the folder of a cross-encoder as its model") }
                    reranker = try LocalCrossEncoder(configuration: .init(modelDirectory: folder, threads: 1, kernels: kernels))
                } else {
                    reranker = try remote.reranker(rerankerSettings)
                }
                let (scores, seconds) = try timed { try reranker.scores(query: "engram doctor", documents: ["a check of the reranker"]) }
                record(Check(name: "reranker", status: scores.count == 1 ? .ok : .fail, detail: "\(reranker.modelID) scored 1 document",
                             fix: "the reranker answered \(scores.count) scores for 1 document", seconds: seconds))
            } catch {
                record(Check(name: "reranker", status: .fail, detail: "\(rerankerSettings.provider): \(error)",
                             fix: "check the reranker's model, URL and API key (ENGRAM_RERANKER_*)"))
            }
        } else {
            record(Check(name: "reranker", status: .ok, detail: "none configured (rerank: true is refused)"))
        }

        let failed = checks.filter { $0.status == .fail }.count
        print(failed == 0 ? "All \(checks.count) checks passed." : "\(failed) of \(checks.count) checks failed.")
        if failed > 0 { throw ExitCode(1) }
    }

    static func milliseconds(_ seconds: Double) -> String {
        seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.2f s", seconds)
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f ", value) + units[unit]
    }
}
