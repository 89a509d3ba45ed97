/// A way notifications leave dutyd: the journal, email, hook commands. The scheduler records every
/// delivery in the ledger under `key(…, recipient:, channel: name)`.
package protocol Channel: Sendable {
    /// The ledger's channel column: `journal`, `email`, `hook:NAME`.
    var name: String { get }
    /// Whether each recipient is a delivery of its own (email, digest hooks) or the step is one
    /// delivery that names them all (journal, per-notification hooks), ledgered under the recipient `*`.
    var perRecipient: Bool { get }
    /// Whether steps of this kind go to this channel at all (a hook may want only escalations).
    func accepts(_ event: DutyEvent) -> Bool
    /// For per-recipient channels: deliveries with the same key in one batch are one digest (email
    /// groups by address, so an official and a unit mailbox with one address get one message).
    func digestKey(_ recipient: Notice.Person) -> String
    /// Delivers a batch; one result per item, in order. `recipient` is `nil` when not per recipient.
    /// The scheduler hands a per-recipient channel every item of a digest key in the same batch.
    ///
    /// `report` is told each outcome as soon as it is known (the items one message, entry or run
    /// carried, and their results), so that the ledger can record what went out before the batch
    /// ends: a crash then repeats at most what was in flight. A cancelled task stops starting new
    /// deliveries; what was not started is `.transient`.
    func deliver(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        report: @escaping DeliveryReport
    ) async -> [Delivery]
}

/// Told of delivered items as they go: the items' indices in the batch and their results.
package typealias DeliveryReport = @Sendable (_ items: [Int], _ results: [Delivery]) -> Void

/// What a delivery records that was not started because its batch stopped: dutyd is stopping, or
/// what went out before could not be recorded as sent.
package let stoppingDelivery = Delivery.transient(
    "not started: the batch stopped (dutyd stopping, or the ledger could not be written); tried again at the next perform"
)

extension Channel {
    /// Delivers a batch with no one told along the way.
    package func deliver(_ batch: [(notification: Notice, recipient: Notice.Person?)]) async -> [Delivery] {
        await deliver(batch, report: { _, _ in })
    }

    package func accepts(_ event: DutyEvent) -> Bool { true }
    package func digestKey(_ recipient: Notice.Person) -> String { recipient.id }

    /// The batch's items (indices) grouped by digest key, groups in the order their key first appears;
    /// items `include` refuses are in no group. Items without a recipient share the key `*`.
    func digests(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        include: (Int) -> Bool = { _ in true }
    ) -> [[Int]] {
        var groups: [[Int]] = []
        var at: [String: Int] = [:]
        for i in batch.indices where include(i) {
            let key = batch[i].recipient.map(digestKey) ?? "*"
            if let g = at[key] {
                groups[g].append(i)
            } else {
                at[key] = groups.count
                groups.append([i])
            }
        }
        return groups
    }
}

/// What became of one delivery.
package enum Delivery: Sendable, Equatable {
    case sent
    /// Worth trying again later (SMTP 4xx, timeout, hook exit 75, the journal not answering).
    case transient(String)
    /// Never worth trying again (SMTP 5xx, a bad address).
    case permanent(String)
}
