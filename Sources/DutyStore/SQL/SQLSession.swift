// The little SQL the store speaks, and the two engines that speak it (SQLite through GRDB on one
// machine, PostgreSQL through postgres-nio beyond it). The store's operations are written once over
// `SQLSession`, so both engines keep the same rules by construction; the schema and the engines'
// own faults (a full disk, a lost connection) stay with each engine. docs/decisions/0011.
//
// The dialect both engines understand: `?` placeholders (PostgreSQL's engine numbers them),
// `INSERT … ON CONFLICT … DO UPDATE/NOTHING`, `RETURNING`, `WITH RECURSIVE`, `TRUE`, and
// `CAST(? AS INTEGER)` where a function wants a 32-bit integer.

/// A value bound to a placeholder.
package enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(nilLiteral: ()) { self = .null }

    package init(_ value: String?) { self = value.map { .text($0) } ?? .null }
    package init(_ value: Int?) { self = value.map { .integer(Int64($0)) } ?? .null }
    package init(_ value: Int64?) { self = value.map { .integer($0) } ?? .null }
}

/// One row of an answer; columns by position, as the statement listed them.
package protocol SQLRow {
    /// The column as text (`nil` for NULL); a number where text was stored is an error.
    func text(_ column: Int) throws -> String?
    /// The column as an integer (`nil` for NULL); PostgreSQL's booleans count as 0 and 1.
    func integer(_ column: Int) throws -> Int64?
}

extension SQLRow {
    /// A column that is never NULL.
    package func string(_ column: Int) throws -> String {
        guard let v = try text(column) else { throw SQLColumnError(column: column, expected: "text") }
        return v
    }

    package func int(_ column: Int) throws -> Int {
        guard let v = try integer(column) else { throw SQLColumnError(column: column, expected: "an integer") }
        return Int(v)
    }

    package func optionalInt(_ column: Int) throws -> Int? { try integer(column).map { Int($0) } }
}

/// A column held NULL or a value of another kind than the statement's reader expected.
package struct SQLColumnError: Error, CustomStringConvertible {
    package var column: Int
    package var expected: String
    package var description: String { "column \(column + 1) of a stored row is not \(expected)" }
}

/// One connection inside one transaction: what every store operation is written against.
package protocol SQLSession {
    /// Runs a statement; returns how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ arguments: [SQLValue]) throws -> Int
    /// Runs a query; `body` gets each row in order.
    func each(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws
    /// `each` for a query that may answer with a whole table (the organisation, the records, a
    /// copy): the rows come a bounded part at a time, never all at once (PostgreSQL: a cursor
    /// fetched 10,000 rows at a time; SQLite's `each` does so already).
    func stream(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws
    /// `INSERT INTO t (columns) VALUES (?, …) [suffix]` for every row of `rows` (each as many values
    /// as `columns`), as few statements as the engine allows: SQLite runs its prepared statement per
    /// row, PostgreSQL sends many rows a statement (one round trip for hundreds). No two rows may
    /// share a key the suffix's `ON CONFLICT` names.
    func insert(into table: String, _ columns: [String], _ rows: [[SQLValue]], suffix: String) throws
}

extension SQLSession {
    @discardableResult
    package func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    package func stream(_ sql: String, _ arguments: [SQLValue], _ body: (any SQLRow) throws -> Void) throws {
        try each(sql, arguments, body)
    }

    /// `all`, streamed (see `stream`).
    package func streamAll<T>(
        _ sql: String,
        _ arguments: [SQLValue] = [],
        _ make: (any SQLRow) throws -> T
    ) throws
        -> [T]
    {
        var out: [T] = []
        try stream(sql, arguments) { out.append(try make($0)) }
        return out
    }

    /// Every row, each made into a `T`.
    package func all<T>(_ sql: String, _ arguments: [SQLValue] = [], _ make: (any SQLRow) throws -> T) throws -> [T] {
        var out: [T] = []
        try each(sql, arguments) { out.append(try make($0)) }
        return out
    }

    /// The first row made into a `T`, if there is one.
    package func first<T>(_ sql: String, _ arguments: [SQLValue] = [], _ make: (any SQLRow) throws -> T) throws -> T? {
        var out: T?
        try each(sql, arguments) { row in
            if out == nil { out = try make(row) }
        }
        return out
    }

    /// The first column of the first row as text.
    package func text(_ sql: String, _ arguments: [SQLValue] = []) throws -> String? {
        try first(sql, arguments) { try $0.text(0) } ?? nil
    }

    /// The first column of the first row as an integer.
    package func integer(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int? {
        try first(sql, arguments) { try $0.integer(0) }.flatMap { $0 }.map { Int($0) }
    }

    /// Whether the query finds a row.
    package func exists(_ sql: String, _ arguments: [SQLValue] = []) throws -> Bool {
        try first(sql, arguments) { _ in true } ?? false
    }
}

/// `?, ?, ?`: placeholders for a list of `count` values.
package func placeholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

/// Where the store keeps its state: opens sessions in transactions of the three kinds the store
/// uses. Each engine turns its own failures into a `StoreError` that says what to do.
package protocol SQLEngine: Sendable {
    /// What to call the store in messages: a file's path, or PostgreSQL's host and database.
    var name: String { get }
    /// A consistent read: every statement sees the same moment.
    func read<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T
    /// The daemon's own bookkeeping (ledger, watermark): one transaction, all or nothing.
    func write<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T
    /// A user's change: one transaction, one change at a time across every process that shares the
    /// state (the audit chain needs the row before), durable before it returns.
    func change<T>(_ body: (any SQLSession) throws -> T) throws(StoreError) -> T
    /// Lets go of connections and files.
    func close()
    /// After rows were inserted with their own numbers into `table` (a copy), makes the numbers the
    /// engine gives next follow them (`column` is `AUTOINCREMENT` or `GENERATED … AS IDENTITY`).
    func advance(_ db: any SQLSession, _ table: String, _ column: String) throws
}
