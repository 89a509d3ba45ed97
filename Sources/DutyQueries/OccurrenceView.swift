import DutyCalendar
import DutyCore

/// An occurrence as `upcoming`, `overdue` and `explain` print it, text or JSON (docs/design.md, dutyctl).
package struct OccurrenceView: Codable, Sendable {
    package var id: String
    package var obligation: String
    package var title: String
    package var article: String
    /// `unit` or `official`.
    package var subjectKind: String
    package var subject: String
    package var subjectName: String
    /// The subject's unit (itself for a unit).
    package var unit: String
    package var unitName: String
    package var period: String
    /// End of the deadline day, ISO 8601 with offset.
    package var deadline: String
    package var deadlineDate: String
    package var weekday: String
    /// The date the rule gives, before moving off a day off.
    package var ruleDate: String
    package var provisional: Bool
    package var state: String
    package var colour: String?
    /// Days from today to the deadline day; negative when late.
    package var daysLeft: Int
    package var responsible: [PersonView]
    package var liability: LiabilityView
    package var steps: [StepView]
    package var completion: CompletionView?
    package var waiver: WaiverView?
    /// Receipt (签收), for an obligation that asks for it, once its first notice went out.
    package var receipt: ReceiptView? = nil
    /// The approved extension (延期) that set the deadline, if one did.
    package var extended: ExtendedView? = nil

    enum CodingKeys: String, CodingKey {
        case id, obligation, title, article, subject, period, deadline, provisional, state, colour, responsible,
            liability, steps, completion, waiver, unit, weekday, receipt, extended
        case subjectKind = "subject_kind"
        case subjectName = "subject_name"
        case unitName = "unit_name"
        case deadlineDate = "deadline_date"
        case ruleDate = "rule_date"
        case daysLeft = "days_left"
    }
}

package struct PersonView: Codable, Sendable, Hashable {
    /// The official's id; `nil` for a unit mailbox.
    package var id: String?
    package var name: String
    package var role: String?
    package var unit: String
    package var email: String?
    /// How the unit was found from the subject (`self`, `parent-region/propaganda`, …).
    package var relation: String
}

package struct LiabilityView: Codable, Sendable {
    /// Main leadership responsibility (第十三条).
    package var main: [String]
    /// Important leadership responsibility.
    package var important: [String]
}

package struct StepView: Codable, Sendable {
    package var name: String
    package var kind: String
    package var at: String
    package var provisional: Bool
    package var recipients: [PersonView]
}

package struct CompletionView: Codable, Sendable {
    package var on: String
    package var late: Bool
    package var by: String
    package var reference: String?
    package var note: String?
    package var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case on, late, by, reference, note
        case recordedAt = "recorded_at"
    }
}

/// Where receipt stands: `awaiting-receipt`, `received`, `received-late`; who gave it, when, how.
package struct ReceiptView: Codable, Sendable, Equatable {
    package var state: String
    /// The day it is due by.
    package var due: String
    package var by: String?
    package var at: String?
    package var how: String?
}

/// An approved extension: the request and the deadline day before it.
package struct ExtendedView: Codable, Sendable, Equatable {
    package var request: String
    package var from: String
}

package struct WaiverView: Codable, Sendable {
    package var reason: String
    package var by: String
    package var recordedAt: String

    enum CodingKeys: String, CodingKey {
        case reason, by
        case recordedAt = "recorded_at"
    }
}
