package import DutyCalendar
package import DutyCore
import DutyFiles
import DutyQueries
package import DutyStore
import Foundation

// `ack`: receipt (签收) of a duty's notice: the request as the options were typed, its answer, and the
// function both front ends call (direct mode on the files, dutyd for its API).

/// `ack OCCURRENCE [--by OFFICIAL]`.
package struct AckRequest: Codable, Sendable {
    package var occurrence: String
    /// The official who received it; default the user recording it.
    package var by: String?

    package init(occurrence: String) { self.occurrence = occurrence }
}

/// What `ack --json` prints.
package struct AckAnswer: Codable, Sendable {
    package var occurrence: String
    package var receivedBy: String
    package var receivedAt: String
    /// The day receipt was due by.
    package var receiptDue: String
    /// `received` or `received-late`.
    package var state: String

    enum CodingKeys: String, CodingKey {
        case occurrence, state
        case receivedBy = "received_by"
        case receivedAt = "received_at"
        case receiptDue = "receipt_due"
    }
}

extension Workspace {
    /// `ack`: records that `r.by` (or `user`) received the occurrence's notice, at `now`.
    package func acknowledge(
        _ r: AckRequest,
        store: DutyStore,
        planner: Planner,
        user: String,
        how: String,
        now: Instant
    ) throws -> AckAnswer {
        let found = try locate(r.occurrence, planner: planner, records: try store.records())
        let ob = planner.policy.obligations[found.obligation]
        guard let (_, due) = planner.receiptDue(found) else {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) asks for no receipt: the policy sets no acknowledge for \(ob.id) (`dutyctl policy show \(ob.id)`)"
            )
        }
        if let c = found.completion {
            throw Failure(ExitStatus.dataError, "\(found.id) is done (\(c.on)); its completion is its receipt")
        }
        if found.waiver != nil { throw Failure(ExitStatus.dataError, "\(found.id) is waived; it asks for no receipt") }
        if let given = found.receipt {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) was received already by \(given.by) on \(settings.timezone.day(of: given.at)); a receipt is given once"
            )
        }
        if let by = r.by {
            guard planner.organisation.officialIndex[by] != nil else { throw Failure.noOfficial(by) }
        }
        let receipt = Receipt(occurrence: found.id, at: now, by: r.by ?? user, how: how)
        try store.acknowledge(receipt)
        return AckAnswer(
            occurrence: found.id.description,
            receivedBy: receipt.by,
            receivedAt: now.format(in: settings.timezone),
            receiptDue: settings.timezone.day(of: due).description,
            state: now > due ? Occurrence.ReceiptState.receivedLate.rawValue : Occurrence.ReceiptState.received.rawValue
        )
    }
}

/// `ack`: receipt of an occurrence's notice (签收); its urging notice (催办) is not sent.
package enum Acknowledge: DutyOperation {
    package static let route = "ack"
    package static let access = Access.write
    package static let command = ["ack"]
    package static func perform(_ r: AckRequest, _ c: OperationContext) throws -> AckAnswer {
        try c.workspace.acknowledge(
            r,
            store: c.store,
            planner: try c.planner(),
            user: c.user,
            how: c.channel,
            now: c.now
        )
    }
    package static func journal(_ r: AckRequest, _ a: AckAnswer) -> (message: String, fields: [String: String]) {
        ("received \(a.occurrence) (\(a.state))", ["DUTY_OCCURRENCE": a.occurrence, "DUTY_RECEIVED_BY": a.receivedBy])
    }
}
