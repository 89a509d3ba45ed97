package import DutyCalendar

/// A request to move an occurrence's deadline (延期), and its decision: `dutyctl extend`.
package struct ExtensionRequest: Sendable, Hashable {
    package enum State: String, Sendable, CaseIterable {
        case pending
        case approved
        case denied
    }

    /// The store's number; people see `ext-12`.
    package var number: Int64
    package var occurrence: OccurrenceID
    /// The new deadline day asked for.
    package var until: CivilDate
    package var reason: String
    package var requestedAt: Instant
    /// An official's id, or the user who recorded it.
    package var requestedBy: String
    /// How it came: `cli-direct`, `api`, `web`.
    package var how: String
    package var state: State
    package var decidedAt: Instant?
    package var decidedBy: String?
    package var note: String?

    package init(
        number: Int64,
        occurrence: OccurrenceID,
        until: CivilDate,
        reason: String,
        requestedAt: Instant,
        requestedBy: String,
        how: String,
        state: State = .pending,
        decidedAt: Instant? = nil,
        decidedBy: String? = nil,
        note: String? = nil
    ) {
        self.number = number
        self.occurrence = occurrence
        self.until = until
        self.reason = reason
        self.requestedAt = requestedAt
        self.requestedBy = requestedBy
        self.how = how
        self.state = state
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.note = note
    }

    /// `ext-12`.
    package var id: String { "ext-\(number)" }

    /// The number in `ext-12` (or `12`).
    package static func number(_ id: String) -> Int64? {
        let digits = id.hasPrefix("ext-") ? id.dropFirst(4) : Substring(id)
        guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy(\.isASCII), let n = Int64(digits), n > 0 else {
            return nil
        }
        return n
    }
}
