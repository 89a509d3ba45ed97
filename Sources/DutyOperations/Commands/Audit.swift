import DutyCalendar
import DutyCore
import DutyFiles
package import DutyStore
import Foundation

// `audit` and `audit verify`: every change by a user, who made it, when, how and what, in a chain of
// hashes that shows a row changed or removed afterwards: the requests as the options were typed, their
// answers, and the functions both front ends call (direct mode on the files, dutyd for its API).

/// `audit [--occurrence ID|PREFIX/] [--unit ID] [--since T] [--limit N]`.
package struct AuditRequest: Codable, Sendable {
    package var occurrence: String?
    package var unit: String?
    package var since: String?
    package var limit: Int?
    /// The most rows one answer lists (it streams, a page at a time).
    package static let maximumLimit = 100_000_000

    package init() {}
}

/// One change, as `audit` lists it; times in the configured zone.
package struct AuditRow: Codable, Sendable, Equatable {
    package var seq: Int
    package var at: String
    package var who: String
    package var how: String
    package var action: String
    package var occurrence: String?
    package var unit: String?
    package var detail: [String: String]
    /// The row's hash and the one before it (SHA-256, hex): what `audit verify` checks.
    package var hash: String
    package var previous: String
}

/// `{"changes": [...], "count": N}`, what `audit --json` prints.
package struct AuditAnswer: Codable, Sendable {
    package var changes: [AuditRow]
}

/// `audit verify`: whether the chain is whole, and if not the first row changed or removed.
package struct AuditVerifyAnswer: Codable, Sendable, Equatable {
    package var intact: Bool
    package var rows: Int
    /// The last row's number and hash when the chain is whole: note them (a printout, another
    /// machine) to find later whether rows were rewritten from the start.
    package var headSeq: Int?
    package var headHash: String?
    package var firstBad: Int?
    package var problem: String?

    enum CodingKeys: String, CodingKey {
        case intact, rows, problem
        case headSeq = "head_seq"
        case headHash = "head_hash"
        case firstBad = "first_bad"
    }
}

extension Workspace {
    /// `audit`: the rows that match, oldest first, each to `emit` as it is read.
    package func audit(_ r: AuditRequest, store: DutyStore, _ emit: (AuditRow) throws -> Void) throws -> RowCount {
        var q = DutyStore.AuditQuery()
        if let limit = r.limit {
            guard (1...AuditRequest.maximumLimit).contains(limit) else {
                throw Failure(ExitStatus.usage, "--limit: expected a number from 1 to \(AuditRequest.maximumLimit)")
            }
            q.limit = limit
        }
        q.occurrence = r.occurrence
        q.unit = r.unit
        let zone = settings.timezone
        if let since = r.since { q.since = try parseInstant(since, zone: zone, option: "--since") }
        var count = 0
        let decoder = JSONDecoder()
        try store.eachAudit(matching: q) { e in
            count += 1
            try emit(
                AuditRow(
                    seq: e.seq,
                    at: e.at.format(in: zone),
                    who: e.who,
                    how: e.how,
                    action: e.action,
                    occurrence: e.occurrence,
                    unit: e.unit,
                    detail: (try? decoder.decode([String: String].self, from: Data(e.detail.utf8))) ?? [
                        "text": e.detail
                    ],
                    hash: e.hash,
                    previous: e.previous
                )
            )
        }
        return RowCount(count: count)
    }
}

/// `audit`.
package enum Audit: RowsOperation {
    package typealias Request = AuditRequest
    package typealias Answer = AuditAnswer
    package static let route = "audit"
    package static let access = Access.read
    package static let command = ["audit"]
    package static let rowsKey = "changes"
    package static func rows(
        _ r: AuditRequest,
        _ c: OperationContext,
        _ emit: (AuditRow) throws -> Void
    ) throws
        -> RowCount
    {
        try c.workspace.audit(r, store: c.store, emit)
    }
    package static func answer(rows: [AuditRow], ending: RowCount) -> AuditAnswer {
        AuditAnswer(changes: rows)
    }
}

/// `audit verify`.
package enum AuditVerify: DutyOperation {
    package static let route = "audit/verify"
    package static let access = Access.read
    package static let command = ["audit", "verify"]
    package static func perform(_ r: NoRequest, _ c: OperationContext) throws -> AuditVerifyAnswer {
        let v = try c.store.verifyAudit()
        return AuditVerifyAnswer(
            intact: v.problem == nil,
            rows: v.rows,
            headSeq: v.head?.seq,
            headHash: v.head?.hash,
            firstBad: v.firstBad,
            problem: v.problem
        )
    }
}
