import DutyCalendar

/// Everything recorded that changes occurrences: completions, waivers and events, undos, receipts,
/// extensions.
package struct DutyRecords: Sendable {
    package var completions: [Completion]
    package var waivers: [Waiver]
    package var events: [Event]
    package var reopenings: [Reopening]
    package var receipts: [Receipt]
    /// Extension requests (延期), in the order they were made.
    package var extensions: [ExtensionRequest]

    package init(
        completions: [Completion] = [],
        waivers: [Waiver] = [],
        events: [Event] = [],
        reopenings: [Reopening] = [],
        receipts: [Receipt] = [],
        extensions: [ExtensionRequest] = []
    ) {
        self.completions = completions
        self.waivers = waivers
        self.events = events
        self.reopenings = reopenings
        self.receipts = receipts
        self.extensions = extensions
    }
}

/// `obligation/subject/period`, the readable, stable name of an occurrence:
/// `semiannual-report/gd.gz/2026-H2`, `standing-committee-study/gd.gz/2026-c1`,
/// `major-situation-report/gd.gz/major-situation-2026-11-29`.
package struct OccurrenceID: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var obligation: String
    package var subject: String
    package var period: String

    package init(obligation: String, subject: String, period: String) {
        self.obligation = obligation
        self.subject = subject
        self.period = period
    }

    /// Splits `a/b/c`; `nil` unless there are exactly three non-empty parts.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts.contains(where: \.isEmpty) else { return nil }
        self.init(obligation: String(parts[0]), subject: String(parts[1]), period: String(parts[2]))
    }

    package var description: String { "\(obligation)/\(subject)/\(period)" }

    package static func < (a: OccurrenceID, b: OccurrenceID) -> Bool { a.description < b.description }
}
