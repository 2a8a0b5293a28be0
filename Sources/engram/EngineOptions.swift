import ArgumentParser
import EngramCore
import EngramEmbedding
import EngramProviders
import Foundation
import Logging

/// What every command needs to reach the memories: the data directory or database, the config file,
/// and the embedder (the local model's folder, its threads and kernels, or `ENGRAM_EMBEDDER_*`).
/// `serve` and the admin commands read these the same way: the flag, else `ENGRAM_<NAME>`, else the
/// config file's `<name>`, else the default.
struct EngineOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for Engram's data (env ENGRAM_DATA_DIR; default ./data).")
    var dataDirectory: String?

    @Option(
        name: .customLong("model-dir"),
        help: "Folder of the local embedding model (env ENGRAM_MODEL_DIR; default ./models/all-MiniLM-L6-v2)."
    )
    var modelDirectory: String?

    @Option(help: "A YAML or JSON config file (env ENGRAM_CONFIG); flags and environment variables override it.")
    var config: String?

    @Option(
        name: .customLong("embed-threads"),
        help: "Cores one local embedding may use (env ENGRAM_EMBED_THREADS; default half the cores, at least 1)."
    )
    var embedThreads: Int?

    @Option(
        name: .customLong("embed-kernels"),
        help: """
            Code of the local embedder's linear layers: automatic, amx-bf16, avx512-bf16, avx512, avx2 (x86), \
            neon-bf16, neon (arm64) or portable (env ENGRAM_EMBED_KERNELS; default automatic, the fastest this \
            CPU runs). avx512 and neon keep every product in float; amx-bf16, avx512-bf16 and neon-bf16 round \
            weights and inputs to bfloat16 (cosine >= 0.9999 to the float model). On this CPU automatic \
            runs \(MatrixKernels.automatic.resolved.name) (`engram --version` says why).
            """
    )
    var embedKernels: String?

    @OptionGroup var storeOption: StoreOption

    func validate() throws {
        do {
            _ = try configFile()
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        }
        if let embedThreads = try resolvedEmbedThreads(), embedThreads < 1 {
            throw ValidationError("--embed-threads must be at least 1.")
        }
        _ = try resolvedEmbedKernels()
    }

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The config file, when one is named; its errors surface in `validate()`.
    func configFile() throws -> ConfigFile {
        guard let path = config ?? environment["ENGRAM_CONFIG"], !path.isEmpty else { return ConfigFile() }
        return try ConfigFile(path: path)
    }

    /// A setting: the flag, else `ENGRAM_<NAME>`, else the config file's `<name>`.
    func setting(_ flag: String?, _ name: String) -> String? {
        flag ?? environment["ENGRAM_" + name.uppercased()] ?? (try? configFile())?.string(name)
    }

    /// An integer setting (`setting`), refused when it is not one.
    func integer(_ flag: Int?, _ name: String) throws -> Int? {
        if let flag { return flag }
        guard let text = setting(nil, name) else { return nil }
        guard let value = Int(text) else { throw ValidationError("ENGRAM_\(name.uppercased()) must be an integer, got '\(text)'.") }
        return value
    }

    var resolvedDataDirectory: String { setting(dataDirectory, "data_dir") ?? "./data" }

    var resolvedModelDirectory: String {
        setting(modelDirectory, "model_dir") ?? LocalEmbedder.Configuration.defaultModelDirectory
    }

    func resolvedEmbedThreads() throws -> Int? {
        try integer(embedThreads, "embed_threads")
    }

    /// The embedder's kernels as asked for; a path this CPU lacks falls back to the next one down.
    func resolvedEmbedKernels() throws -> MatrixKernels {
        let text = setting(embedKernels, "embed_kernels") ?? "automatic"
        guard let kernels = MatrixKernels(name: text) else {
            let known = MatrixKernels.allCases.map(\.name).joined(separator: ", ")
            throw ValidationError("Unknown embed kernels '\(text)'; use one of \(known).")
        }
        return kernels
    }

    /// The Postgres URL in effect, if any (flag, environment, config file).
    var databaseURL: String? { storeOption.resolvedURL(fallback: (try? configFile())?.string("database_url")) }

    /// Where memories live, for messages: the SQLite directory or the URL without its password.
    var storeLocation: String {
        storeOption.location(dataDirectory: resolvedDataDirectory, fallbackURL: (try? configFile())?.string("database_url"))
    }

    /// Opens the store (creating the data directory for SQLite), migrations applied.
    func openStore() throws -> any AdminStore {
        let directory = resolvedDataDirectory
        if databaseURL == nil {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ValidationError("Cannot create the data directory '\(directory)': \(error.localizedDescription)")
            }
        }
        do {
            return try storeOption.openStore(dataDirectory: directory, fallbackURL: (try? configFile())?.string("database_url"))
        } catch let error as MemoryError {
            throw CommandFailure("Cannot open the memory store at \(storeLocation): \(error.message)")
        }
    }

    /// The local embedding model, loaded; `allCores` (for batch commands, which have the machine to
    /// themselves) sets the default threads to every core instead of half.
    func localEmbedder(allCores: Bool = false) throws -> LocalEmbedder {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = try resolvedEmbedThreads() ?? (allCores ? cores : ServeCommand.defaultEmbedThreads(cores: cores))
        do {
            return try LocalEmbedder(configuration: .init(
                modelDirectory: resolvedModelDirectory, threads: threads, kernels: try resolvedEmbedKernels()))
        } catch let error as EmbeddingModelError {
            throw ValidationError(error.description)
        }
    }

    /// The embedder `serve` would use on `store`: a persisted `POST /configure` choice, else
    /// `ENGRAM_EMBEDDER_*` / the config file's `embedder`, else the local model (loaded only then).
    /// With `preferConfigured` (reindex: the operator names the embedder to move to), an embedder named
    /// in the environment or the config file wins over the persisted one.
    func configuredEmbedder(store: any MemoryStore, allCores: Bool = false, preferConfigured: Bool = false) throws -> any Embedder {
        var settings: ProviderSettings?
        do {
            let file = try configFile()
            settings = try ProviderOptions.embedder(environment: environment, file: file)
            let named = environment["ENGRAM_EMBEDDER_PROVIDER"].map { !$0.isEmpty } ?? false || file.values["embedder"] != nil
            if !(preferConfigured && named), let persisted = try persistedEmbedder(store: store) {
                settings = persisted == .null ? nil : try ProviderSettings(json: persisted, section: "embedder")
                if settings?.provider == "local" { settings = nil }
            }
        } catch let error as ConfigError {
            throw ValidationError(error.description)
        } catch let error as MemoryError {
            throw ValidationError(error.message)
        }
        guard let settings else { return try localEmbedder(allCores: allCores) }
        do {
            let remote = RemoteProviderFactory(logger: Logger(label: "engram.providers"))
            return try EngineProviderFactory(local: UnavailableEmbedder(), remote: remote).embedder(settings)
        } catch let error as ProviderError {
            throw ValidationError("The configured embedder cannot be used: \(error.message)")
        }
    }

    /// The embedder `POST /configure` stored in the store's settings, if any.
    func persistedEmbedder(store: any MemoryStore) throws -> JSONValue? {
        guard let text = try store.setting(MemoryService.overridesKey),
              case .object(let overrides)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        else { return nil }
        return overrides["embedder"]
    }

    /// Forgets the embedder `POST /configure` stored (after a reindex moved the memories to another one,
    /// so `serve` starts with the embedder they are made with).
    func forgetPersistedEmbedder(store: any MemoryStore) throws {
        guard let text = try store.setting(MemoryService.overridesKey),
              case .object(var overrides)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)),
              overrides.removeValue(forKey: "embedder") != nil
        else { return }
        try store.setSetting(MemoryService.overridesKey, value: String(decoding: JSONValue.object(overrides).jsonBytes, as: UTF8.self))
    }
}

/// Stands in for the local model where a remote embedder is configured, so it is not loaded for nothing.
private struct UnavailableEmbedder: Embedder {
    var modelID: String { "local/unavailable" }
    var dimension: Int { 0 }
    func embed(_ text: String) throws -> [Float] { throw MemoryError.invalid("The local embedder is not loaded") }
    func embed(batch texts: [String]) throws -> [[Float]] { throw MemoryError.invalid("The local embedder is not loaded") }
    func tokenCount(of text: String) -> Int { 0 }
}
