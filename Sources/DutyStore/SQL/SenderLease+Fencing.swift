import CProcess
import DutyCalendar
import Foundation
import NIOCore
import PostgresNIO

extension DutyStore {
    /// The sender's lease on this store for a dutyd, or `nil` on SQLite (one dutyd per file: the
    /// state lock). `changed` is told when this instance starts or stops sending, and why.
    package func senderLease(
        instance: String,
        takeover: Double,
        changed: @escaping @Sendable (_ sending: Bool, _ why: String) -> Void
    ) -> SenderLease? {
        guard let pg = engine as? PostgresEngine else { return nil }
        return SenderLease(location: pg.location, instance: instance, takeover: takeover, changed: changed)
    }

    /// Who sends and who stands by (`nil` on SQLite).
    package func senderStatus(seenWithin seconds: Double) throws(StoreError) -> SenderLease.Status? {
        guard engine is PostgresEngine else { return nil }
        return try read { db in
            let row = try db.first(
                "SELECT term, holder, since, lease_until, \(SenderLease.now) FROM dutyd_sender WHERE id = 1",
                []
            ) { r in
                (
                    Int64(try r.int(0)), try r.text(1), try r.optionalInt(2), try r.optionalInt(3),
                    try r.int(4)
                )
            }
            guard let row else { throw StoreError(.damaged, "the row dutyd_sender is missing") }
            let live = (row.3 ?? 0) >= row.4
            let instances = try db.all(
                "SELECT name, seen FROM dutyd_instance WHERE seen >= ? ORDER BY name",
                [.integer(Int64(row.4 - Int(seconds * 1_000_000)))]
            ) { (name: try $0.string(0), seen: Instant(microseconds: try $0.int(1))) }
            return SenderLease.Status(
                term: row.0,
                sender: live ? row.1 : nil,
                since: live ? row.2.map { Instant(microseconds: $0) } : nil,
                leaseUntil: row.3.map { Instant(microseconds: $0) },
                instances: instances
            )
        }
    }

    /// The same store, its daemon writes (ledger, watermark) refused unless `lease` holds the
    /// current term: a former sender's late writes fail instead of undoing the new sender's.
    package func fenced(by lease: SenderLease?) -> DutyStore {
        guard let lease else { return self }
        return DutyStore(engine: engine, path: path, source: source, actor: actor, fence: lease)
    }
}

/// Fencing of the daemon's writes, checked in their own transaction.
extension SenderLease {
    static func check(_ db: any SQLSession, _ lease: SenderLease) throws {
        guard let mine = lease.term else {
            throw StoreError(.fenced, "this dutyd does not send now (another instance holds the sender's lease)")
        }
        let current = try db.integer("SELECT term FROM dutyd_sender WHERE id = 1 FOR SHARE")
        guard current.map(Int64.init) == mine else {
            throw StoreError(
                .fenced,
                "this dutyd's term as sender (\(mine)) has ended; another instance (term \(current ?? 0)) sends now"
            )
        }
    }
}
