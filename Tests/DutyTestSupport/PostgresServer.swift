import CProcess
package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster for this test process, from Debian's `postgresql` package (which
/// `make test` installs): `initdb` in a folder of the scratch folder, the server on a Unix socket
/// there only (no TCP port to collide with), run as user postgres when the tests run as root. It is
/// started by the first test that asks, and stopped with its folder removed when the process exits.
/// Each test takes a database of its own (`newDatabase`), so tests do not see each other's rows.
package final class PostgresServer: Sendable {
    /// The folder holding the cluster (`data`), its socket and its log.
    package let folder: String
    package var socketFolder: String { folder }
    let bin: String
    let user: String
    /// The port its socket (and TCP, when asked) is named by.
    nonisolated(unsafe) package private(set) var port = 5432

    /// The server of this process, started on first use; throws (with what to install) when
    /// PostgreSQL is not on the machine: the tests then fail, they are never skipped.
    package static func shared() throws -> PostgresServer {
        try started.get()
    }

    private static let started: Result<PostgresServer, ToolError> = {
        do {
            return .success(try PostgresServer(name: "postgresql"))
        } catch let e as ToolError {
            return .failure(e)
        } catch {
            return .failure(ToolError("cannot start PostgreSQL: \(error)"))
        }
    }()

    /// A cluster of the caller's own (a test that stops and starts its server must not take the
    /// shared one from the tests running beside it), stopped at exit like the shared one.
    package static func own(_ name: String) throws -> PostgresServer {
        try PostgresServer(name: "postgresql-\(name)")
    }

    /// Settings the server is started again with (`-c key=value`, e.g. TCP and TLS), after
    /// `configure` has written the files they name into its folder.
    package func restart(with settings: [String]) throws {
        try stop()
        if let p = settings.first(where: { $0.hasPrefix("port=") }).flatMap({ Int($0.dropFirst(5)) }) { port = p }
        try start(settings)
    }

    /// Makes `path` the server's own (owner postgres, mode 0600), as it wants its TLS key.
    package func own(file path: String) {
        if geteuid() == 0, let pw = getpwnam("postgres") { chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
        chmod(path, 0o600)
    }

    /// The clusters this process started, stopped when it exits.
    nonisolated(unsafe) private static var folders: [String] = []
    private static let foldersLock = NSLock()
    private static let stopAtExit: Void = {
        atexit {
            PostgresServer.foldersLock.lock()
            let all = PostgresServer.folders
            PostgresServer.foldersLock.unlock()
            for folder in all {
                _ = try? PostgresServer.runAsOwner(
                    PostgresServer.binFolder()! + "/pg_ctl",
                    ["-D", folder + "/data", "-m", "immediate", "-w", "stop"]
                )
            }
        }
    }()

    /// The newest installed PostgreSQL's programs.
    static func binFolder() -> String? {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        return versions.compactMap(Int.init).max().map { "/usr/lib/postgresql/\($0)/bin" }
    }

    private init(name: String) throws {
        guard let bin = Self.binFolder(), FileManager.default.isExecutableFile(atPath: bin + "/initdb") else {
            throw ToolError(
                "PostgreSQL is not installed: the PostgreSQL store tests need Debian's postgresql package (make deps installs it)"
            )
        }
        self.bin = bin
        user = "postgres"
        folder = scratchDirectory.appendingPathComponent(name).path
        Self.stopAtExit
        Self.foldersLock.lock()
        Self.folders.append(folder)
        Self.foldersLock.unlock()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if geteuid() == 0 {
            guard let pw = getpwnam("postgres") else {
                throw ToolError(
                    "there is no user postgres to run the test server as (Debian's postgresql package makes it)"
                )
            }
            chown(folder, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        chmod(folder, 0o755)
        let initdb = try Self.runAsOwner(
            bin + "/initdb",
            ["-D", folder + "/data", "--auth=trust", "--username=postgres", "-E", "UTF8", "--locale=C.UTF-8", "-N"]
        )
        guard initdb.status == 0 else { throw ToolError("initdb failed: \(initdb.err)") }
        try start()
    }

    /// Starts the server (again) on its socket alone, waiting until it accepts connections.
    package func start() throws {
        try start(["listen_addresses=''", "max_connections=200"])
    }

    /// Starts the server with `settings` (`-c key=value`) beside its socket folder, waiting until it
    /// accepts connections: up to 3 minutes, as at the suite's start many clusters, daemons and a
    /// browser start at once on 2 cores (60 s was once too few).
    private func start(_ settings: [String]) throws {
        let r = try Self.runAsOwner(
            bin + "/pg_ctl",
            [
                "-D", folder + "/data", "-l", folder + "/server.log", "-w", "-t", "180",
                "-o", (["-k \(folder) -c fsync=off"] + settings.map { "-c \($0)" }).joined(separator: " "), "start",
            ]
        )
        guard r.status == 0 else {
            let log = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
            throw ToolError("pg_ctl start failed: \(r.err)\n\(log.suffix(2_000))")
        }
    }

    /// Stops the server (`fast`: connections are ended, as at a restart).
    package func stop() throws {
        let r = try Self.runAsOwner(bin + "/pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "stop"])
        guard r.status == 0 else { throw ToolError("pg_ctl stop failed: \(r.err)") }
    }

    /// A new empty database; its connection string for `state`. Connections wait up to 60 s, not
    /// the default 10: at the suite's start, dozens of processes share the 2 cores with the server,
    /// and a connection once took longer than 10 s to be accepted.
    package func newDatabase() throws -> String {
        let name = "t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        try sql("CREATE DATABASE \(name)", database: "postgres")
        return "host=\(folder) port=\(port) dbname=\(name) user=postgres connect_timeout=60"
    }

    /// Runs SQL with psql on `database` (what a person editing rows by hand would do); its output.
    /// The version's own psql, not /usr/bin/psql: that is Debian's pg_wrapper, a Perl program, and
    /// `psql --version` through it took 36 ms of processor time instead of 7 (tests poll with psql).
    @discardableResult
    package func sql(_ statements: String, database: String) throws -> String {
        let r = try Self.spawn(
            bin + "/psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", "\(port)", "-U", "postgres", "-d",
                database,
            ],
            input: Array(statements.utf8)
        )
        guard r.status == 0 else { throw ToolError("psql: \(r.err)") }
        return r.out
    }

    /// The database a connection string of `newDatabase` names.
    package static func database(of state: String) -> String {
        state.split(separator: " ").first { $0.hasPrefix("dbname=") }.map { String($0.dropFirst(7)) } ?? "postgres"
    }

    /// Runs a PostgreSQL program as the cluster's owner (postgres, when the tests run as root).
    static func runAsOwner(_ program: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
        if geteuid() == 0 {
            return try spawn("/usr/sbin/runuser", ["-u", "postgres", "--", program] + args)
        }
        return try spawn(program, args)
    }

    /// Runs a program to its end with posix_spawn and waitpid, its input from a file and its output
    /// (stdout and stderr together) to one. Not Foundation's `Process`: that waits for its child on a
    /// libdispatch thread, and the tests that wait for the server's start hold those threads (a
    /// deadlock, seen). Every other descriptor is closed in the child (`duty_spawn`): the server would
    /// otherwise keep the pipes of programs other tests start meanwhile, and their readers would
    /// wait for an end of file that never comes (seen too).
    static func spawn(
        _ program: String,
        _ args: [String],
        input: [UInt8] = []
    ) throws -> (
        status: Int32, out: String, err: String
    ) {
        let base = scratchDirectory.appendingPathComponent("pg-\(UUID().uuidString)").path
        defer { for s in [".in", ".out"] { unlink(base + s) } }
        try Data(input).write(to: URL(fileURLWithPath: base + ".in"))
        let inFD = open(base + ".in", O_RDONLY | O_CLOEXEC)
        let outFD = open(base + ".out", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer {
            close(inFD)
            close(outFD)
        }
        guard inFD >= 0, outFD >= 0 else { throw ToolError("cannot open \(base): \(String(cString: strerror(errno)))") }
        let argv = ([program] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = duty_spawn(argv, environ, inFD, outFD, &pid)
        guard rc == 0 else { throw ToolError("cannot run \(program): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let exited = status & 0x7f == 0
        return (
            exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), out, exited && (status >> 8) & 0xff == 0 ? "" : out
        )
    }
}
