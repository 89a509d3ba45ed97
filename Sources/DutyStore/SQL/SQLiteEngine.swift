import Foundation
import GRDB

/// The state in one SQLite file (WAL; GRDB): the engine for one machine.
final class SQLiteEngine: SQLEngine {
    let writer: any DatabaseWriter
    /// The file, or `nil` in memory.
    let path: String?

    var name: String { path ?? "state store" }

    /// Opens (creating it and its folder if needed) and migrates the store at `path`.
    init(path: String) throws(StoreError) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StoreError(
                    .unavailable,
                    "\(path): cannot create the folder \(folder): \(error.localizedDescription)"
                )
            }
        }
        do {
            var config = Configuration()
            config.busyMode = .timeout(5)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            writer = try DatabasePool(path: path, configuration: config)
            self.path = path
            // Migrating takes the write lock; a store that is up to date is only read, so questions
            // still work while another program holds that lock.
            let migrator = Self.migrator
            if try !writer.read({ try migrator.hasCompletedMigrations($0) }) { try migrator.migrate(writer) }
        } catch {
            throw StoreError(.unavailable, "\(path): cannot open the state store: \(Self.describe(error, path: path))")
        }
    }

    /// An empty store in memory, for tests.
    init() throws(StoreError) {
        do {
            writer = try DatabaseQueue()
            path = nil
            try Self.migrator.migrate(writer)
        } catch {
            throw StoreError(.unavailable, "cannot create an in-memory store: \(Self.describe(error))")
        }
    }

    func read<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try mapped { try writer.read { try body(Session(db: $0)) } }
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try mapped { try writer.write { try body(Session(db: $0)) } }
    }

    /// Synced to disk before it is acknowledged (`synchronous = FULL` for its commit), so a `done`
    /// that `dutyctl` reported is never lost to a power cut; the daemon's own bookkeeping keeps
    /// `NORMAL`, where a power cut can cost a repeated notice but never a user's word. `IMMEDIATE`
    /// takes the write lock first: one change at a time.
    func change<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try mapped {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                defer { try? db.execute(sql: "PRAGMA synchronous = NORMAL") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(Session(db: db))
                    return .commit
                }
                return result!
            }
        }
    }

    func close() {}

    /// SQLite's `AUTOINCREMENT` notes the largest number inserted by itself.
    func advance(_ db: any SQLSession, _ table: String, _ column: String) throws {}

    private func mapped<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch let e as StoreError {
            throw e
        } catch let e as SQLColumnError {
            throw StoreError(.damaged, "\(name): \(e); the file was changed outside dutyd")
        } catch {
            throw StoreError(.unavailable, "\(name): \(Self.describe(error, path: path))")
        }
    }

    /// One connection in a transaction. Statements with arguments are cached by their text, so a
    /// bulk write prepares its statement once.
    struct Session: SQLSession {
        let db: Database

        func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
            if arguments.isEmpty {
                try db.execute(sql: sql)
            } else {
                try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            }
            return db.changesCount
        }

        func insert(into table: String, _ columns: [String], _ rows: [[SQLValue]], suffix: String) throws {
            let statement = try db.cachedStatement(
                sql:
                    "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders(columns.count))) \(suffix)"
            )
            for row in rows { try statement.execute(arguments: Self.arguments(row)) }
        }

        func each(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws {
            let statement = try db.cachedStatement(sql: sql)
            let rows = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
            while let row = try rows.next() { try body(StoredRow(row: row)) }
        }

        static func arguments(_ values: [SQLValue]) -> StatementArguments {
            StatementArguments(
                values.map { (v: SQLValue) -> DatabaseValue in
                    switch v {
                    case .null: .null
                    case .integer(let i): i.databaseValue
                    case .text(let s): s.databaseValue
                    }
                }
            )
        }
    }

    struct StoredRow: SQLRow {
        let row: Row

        func text(_ column: Int) throws -> String? {
            let value: DatabaseValue = row[column]
            switch value.storage {
            case .null: return nil
            case .string(let s): return s
            default: throw SQLColumnError(column: column, expected: "text")
            }
        }

        func integer(_ column: Int) throws -> Int64? {
            let value: DatabaseValue = row[column]
            switch value.storage {
            case .null: return nil
            case .int64(let i): return i
            default: throw SQLColumnError(column: column, expected: "an integer")
            }
        }
    }

    /// Whether the file system holding `path` has less than 1 MiB free.
    static func isFull(_ path: String) -> Bool {
        let folder = (path as NSString).deletingLastPathComponent
        var st = statvfs()
        guard statvfs(folder.isEmpty ? "." : folder, &st) == 0 else { return false }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize) < 1 << 20
    }

    /// What went wrong, and for the faults an operator meets (a full disk, a lock held by another
    /// program) what to do; the transaction was rolled back, so nothing was half written.
    static func describe(_ error: any Error, path: String? = nil) -> String {
        guard let e = error as? DatabaseError else { return "\(error)" }
        let what = e.message ?? "\(e.resultCode)"
        // A full disk shows as SQLITE_FULL while writing, but as an I/O error when the -shm file
        // cannot even be made: look at the file system itself.
        if e.resultCode == .SQLITE_FULL || (e.resultCode == .SQLITE_IOERR && path.map(Self.isFull) == true) {
            return
                "\(what): the file system holding the state store is full; nothing was changed. Free space there (df, du), then try again"
        }
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return
                "\(what): another program has held the state store's lock for more than 5 s (a backup, an sqlite3 shell?); nothing was changed. Try again when it lets go (fuser, lsof name it)"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return
                "\(what): dutyd cannot write the state store or its folder; nothing was changed. Check the owner and mode of the folder and its -wal and -shm files (systemd: StateDirectory=dutyd)"
        case .SQLITE_IOERR:
            return
                "\(what): the disk failed a read or write; nothing was changed. Check the kernel log (journalctl -k) and the file system"
        default:
            return what
        }
    }
}
