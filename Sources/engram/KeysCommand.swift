import ArgumentParser
import EngramCore
import Foundation

/// `engram keys create|list|revoke`: the project API keys of a store, over the same store settings as
/// `engram serve` (a running server sees a change on its next request).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke project API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// The store the keys live in, found as `engram serve` finds it.
    struct StoreLocation: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "Directory for Engram's data (env ENGRAM_DATA_DIR; default ./data).")
        var dataDirectory: String?

        @Option(help: "A YAML or JSON config file (env ENGRAM_CONFIG).")
        var config: String?

        @OptionGroup var storeOption: StoreOption

        func keyRing() throws -> KeyRing {
            let environment = ProcessInfo.processInfo.environment
            let file: ConfigFile
            do {
                file = try (config ?? environment["ENGRAM_CONFIG"]).map { try ConfigFile(path: $0) } ?? ConfigFile()
            } catch let error as ConfigError {
                throw ValidationError(error.description)
            }
            let directory = dataDirectory ?? environment["ENGRAM_DATA_DIR"] ?? file.string("data_dir") ?? "./data"
            do {
                return KeyRing(store: try storeOption.openStore(dataDirectory: directory, fallbackURL: file.string("database_url")))
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("Cannot open the memory store in '\(directory)': \(error)")
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key of a project; prints the key (shown once) on stdout, its id on stderr.")

        @Option(help: "The project the key acts for (letters, digits, '_', '-', '.').")
        var project: String

        @Flag(help: "The key may also use server-wide routes (/configure, /admin/*, /reset).")
        var admin = false

        @OptionGroup var location: StoreLocation

        func run() throws {
            do {
                let (record, key) = try location.keyRing().create(project: project, admin: admin)
                FileHandle.standardError.write(Data("Created key \(record.id) of project '\(record.project)'\(admin ? " (admin)" : "")\n".utf8))
                print(key)
            } catch let error as MemoryError {
                throw ValidationError(error.message)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys: id, project, admin, prefix, created.")

        @OptionGroup var location: StoreLocation

        func run() throws {
            let keys = try location.keyRing().list()
            if keys.isEmpty { FileHandle.standardError.write(Data("No keys\n".utf8)) }
            for key in keys {
                print([key.id, key.project, key.admin ? "admin" : "-", key.prefix + "…", ISO8601DateFormatter().string(from: key.createdAt)]
                    .joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id; it is refused from the next request on.")

        @Argument(help: "The key's id (from `engram keys list`).")
        var id: String

        @OptionGroup var location: StoreLocation

        func run() throws {
            guard try location.keyRing().revoke(id: id) else { throw ValidationError("No key with id '\(id)'.") }
            FileHandle.standardError.write(Data("Revoked key \(id)\n".utf8))
        }
    }
}
