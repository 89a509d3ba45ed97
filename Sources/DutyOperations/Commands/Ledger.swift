import DutyCalendar
import DutyCore
import DutyFiles
package import DutyStore
import Foundation

// `ledger`: what was sent, to whom, on which channel: the requests as the options were typed, their answers, and the
// functions both front ends call (direct mode on the files, dutyd for its API).

/// `ledger [--occurrence ID|PREFIX/] [--recipient ID] [--channel C] [--since T] [--limit N] [--state S,…]`.
package struct LedgerRequest: Codable, Sendable {
    package var occurrence: String?
    package var recipient: String?
    package var channel: String?
    package var since: String?
    @Default<HundredRows> package var limit: Int
    /// The most rows one answer lists (it streams: a national ledger is read a page at a time).
    package static let maximumLimit = 100_000_000
    package var state: [String]?

    package init() {}
}

/// `{"notifications": [...]}`, what `ledger --json` prints; times in the configured zone.
package struct LedgerAnswer: Codable, Sendable {
    package struct Row: Codable, Sendable {
        package var occurrence: String
        package var step: String
        package var recipient: String
        package var channel: String
        package var state: String
        package var due: String
        package var attempts: Int
        package var first_attempt: String?
        package var last_attempt: String?
        package var next_attempt: String?
        /// While `sending`: when the attempt ends at the latest.
        package var sending_until: String?
        package var sent: String?
        package var error: String?
    }
    package var notifications: [Row]
}

extension Workspace {
    /// `ledger`: the rows that match, newest first, each to `emit` as it is read.
    package func ledger(
        _ r: LedgerRequest,
        store: DutyStore,
        _ emit: (LedgerAnswer.Row) throws -> Void
    ) throws -> RowCount {
        guard (1...LedgerRequest.maximumLimit).contains(r.limit) else {
            throw Failure(
                ExitStatus.usage,
                "--limit: expected a number from 1 to \(LedgerRequest.maximumLimit); narrow the question with "
                    + "--occurrence, --recipient, --since or --state for more"
            )
        }
        var q = DutyStore.LedgerQuery()
        q.occurrence = r.occurrence
        q.recipient = r.recipient
        q.channel = r.channel
        q.limit = r.limit
        q.states = try (r.state ?? []).map {
            guard let s = LedgerEntry.State(rawValue: $0) else {
                throw Failure(
                    ExitStatus.usage,
                    "--state: unknown state '\($0)'; expected \(LedgerEntry.State.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            return s
        }
        let zone = settings.timezone
        if let since = r.since { q.since = try parseInstant(since, zone: zone, option: "--since") }
        func local(_ t: Instant?) -> String? { t.map { $0.format(in: zone) } }
        var count = 0
        try store.eachLedger(matching: q) {
            count += 1
            try emit(
                LedgerAnswer.Row(
                    occurrence: $0.occurrence,
                    step: $0.step,
                    recipient: $0.recipient,
                    channel: $0.channel,
                    state: $0.state.rawValue,
                    due: $0.dueAt.format(in: zone),
                    attempts: $0.attempts,
                    first_attempt: local($0.firstAttemptAt),
                    last_attempt: local($0.lastAttemptAt),
                    next_attempt: local($0.nextAttemptAt),
                    sending_until: local($0.sendingUntil),
                    sent: local($0.sentAt),
                    error: $0.error
                )
            )
        }
        return RowCount(count: count)
    }
}

/// `ledger`.
package enum Ledger: RowsOperation {
    package typealias Request = LedgerRequest
    package typealias Answer = LedgerAnswer
    package static let route = "ledger"
    package static let access = Access.read
    package static let command = ["ledger"]
    package static let rowsKey = "notifications"
    package static func rows(
        _ r: LedgerRequest,
        _ c: OperationContext,
        _ emit: (LedgerAnswer.Row) throws -> Void
    ) throws -> RowCount {
        try c.workspace.ledger(r, store: c.store, emit)
    }
    package static func answer(rows: [LedgerAnswer.Row], ending: RowCount) -> LedgerAnswer {
        LedgerAnswer(notifications: rows)
    }
}
