package import DutyCalendar
package import DutyCore

/// One step of one occurrence, ready to deliver: everything a channel writes, already looked up, so a
/// channel needs neither the planner nor the store.
package struct Notice: Sendable {
    package struct Person: Sendable, Hashable {
        /// The official's id, or `mailbox:UNIT` for a unit's mailbox.
        package var id: String
        package var name: String
        package var email: String?
        package var role: String?
        package var unit: String

        package init(id: String, name: String, email: String?, role: String?, unit: String) {
            self.id = id
            self.name = name
            self.email = email
            self.role = role
            self.unit = unit
        }
    }

    /// `obligation/subject/period`.
    package var occurrence: String
    package var obligation: String
    package var title: String
    package var article: String
    /// The subject's unit, and the official when the duty is a person's.
    package var unit: String
    package var unitName: String
    package var official: String?
    package var officialName: String?
    package var period: String
    /// The step (`reminder-30d`, `due`, `escalation-2`) and what it is.
    package var step: String
    package var event: DutyEvent
    /// When the step was planned for.
    package var scheduledAt: Instant
    /// The instant `daysLeft` and the colour are reckoned at (the run's `now`; `dutyd --once --now`
    /// moves it, the real clock does not).
    package var asOf: Instant
    /// The deadline day and the end of it.
    package var deadlineDate: CivilDate
    package var deadline: Instant
    /// Whole days from the day it is sent to the deadline day; negative when late.
    package var daysLeft: Int
    package var provisional: Bool
    /// Red when late, yellow in the last working days, blue before (the digest's order).
    package var colour: Occurrence.Colour = .blue
    package var recipients: [Person]
    /// Main and important leadership responsibility (第十三条), named on escalations.
    package var liableMain: [Person] = []
    package var liableImportant: [Person] = []
    /// Earlier steps of the same occurrence that fell due while the daemon was not running and were
    /// folded into this one.
    package var collapsed: [String] = []
    /// The day receipt (签收) is due by, when the obligation asks for it: the notice says how to give it.
    package var receiptDue: CivilDate?
    /// For the extension notices (延期): the request and, once made, its decision.
    package var extensionRequest: Extension?
    /// Whether an extension may still be asked for (the policy allows one and the deadline has not
    /// passed): the notice says how.
    package var extendable = false

    /// For the bulletin (通报): what it says of its region and the spreadsheet that goes with it.
    package var bulletin: Bulletin?

    /// A supervising region's bulletin of a period.
    package struct Bulletin: Sendable, Hashable {
        package struct Line: Sendable, Hashable {
            package var unit: String
            package var name: String
            package var due: Int
            package var late: Int
            package var lateDaysMax: Int
            package var overdue: Int
            package var onTimeRate: Double?
            package var receiptRate: Double?

            package init(
                unit: String,
                name: String,
                due: Int,
                late: Int,
                lateDaysMax: Int,
                overdue: Int,
                onTimeRate: Double?,
                receiptRate: Double?
            ) {
                self.unit = unit
                self.name = name
                self.due = due
                self.late = late
                self.lateDaysMax = lateDaysMax
                self.overdue = overdue
                self.onTimeRate = onTimeRate
                self.receiptRate = receiptRate
            }
        }

        /// The region's committee.
        package var region: String
        package var regionName: String
        /// `2026-H2`, and its first and last day.
        package var period: String
        package var from: CivilDate
        package var through: CivilDate
        /// Supervised units with deadlines in the period.
        package var units: Int
        /// Those late or done late, in tree order.
        package var late: [Line]
        /// The region's figures.
        package var total: Line
        /// The spreadsheet (UTF-8 with a byte-order mark, CRLF, formulas neutralised) and its file name.
        package var csv: String
        package var csvName: String

        package init(
            region: String,
            regionName: String,
            period: String,
            from: CivilDate,
            through: CivilDate,
            units: Int,
            late: [Line],
            total: Line,
            csv: String,
            csvName: String
        ) {
            self.region = region
            self.regionName = regionName
            self.period = period
            self.from = from
            self.through = through
            self.units = units
            self.late = late
            self.total = total
            self.csv = csv
            self.csvName = csvName
        }
    }

    /// An extension request as its notices tell it.
    package struct Extension: Sendable, Hashable {
        /// `ext-12`.
        package var id: String
        package var until: CivilDate
        package var reason: String
        package var requestedBy: String
        /// `pending`, `approved` or `denied`.
        package var state: String
        package var decidedBy: String?
        package var note: String?
        /// The deadline before the request.
        package var from: CivilDate

        package init(
            id: String,
            until: CivilDate,
            reason: String,
            requestedBy: String,
            state: String,
            decidedBy: String?,
            note: String?,
            from: CivilDate
        ) {
            self.id = id
            self.until = until
            self.reason = reason
            self.requestedBy = requestedBy
            self.state = state
            self.decidedBy = decidedBy
            self.note = note
            self.from = from
        }

        package var approved: Bool { state == "approved" }
    }

    package init(
        occurrence: String,
        obligation: String,
        title: String,
        article: String,
        unit: String,
        unitName: String,
        official: String?,
        officialName: String?,
        period: String,
        step: String,
        event: DutyEvent,
        scheduledAt: Instant,
        deadlineDate: CivilDate,
        deadline: Instant,
        daysLeft: Int,
        provisional: Bool,
        recipients: [Person]
    ) {
        self.occurrence = occurrence
        self.obligation = obligation
        self.title = title
        self.article = article
        self.unit = unit
        self.unitName = unitName
        self.official = official
        self.officialName = officialName
        self.period = period
        self.step = step
        self.event = event
        self.scheduledAt = scheduledAt
        self.asOf = scheduledAt
        self.deadlineDate = deadlineDate
        self.deadline = deadline
        self.daysLeft = daysLeft
        self.provisional = provisional
        self.recipients = recipients
    }

    /// Who the duty is about, as people read it: the unit, or the official and their unit.
    package var subjectName: String {
        if let officialName { return "\(unitName) \(officialName)" }
        return unitName
    }
}
