package import DutyCalendar
package import DutyCore
import DutyFiles
import DutyQueries
import DutyStore
import Foundation

/// `extend request OCCURRENCE --until DATE --reason TEXT [--by OFFICIAL]`.
package struct ExtendRequest: Codable, Sendable {
    package var occurrence: String
    package var until: String
    package var reason: String
    /// The official asking; default the user recording it.
    package var by: String?

    package init(occurrence: String, until: String, reason: String) {
        self.occurrence = occurrence
        self.until = until
        self.reason = reason
    }
}

/// `extend approve|deny REQUEST [--note TEXT] [--by OFFICIAL]`.
package struct ExtendDecision: Codable, Sendable {
    package var request: String
    package var note: String?
    /// The official deciding (who must be among the policy's approvers); default the administrator.
    package var by: String?

    package init(request: String) { self.request = request }
}

/// `extend ls [--occurrence ID] [--pending]`.
package struct ExtendQuery: Codable, Sendable {
    package var occurrence: String?
    package var pending: Bool?

    package init() {}
}

/// One request as `extend` prints it (and `extend request --json`: its `id` is the new request's).
package struct ExtensionView: Codable, Sendable, Equatable {
    package var id: String
    package var occurrence: String
    package var until: String
    package var reason: String
    package var requestedAt: String
    package var requestedBy: String
    package var state: String
    /// The deadline before it (for a decided one, before the decision).
    package var deadline: String?
    package var decidedAt: String?
    package var decidedBy: String?
    package var note: String?

    enum CodingKeys: String, CodingKey {
        case id, occurrence, until, reason, state, deadline, note
        case requestedAt = "requested_at"
        case requestedBy = "requested_by"
        case decidedAt = "decided_at"
        case decidedBy = "decided_by"
    }

    package init(_ r: ExtensionRequest, zone: Zone, deadline: CivilDate? = nil) {
        id = r.id
        occurrence = r.occurrence.description
        until = r.until.description
        reason = r.reason
        requestedAt = r.requestedAt.format(in: zone)
        requestedBy = r.requestedBy
        state = r.state.rawValue
        self.deadline = deadline?.description
        decidedAt = r.decidedAt?.format(in: zone)
        decidedBy = r.decidedBy
        note = r.note
    }
}
