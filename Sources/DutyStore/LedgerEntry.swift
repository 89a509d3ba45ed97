package import DutyCalendar

/// One row of the notification ledger: one step of one occurrence, to one recipient, on one channel
/// (docs/design.md, Delivery semantics): `pending` when a batch is decided, `sending` (until a time)
/// as its delivery begins, then `sent`, `retry` or `failed`.
package struct LedgerEntry: Sendable, Equatable {
    package enum State: String, Sendable, CaseIterable {
        /// To be delivered: the batch it belongs to was decided and written before any of it went out,
        /// so whoever sends next finds it here, not in a process's memory.
        case pending
        /// Being delivered; the attempt ends by `sendingUntil` at the latest. Found so when no attempt
        /// is under way (a crash, a former sender cut off), it is delivered again: at most one
        /// duplicate.
        case sending
        case sent
        /// Failed for now; tried again from `nextAttemptAt`.
        case retry
        /// Failed for good; never tried again.
        case failed
        /// Fell due while the daemon was not running and was folded into a later step of the same
        /// occurrence; never sent.
        case collapsed
        /// Completed or waived before a retry could go out.
        case cancelled

        /// No further delivery will be tried.
        package var isFinal: Bool { self == .sent || self == .failed || self == .collapsed || self == .cancelled }
    }

    package var key: String
    package var occurrence: String
    package var step: String
    package var recipient: String
    package var channel: String
    package var state: State
    package var dueAt: Instant
    package var attempts = 0
    package var firstAttemptAt: Instant?
    package var lastAttemptAt: Instant?
    package var nextAttemptAt: Instant?
    /// While `sending`: when the attempt will have ended for sure.
    package var sendingUntil: Instant?
    package var sentAt: Instant?
    package var error: String?

    package init(occurrence: String, step: String, recipient: String, channel: String, state: State, dueAt: Instant) {
        self.key = LedgerEntry.key(occurrence: occurrence, step: step, recipient: recipient, channel: channel)
        self.occurrence = occurrence
        self.step = step
        self.recipient = recipient
        self.channel = channel
        self.state = state
        self.dueAt = dueAt
    }

    /// The row as a delivery attempt begins at `started`: `sending` until `until`, one attempt more,
    /// no retry planned.
    package mutating func beginAttempt(at started: Instant, until: Instant) {
        state = .sending
        attempts += 1
        firstAttemptAt = firstAttemptAt ?? started
        lastAttemptAt = started
        nextAttemptAt = nil
        sendingUntil = until
    }

    /// The row with the attempt's outcome in `state`: no longer sending.
    package mutating func end(_ outcome: State) {
        state = outcome
        sendingUntil = nil
    }

    /// The deterministic key: `obligation/subject/period/step/recipient/channel` (`*` for a channel that
    /// sends one delivery per step).
    package static func key(occurrence: String, step: String, recipient: String, channel: String) -> String {
        "\(occurrence)/\(step)/\(recipient)/\(channel)"
    }
}
