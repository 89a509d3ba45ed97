import DutyCalendar
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The state in a PostgreSQL database (postgres-nio): the engine for several dutyd. The store's
/// calls are blocking, as with SQLite, and are made off the event loops (NIO's pool for blocking
/// work, the daemon's own threads); each waits on postgres-nio's futures with a bound, so a server
/// that stops answering makes an error, never a hang. A few connections are kept and shared.
final class PostgresEngine: SQLEngine {
    let location: PostgresLocation
    var name: String { location.name }
    let pool: Pool

    /// The longest any one statement may take before the store gives up on it (and on its connection).
    static let statementBound: TimeAmount = .seconds(120)
    /// How long a change waits for another process's change before it is refused.
    static let lockTimeout = "5s"
    /// Advisory lock keys (one 64-bit space per database): migrations, and one change at a time.
    static let migrationLock: Int64 = 0x6475_7479_0000_0001
    static let changeLock: Int64 = 0x6475_7479_0000_0002

    static let logger = Logger(label: "dutyd.store.postgres") { _ in SwiftLogNoOpLogHandler() }

    init(_ location: PostgresLocation, connections: Int = 8) throws(StoreError) {
        self.location = location
        pool = Pool(limit: connections) { () throws(StoreError) -> PostgresConnection in try Self.connect(location) }
        try migrate()
    }

    deinit { pool.closeAll() }

    func close() { pool.closeAll() }

    func advance(_ db: any SQLSession, _ table: String, _ column: String) throws {
        try db.execute(
            "SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce(max(\(column)), 0) + 1, false) FROM \(table)"
        )
    }

    // MARK: Transactions

