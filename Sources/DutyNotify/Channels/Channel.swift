/// A way notifications leave dutyd: the journal now, email and hooks next. The scheduler records every
/// delivery in the ledger under `key(…, recipient:, channel: name)`.
package protocol Channel: Sendable {
    /// The ledger's channel column: `journal`, `email`, `hook:NAME`.
    var name: String { get }
    /// Whether each recipient is a delivery of its own (email) or the step is one delivery that names
    /// them all (journal), ledgered under the recipient `*`.
    var perRecipient: Bool { get }
    /// Delivers a batch; one result per item, in order. `recipient` is `nil` when not per recipient.
    func deliver(_ batch: [(notification: Notice, recipient: Notice.Person?)]) async -> [Delivery]
}

/// What became of one delivery.
package enum Delivery: Sendable, Equatable {
    case sent
    /// Worth trying again later (SMTP 4xx, timeout, hook exit 75, the journal not answering).
    case transient(String)
    /// Never worth trying again (SMTP 5xx, a bad address).
    case permanent(String)
}
