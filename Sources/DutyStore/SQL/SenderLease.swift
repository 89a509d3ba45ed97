import CProcess
package import DutyCalendar
import Foundation
import NIOCore
import PostgresNIO

/// Which dutyd sends, when several share one PostgreSQL database: every instance answers questions
/// and takes changes; one sends. docs/decisions/0012.
///
/// The sender holds a session advisory lock on a connection of its own, and a lease of `takeover` in
/// the row `dutyd_sender` that it renews every third of it (the database's clock, not the machines').
/// Taking over adds one to the row's `term`; every ledger and watermark write of the sender checks
/// the term in its own transaction (`DutyStore.fenced(by:)`), so a former sender that was paused or
/// cut off has its late writes refused and sends nothing more. A sender whose connection is lost
/// stops at once (its lock went with the connection). A standby tries every third of `takeover`:
/// the lock is free as soon as the sender's connection ends (a killed process); a sender that holds
/// it without renewing (a stopped process, a hung machine) has its connection ended by the standby
/// with `pg_terminate_backend` once the lease has run out.
///
/// The lease runs on a thread of its own, so a long batch never delays its renewal.
package final class SenderLease: @unchecked Sendable {
    /// This instance's name in `dutyctl status` (host and pid unless set).
    package let instance: String
    /// How soon a standby takes over from a sender that stopped renewing, in seconds.
    package let takeover: Double
    let location: PostgresLocation
    private let changed: @Sendable (_ sending: Bool, _ why: String) -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var currentTerm: Int64?
    private var stopping = false
    private var finished = false
    // The lease thread's own.
    private var connection: PostgresConnection?

    /// The lock key (one 64-bit space per database, beside the store's own).
    static let lockKey: Int64 = 0x6475_7479_0000_0003

    init(
        location: PostgresLocation,
        instance: String,
        takeover: Double,
        changed: @escaping @Sendable (_ sending: Bool, _ why: String) -> Void
    ) {
        self.location = location
        self.instance = instance
        self.takeover = takeover
        self.changed = changed
    }

    /// The term this instance sends under, or `nil` while it stands by.
    package var term: Int64? {
        condition.lock()
        defer { condition.unlock() }
        return currentTerm
    }

    /// Starts trying at once, then every third of `takeover`.
    package func start() {
        let thread = Thread { [self] in
            duty_name_this_thread("dutyd-sender")
            loop()
        }
        thread.start()
    }

    /// Lets go: a sender ends its lease and its connection, so a standby takes over at its next try
    /// rather than after `takeover`. Returns when done (at most a few seconds).
    package func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        let deadline = Date().addingTimeInterval(10)
        while !finished && condition.wait(until: deadline) {}
        condition.unlock()
    }

    private func loop() {
        let period = max(takeover / 3, 0.2)
        condition.lock()
        while !stopping {
            condition.unlock()
            tick()
            condition.lock()
            if stopping { break }
            _ = condition.wait(until: Date().addingTimeInterval(period))
        }
        condition.unlock()
        release()
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The database's clock, in microseconds.
    static let now = "CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)"

    private func tick() {
        do {
            // Each statement waits at most `beginBound` (15 s), not the two-minute statement bound: a
            // connection the server ended while this process was stopped (SIGSTOP; a standby took
            // over) can leave a statement sent just before its close is seen unanswered, and the
            // lease must then step down at once, not say for two minutes that it still sends.
            let session = PostgresEngine.Session(connection: try connected(), bound: PostgresEngine.beginBound)
            try session.execute(
                """
                INSERT INTO dutyd_instance (name, started, seen) VALUES (?, \(Self.now), \(Self.now))
                ON CONFLICT(name) DO UPDATE SET seen = excluded.seen
                """,
                [.text(instance)]
            )
            let lease = SQLValue.integer(Int64(takeover * 1_000_000))
            if let t = term {
                let renewed = try session.execute(
                    "UPDATE dutyd_sender SET lease_until = \(Self.now) + ? WHERE id = 1 AND term = ?",
                    [lease, .integer(t)]
                )
                if renewed != 1 { stepDown("another dutyd took over (its term is newer than \(t))") }
                return
            }
            for _ in 0..<2 {
                if try session.integer("SELECT pg_try_advisory_lock(\(Self.lockKey))") == 1 {
                    let t = try session.integer(
                        """
                        UPDATE dutyd_sender SET term = term + 1, holder = ?, backend = pg_backend_pid(),
                            since = \(Self.now), lease_until = \(Self.now) + ?
                        WHERE id = 1 RETURNING term
                        """,
                        [.text(instance), lease]
                    )
                    guard let t else { throw StoreError(.damaged, "the row dutyd_sender is missing") }
                    condition.lock()
                    currentTerm = Int64(t)
                    condition.unlock()
                    changed(true, "sends now (term \(t))")
                    return
                }
                // Held: by a live sender, or by one that stopped renewing (paused, hung): end that
                // one's connection once its lease has run out, and try again.
                let expired = try session.first(
                    "SELECT backend, holder FROM dutyd_sender WHERE id = 1 AND lease_until < \(Self.now)",
                    []
                ) { (try $0.integer(0), try $0.text(1)) }
                guard let expired, let backend = expired.0 else { return }
                // Its lock's connection, and every other of that instance: one paused inside a ledger
                // write holds the row lock the takeover's UPDATE would wait for.
                try session.execute(
                    """
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE pid <> pg_backend_pid() AND datname = current_database()
                      AND (pid = CAST(? AS INTEGER) OR application_name = ?)
                    """,
                    [.integer(backend), .text(PostgresLocation.applicationName(instance: expired.1 ?? ""))]
                )
                changed(false, "\(expired.1 ?? "the sender") stopped renewing its lease; its connection was ended")
            }
        } catch {
            if let c = connection { PostgresEngine.drop(c) }
            connection = nil
            if term != nil {
                stepDown(
                    "lost its connection to PostgreSQL (\(PostgresEngine.reason(error))); it sends nothing until it holds the lock again"
                )
            }
        }
    }

    private func connected() throws -> PostgresConnection {
        if let c = connection, !c.isClosed { return c }
        if term != nil { stepDown("lost its connection to PostgreSQL; it sends nothing until it holds the lock again") }
        let c = try PostgresEngine.connect(location)
        connection = c
        return c
    }

    private func stepDown(_ why: String) {
        condition.lock()
        let was = currentTerm
        currentTerm = nil
        condition.unlock()
        if was != nil { changed(false, why) }
    }

    /// Ends the lease (so a standby need not wait for it to run out) and closes the connection,
    /// which lets go of the lock.
    private func release() {
        if let t = term, let c = connection {
            _ = try? PostgresEngine.Session(connection: c).execute(
                "UPDATE dutyd_sender SET lease_until = 0 WHERE id = 1 AND term = ?",
                [.integer(t)]
            )
        }
        stepDown("stopping")
        if let c = connection { PostgresEngine.drop(c) }
        connection = nil
    }

    /// Who sends and who stands by, as the database knows them (`dutyctl status`).
    package struct Status: Sendable {
        package var term: Int64
        /// The instance that sends, and since when; `nil` when none holds the lease.
        package var sender: String?
        package var since: Instant?
        package var leaseUntil: Instant?
        /// Every instance seen within three takeover intervals, with when it was last seen.
        package var instances: [(name: String, seen: Instant)]
    }
}