    func read<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try transaction(["BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"], body)
    }

    func write<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try transaction(["BEGIN"], body)
    }

    /// One change at a time across every dutyd and dutyctl on the database: a transaction lock that
    /// the commit lets go of. `synchronous_commit` is the server's (on by default: durable).
    func change<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        try transaction(["BEGIN", "SELECT pg_advisory_xact_lock(\(Self.changeLock))"], body)
    }

    /// How long a transaction's first statement (a BEGIN, which a live server answers at once) and a
    /// ROLLBACK may take. A pooled connection that the server ended while this process was stopped
    /// (SIGSTOP, a hung machine; a standby taking over ends a paused sender's connections) could leave
    /// its next statement unanswered: waiting the whole `statementBound` there held one of dutyd's
    /// event loops, and its API's answers, for two minutes after SIGCONT.
    static let beginBound: TimeAmount = .seconds(15)

    func transaction<T>(_ begin: [String], _ body: (any SQLSession) throws -> T) throws(StoreError) -> T {
        let connection: PostgresConnection
        do {
            connection = try begun(begin[0])
        } catch {
            throw describe(error)
        }
        let session = Session(connection: connection)
        do {
            for statement in begin.dropFirst() { try session.execute(statement, []) }
            let result = try body(session)
            try session.execute("COMMIT", [])
            pool.give(connection, healthy: true)
            return result
        } catch {
            // A connection that cannot even roll back is closed; the server rolls back what it held.
            let healthy = (try? Self.run(connection, "ROLLBACK", [], bound: Self.beginBound)) != nil
            pool.give(connection, healthy: healthy)
            throw describe(error)
        }
    }

    /// A connection of the pool with a transaction begun by `statement`. One that leaves it
    /// unanswered for `beginBound` is closed and a new one tried, once; one the server ended while it
    /// was idle (a restart, `pg_terminate_backend`: its goodbye may still be on the way when the
    /// BEGIN goes out) is closed and the next tried, as many as the pool holds; one that refuses it
    /// otherwise is closed. A BEGIN changes nothing, so trying it again is safe.
    private func begun(_ statement: String) throws -> PostgresConnection {
        var timedOut = false
        var lost = 0
        while true {
            let connection = try pool.take()
            do {
                _ = try Self.run(connection, statement, [], bound: Self.beginBound)
                return connection
            } catch is StatementTimeout where !timedOut {
                pool.give(connection, healthy: false)
                timedOut = true
            } catch  where Self.endedByTheServer(error) && lost < pool.limit {
                pool.give(connection, healthy: false)
                lost += 1
            } catch {
                pool.give(connection, healthy: false)
                throw error
            }
        }
    }

    /// Whether `error` says the server ended the connection (closed it, or said it was shutting down
    /// or ending it) rather than refused what was sent.
    static func endedByTheServer(_ error: any Error) -> Bool {
        if error is ConnectionLost { return true }
        guard let e = error as? PSQLError else { return false }
        if let state = e.serverInfo?[.sqlState] { return ["57P01", "57P02", "57P03"].contains(state) }
        return [.serverClosedConnection, .clientClosedConnection, .uncleanShutdown].contains(e.code)
    }

    // MARK: Statements

    struct Session: SQLSession {
        let connection: PostgresConnection
        /// How long each statement may take (the sender's lease bounds its own more tightly).
        var bound: TimeAmount = PostgresEngine.statementBound

        @discardableResult func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int {
            try PostgresEngine.run(connection, sql, arguments, bound: bound).changed
        }

        /// Many rows: from `copyFrom` rows on, streamed with `COPY … FROM STDIN` into a temporary
        /// table and moved with one `INSERT … SELECT` (so `suffix`, e.g. `ON CONFLICT`, still applies);
        /// fewer, a statement of at most 30,000 values (the protocol allows 65,535).
        func insert(into table: String, _ columns: [String], _ rows: [[SQLValue]], suffix: String) throws {
            guard !rows.isEmpty else { return }
            if rows.count >= PostgresEngine.copyFrom {
                let list = columns.joined(separator: ", ")
                try execute("CREATE TEMP TABLE dutyd_copy AS SELECT \(list) FROM \(table) WITH NO DATA", [])
                try PostgresEngine.copy(connection, into: "dutyd_copy", columns, rows)
                try execute("INSERT INTO \(table) (\(list)) SELECT \(list) FROM dutyd_copy \(suffix)", [])
                try execute("DROP TABLE dutyd_copy", [])
                return
            }
            let perStatement = max(1, 30_000 / max(columns.count, 1))
            let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            for start in stride(from: 0, to: rows.count, by: perStatement) {
                let part = rows[start..<min(rows.count, start + perStatement)]
                // Numbered here, as written: a statement of 30,000 placeholders is not scanned again.
                var sql = head
                sql.reserveCapacity(head.utf8.count + part.count * columns.count * 8 + suffix.utf8.count)
                var n = 0
                for (r, _) in part.enumerated() {
                    sql += r == 0 ? "(" : ", ("
                    for c in 0..<columns.count {
                        n += 1
                        sql += c == 0 ? "$\(n)" : ", $\(n)"
                    }
                    sql += ")"
                }
                sql += " " + suffix
                _ = try PostgresEngine.run(connection, sql, part.flatMap { $0 }, numbered: true, bound: bound)
            }
        }

        func each(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws {
            for row in try PostgresEngine.run(connection, sql, arguments, bound: bound).rows {
                try body(StoredRow(row: row.makeRandomAccess()))
            }
        }

        /// Through a cursor of this transaction, `fetch` rows a round trip: a table of a million rows
        /// is never held whole (every session is in a transaction: `read`, `write`, `change`).
        func stream(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws {
            try execute("DECLARE dutyd_stream NO SCROLL CURSOR FOR \(sql)", arguments)
            do {
                while true {
                    let rows = try PostgresEngine.run(
                        connection,
                        "FETCH \(PostgresEngine.fetch) FROM dutyd_stream",
                        [],
                        bound: bound
                    )
                    .rows
                    for row in rows { try body(StoredRow(row: row.makeRandomAccess())) }
                    if rows.count < PostgresEngine.fetch { break }
                }
            } catch {
                // A row the reader refused (a damaged date) leaves the transaction usable: the next
                // stream in it declares its cursor again.
                _ = try? execute("CLOSE dutyd_stream", [])
                throw error
            }
            try execute("CLOSE dutyd_stream", [])
        }
    }

    /// Runs one statement (its `?` numbered as PostgreSQL wants) and waits for all of its rows and
    /// how many rows it changed. The rows are taken one by one as they come (postgres-nio's
    /// collect-them-all copies its whole array for every packet of rows: minutes for a million).
    static func run(
        _ connection: PostgresConnection,
        _ sql: String,
        _ arguments: [SQLValue],
        numbered alreadyNumbered: Bool = false,
        bound: TimeAmount = statementBound
    ) throws -> (rows: [PostgresRow], changed: Int) {
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .null: binds.appendNull()
            case .integer(let i): binds.append(i)
            case .text(let s): binds.append(s)
            }
        }
        let query = PostgresQuery(unsafeSQL: alreadyNumbered ? sql : numbered(sql), binds: binds)
        // postgres-nio never answers a statement sent on a closed connection: the ROLLBACK after a lost
        // connection waited its whole bound (15 s) before the change could say what happened.
        guard !connection.isClosed else { throw ConnectionLost() }
        let sink = RowSink()
        let metadata = try bounded(
            connection.query(query, logger: logger) { sink.rows.append($0) },
            bound,
            connection: connection
        )
        return (sink.rows, metadata.rows ?? 0)
    }

    /// Rows a round trip of `stream`.
    static let fetch = 10_000

    /// From how many rows `insert` copies instead of inserting (a copy costs three statements more).
    static let copyFrom = 2_000

    /// Streams `rows` into `table` with `COPY … FROM STDIN` in PostgreSQL's text format, a megabyte
    /// at a time. postgres-nio's copy is `async`: it runs in a task of its own while this thread
    /// waits for it with the statement bound, like every other statement.
    ///
    /// postgres-nio stops the process (a precondition) when the copy writes, ends or fails on a
    /// connection that has just closed but still has its handlers: the server ended it
    /// (`pg_terminate_backend`, as a standby does to a paused sender's connections; a restart) between
    /// two chunks. The task runs on the connection's event loop, so a check that the connection is
    /// open, made right before each call into the copy, cannot be overtaken by the close; once it is
    /// closed, the copy waits for the close to finish (the handlers gone, postgres-nio then answers
    /// "connection closed") before it gives up.
    static func copy(
        _ connection: PostgresConnection,
        into table: String,
        _ columns: [String],
        _ rows: [[SQLValue]]
    )
        throws
    {
        let outcome = Outcome<Void>()
        // On the connection's own event loop, never Swift's global executor: in dutyd that is the
        // daemon's event loops, and this thread may be one of them, waiting.
        let task = Task.detached(executorPreference: LoopExecutor(connection.eventLoop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity(1 << 20)
                    for row in rows {
                        copyText(row, into: &buffer)
                        if buffer.readableBytes >= 1 << 20 {
                            try await stillOpen(connection)
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    try await stillOpen(connection)
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                    // postgres-nio ends the copy right after this returns, in the same turn of the loop.
                    try await stillOpen(connection)
                }
                outcome.set(.success(()))
            } catch {
                outcome.set(.failure(error))
            }
        }
        guard let result = outcome.wait(until: Date().addingTimeInterval(Double(statementBound.nanoseconds) / 1e9))
        else {
            // Cancelled, the copy fails itself; the connection is closed once it has (a close under a
            // copy still writing would stop the process, as above), or after a few seconds regardless.
            task.cancel()
            _ = outcome.wait(until: Date().addingTimeInterval(5))
            drop(connection)
            throw StatementTimeout(seconds: statementBound.nanoseconds / 1_000_000_000)
        }
        try result.get()
    }

    /// Throws, once its close has finished, when `connection` has closed (see `copy`). Called on the
    /// connection's event loop.
    private static func stillOpen(_ connection: PostgresConnection) async throws {
        guard connection.isClosed else { return }
        try? await connection.closeFuture.get()
        throw ConnectionLost()
    }

    /// The connection was closed before or under a statement (said as "the connection to the server
    /// was lost", like postgres-nio's own closed-connection errors).
    struct ConnectionLost: Error {}

    /// Runs a task's jobs on one event loop of the engine's own (`group`).
    final class LoopExecutor: TaskExecutor {
        let loop: any EventLoop
        init(_ loop: any EventLoop) { self.loop = loop }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    /// One row in COPY's text format: tab between columns, `\N` for NULL, and the backslash, tab,
    /// newline and carriage return of a text escaped.
    static func copyText(_ row: [SQLValue], into buffer: inout ByteBuffer) {
        for (i, value) in row.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.writeStaticString("\\N")
            case .integer(let n): buffer.writeString(String(n))
            case .text(let s):
                guard s.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 < 0x20 }) else {
                    buffer.writeString(s)
                    continue
                }
                for byte in s.utf8 {
                    switch byte {
                    case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                    case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                    case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                    case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                    default: buffer.writeInteger(byte)
                    }
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// The rows of one statement, appended on the connection's event loop and read by the waiting
    /// thread once the statement's future completed (which orders the two).
    final class RowSink: @unchecked Sendable {
        var rows: [PostgresRow] = []
    }

    /// Waits for `future` at most `bound`; past it, the connection is closed (its state is unknown).
    /// The connections live on the engine's own event loops (`group`), so any thread may wait here,
    /// a thread of the daemon's event loops included (where the scheduler's task runs): what it waits
    /// for never needs it.
    static func bounded<T: Sendable>(
        _ future: EventLoopFuture<T>,
        _ bound: TimeAmount,
        connection: PostgresConnection?
    ) throws -> T {
        let box = Outcome<T>()
        future.whenComplete { box.set($0) }
        guard let result = box.wait(until: Date().addingTimeInterval(Double(bound.nanoseconds) / 1e9)) else {
            connection.map(drop)
            throw StatementTimeout(seconds: bound.nanoseconds / 1_000_000_000)
        }
        return try result.get()
    }

    /// The event loops of every PostgreSQL connection: the engine's own, never the daemon's.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// A future's result, handed from its event loop to the thread waiting for it.
    final class Outcome<T: Sendable>: @unchecked Sendable {
        private let condition = NSCondition()
        private var result: Result<T, any Error>?

        func set(_ r: Result<T, any Error>) {
            condition.lock()
            result = r
            condition.broadcast()
            condition.unlock()
        }

        func wait(until deadline: Date) -> Result<T, any Error>? {
            condition.lock()
            defer { condition.unlock() }
            while result == nil {
                if !condition.wait(until: deadline) { break }
            }
            return result
        }
    }

    /// Closes a connection without waiting for it (held until it is closed: postgres-nio wants a
    /// connection closed before it goes).
    static func drop(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    struct StatementTimeout: Error {
        var seconds: Int64
    }

    /// `?` placeholders as `$1`, `$2`, …, leaving quoted text alone.
    static func numbered(_ sql: String) -> String {
        guard sql.utf8.contains(UInt8(ascii: "?")) else { return sql }
        var out: [UInt8] = []
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quoted = false
        for byte in sql.utf8 {
            if byte == UInt8(ascii: "'") { quoted.toggle() }
            if byte == UInt8(ascii: "?") && !quoted {
                n += 1
                out.append(UInt8(ascii: "$"))
                out.append(contentsOf: String(n).utf8)
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct StoredRow: SQLRow {
        let row: PostgresRandomAccessRow

        func text(_ column: Int) throws -> String? {
            let cell = row[column]
            guard cell.bytes != nil else { return nil }
            switch cell.dataType {
            case .text, .varchar, .name, .bpchar: return try cell.decode(String.self)
            default: throw SQLColumnError(column: column, expected: "text")
            }
        }

        func integer(_ column: Int) throws -> Int64? {
            let cell = row[column]
            guard cell.bytes != nil else { return nil }
            switch cell.dataType {
            case .int8: return try cell.decode(Int64.self)
            case .int4: return Int64(try cell.decode(Int32.self))
            case .int2: return Int64(try cell.decode(Int16.self))
            case .bool: return try cell.decode(Bool.self) ? 1 : 0
            default: throw SQLColumnError(column: column, expected: "an integer")
            }
        }
    }

    // MARK: Connections

    /// A connection to the first server that answers (and, with `target_session_attrs=read-write`,
    /// takes writes: the primary, not a standby).
    static func connect(_ location: PostgresLocation) throws(StoreError) -> PostgresConnection {
        var failures: [String] = []
        for server in location.servers {
            do {
                let configuration = try configuration(location, server)
                let connection = try bounded(
                    PostgresConnection.connect(
                        on: group.next(),
                        configuration: configuration,
                        id: Int.random(in: 1...Int.max),
                        logger: logger
                    ),
                    .seconds(Int64(location.connectTimeout) + 1),
                    connection: nil
                )
                do {
                    if location.readWriteOnly,
                        try Session(connection: connection).text("SHOW transaction_read_only") == "on"
                    {
                        drop(connection)
                        failures.append("\(server.host): only reads (a standby)")
                        continue
                    }
                    // The server gives up a statement where the store does, rather than running on
                    // for a client that left (seen: hours of CPU after a client's bound).
                    let session = Session(connection: connection)
                    try session.execute("SET lock_timeout = '\(lockTimeout)'", [])
                    try session.execute("SET statement_timeout = '\(statementBound.nanoseconds / 1_000_000_000)s'", [])
                } catch {
                    drop(connection)
                    throw error
                }
                return connection
            } catch {
                failures.append("\(server.host)\(server.socketPath == nil ? ":\(server.port)" : ""): \(reason(error))")
            }
        }
        throw StoreError(
            .unavailable,
            "cannot connect to PostgreSQL at \(location.name): \(failures.joined(separator: "; ")). Check that the server runs (pg_lsclusters), that it listens there, and the user, password and pg_hba.conf"
        )
    }

    static func configuration(
        _ location: PostgresLocation,
        _ server: PostgresLocation.Server
    ) throws -> PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let socket = server.socketPath {
            c = .init(
                unixSocketPath: socket,
                username: location.user,
                password: location.password,
                database: location.database
            )
        } else {
            c = .init(
                host: server.host,
                port: server.port,
                username: location.user,
                password: location.password,
                database: location.database,
                tls: try tls(location)
            )
        }
        c.options.connectTimeout = .seconds(Int64(location.connectTimeout))
        c.options.additionalStartupParameters = [("application_name", location.applicationName)]
        return c
    }

    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        guard location.tls != .disable else { return .disable }
        var t = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable, .prefer, .require: t.certificateVerification = .none
        case .verifyCA: t.certificateVerification = .noHostnameVerification
        case .verifyFull: t.certificateVerification = .fullVerification
        }
        if let root = location.rootCertificate { t.trustRoots = .file(root) }
        let context = try NIOSSLContext(configuration: t)
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }

    // MARK: Errors

    /// A `StoreError` that says what failed and what to do.
    func describe(_ error: any Error) -> StoreError {
        switch error {
        case let e as StoreError: return e
        case let e as SQLColumnError:
            return StoreError(.damaged, "\(name): \(e); a row was changed outside dutyd")
        default:
            return StoreError(.unavailable, "\(name): \(Self.reason(error)); nothing was changed")
        }
    }

    static func reason(_ error: any Error) -> String {
        switch error {
        case let e as StatementTimeout:
            return "the server did not answer within \(e.seconds) s"
        case is ConnectionLost:
            return "the connection to the server was lost"
        case let e as StoreError:
            return e.message
        case let e as PSQLError:
            if let info = e.serverInfo {
                let message = info[.message] ?? "an error"
                let state = info[.sqlState] ?? ""
                switch state {
                case "55P03":
                    return
                        "\(message): another change has held the store's lock for more than \(lockTimeout) (an import?); try again when it is done"
                case "53100":
                    return "\(message): the PostgreSQL server's disk is full; free space there, then try again"
                case "57P01":
                    // admin_shutdown: a fast shutdown, or pg_terminate_backend on this connection (a
                    // standby ending a stalled sender's, an administrator).
                    return
                        "\(message): the server ended the connection (it is shutting down, or someone ran pg_terminate_backend); dutyd tries again"
                case "57P02", "57P03":
                    return "\(message): the server is shutting down or starting; dutyd tries again"
                case "28P01", "28000":
                    return "\(message): check the user and password (password_file) and pg_hba.conf"
                case "3D000":
                    return "\(message): create it (createdb -O USER NAME) or correct dbname"
                default:
                    return "\(message) (SQLSTATE \(state))"
                }
            }
            switch e.code {
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return "the connection to the server was lost"
            case .connectionError:
                return "cannot reach the server (\(e.underlying.map { "\($0)" } ?? "connection refused"))"
            case .sslUnsupported:
                return "the server does not offer TLS, which sslmode asks for"
            default:
                return "\(e.code)\(e.underlying.map { ": \($0)" } ?? "")"
            }
        case let e as NIOSSLError:
            return "TLS: \(e)"
        default:
            return "\(error)"
        }
    }
}
