import DutyCalendar
package import DutyCore
import DutyQueries

// `policy show`, `calendar day` and `calendar shift`: the policy and the working-day calendar in force.
// Direct mode answers on the files (or the `--holidays` folders); dutyd's API answers with what it
// loaded (GET /v1/policy, /v1/calendar/day, /v1/calendar/shift). Same functions, same answers.

/// `policy show [OBLIGATION]`.
package struct PolicyRequest: Codable, Sendable {
    package var obligation: String?
    package init(obligation: String? = nil) { self.obligation = obligation }
}

package struct PolicyAnswer: Codable, Sendable {
    package var obligations: [ObligationView]
    /// 第十三条: the roles that bear main and important liability.
    package var liability: Liability

    package struct Liability: Codable, Sendable {
        package var main: [String]
        package var important: [String]
    }
}

/// One obligation as `policy show` lists it.
package struct ObligationView: Codable, Sendable {
    package var id, title, article, source: String
    package var appliesTo: String
    /// The deadlines, in words.
    package var rule: String
    package var shift: String
    package var yellow: String
    package var remind: [String]
    package var remindTo: [String]
    package var responsible: [String]
    package var ladder: [Step]
    /// Receipt (签收) asked within this after the first notice, if any.
    package var acknowledge: String?
    /// Extensions (延期) it allows, if any: `3wd before the deadline, at most 30d, decided by …`.
    package var extensionRule: String?

    package struct Step: Codable, Sendable {
        package var kind: String
        /// After the deadline (`7d`).
        package var after: String
        package var recipients: [String]
    }

    enum CodingKeys: String, CodingKey {
        case id, title, article, source, rule, shift, yellow, remind, responsible, ladder, acknowledge
        case appliesTo = "applies_to"
        case remindTo = "remind_to"
        case extensionRule = "extension"
    }

    init(_ o: Obligation) {
        id = o.id
        title = o.title
        article = o.article
        source = o.source
        appliesTo = o.appliesSummary
        rule = o.ruleSummary
        shift = o.shift.rawValue
        yellow = o.yellow.description
        remind = o.remind.map(\.description)
        remindTo = o.remindTo.map(\.description)
        responsible = o.responsible
        ladder = o.ladder.map {
            Step(kind: $0.kind.rawValue, after: $0.after.description, recipients: $0.recipients.map(\.description))
        }
        acknowledge = o.acknowledge?.description
        extensionRule = o.extensionRule.map {
            "asked \($0.requestBefore) before the deadline at the latest, to at most \($0.longest) after it; decided by "
                + $0.approvers.map(\.description).joined(separator: "; ")
        }
    }
}

extension Policy {
    /// Every obligation, or the one asked for (65 naming those there are when it is not one).
    package func show(_ r: PolicyRequest) throws -> PolicyAnswer {
        var list = obligations
        if let id = r.obligation {
            guard let o = obligation(id) else {
                throw Failure(
                    ExitStatus.dataError,
                    "no obligation '\(shown(id))'; expected one of \(obligations.map(\.id).joined(separator: ", "))"
                )
            }
            list = [o]
        }
        return PolicyAnswer(
            obligations: list.map(ObligationView.init),
            liability: .init(main: mainLiability, important: importantLiability)
        )
    }
}

/// `policy show [OBLIGATION]`: the policy in force.
package enum ShowPolicy: DutyOperation {
    package static let route = "policy"
    package static let access = Access.read
    package static let command = ["policy", "show"]
    package static func perform(_ r: PolicyRequest, _ c: OperationContext) throws -> PolicyAnswer {
        try c.workspace.policy.show(r)
    }
}
