package import DutyCore

extension Obligation {
    /// The deadline rule in one line: `OnCalendar *-06-30, *-12-31 (half-year)`, `quota 1 by 06-30, 2 by 12-31`.
    package var ruleSummary: String {
        switch deadline {
        case .periodic(let schedules, let period, let lag):
            return schedules.map(\.text).joined(separator: ", ") + " (\(period.rawValue)"
                + (lag > 0 ? ", period_lag \(lag))" : ")")
        case .quota(let checkpoints):
            return "quota "
                + checkpoints.map { "\($0.count) by \(zero($0.month))-\(zero($0.day))" }.joined(separator: ", ")
        case .derived(let from, let at, let offset):
            return "\(offset) \(from) at \(at)"
        case .event(let kind, let after):
            return "\(after) after event \(kind)"
        case .completion(let of, let after):
            return "\(after) after completing \(of)"
        }
    }

    /// Who it applies to in one line.
    package var appliesSummary: String {
        switch appliesTo {
        case .units(let kinds, let levels):
            return kinds.sorted().joined(separator: ", ")
                + (levels.map { " (levels \($0.sorted().map(String.init).joined(separator: ", ")))" } ?? "")
        case .officials(let roles, let kinds):
            return "officials: " + roles.sorted().joined(separator: ", ")
                + (kinds.map { " in " + $0.sorted().joined(separator: ", ") } ?? "")
        }
    }

    /// The ladder in one line: `due 0d, escalation 7d, escalation 30d`.
    package var ladderSummary: String {
        ladder.map { "\($0.kind.rawValue) \($0.after)" }.joined(separator: ", ")
    }
}

private func zero(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

/// Something in the organisation the policy cannot work with: not an error (the rest still runs),
/// but an occurrence or a recipient that will be missing.
package struct OrganisationWarning: Sendable, CustomStringConvertible {
    package var message: String
    package var description: String { message }
}

extension Planner {
    /// Units and officials the policy cannot serve: unknown kinds and roles, derived deadlines whose
    /// related unit is missing, steps that reach nobody. At most `limit` of each sort, with a count.
    package func organisationWarnings(limit: Int = 10) -> [OrganisationWarning] {
        var out: [OrganisationWarning] = []
        func add(_ list: [String], _ what: String) {
            guard !list.isEmpty else { return }
            let shown = list.prefix(limit).joined(separator: ", ")
            out.append(
                OrganisationWarning(message: "\(list.count) \(what): \(shown)\(list.count > limit ? ", …" : "")")
            )
        }
        add(
            organisation.units.filter { policy.kinds[$0.kind] == nil }.map { "\($0.id) (\($0.kind))" },
            "unit(s) of a kind the policy does not declare"
        )
        add(
            organisation.officials.filter { $0.roles.contains { policy.roles[$0] == nil } }.map(\.id),
            "official(s) with a role the policy does not declare"
        )
        add(
            organisation.officials.enumerated().filter { organisation.officialUnit[$0.offset] < 0 }.map(\.element.id),
            "official(s) of a unit that does not exist"
        )
        for (o, ob) in policy.obligations.enumerated() {
            if case .derived(let from, let at, _) = ob.deadline, let s = obligationNumber(from) {
                let missing = subjects(of: o).filter { member in
                    let r = unit(at, from: member)
                    return r < 0 || !isSubject(r, of: s)
                }
                add(
                    missing.map { organisation.units[Int($0)].id },
                    "unit(s) without \(at) for \(ob.id) (no deadline can be derived)"
                )
            }
            let subjects = subjects(of: o)
            if let first = ob.ladder.first {
                let nobody = subjects.filter { recipients(first.recipients, obligation: o, subject: $0).isEmpty }
                add(
                    nobody.map { subjectID($0, obligation: o) },
                    "subject(s) of \(ob.id) whose \(first.kind.rawValue) notice reaches nobody"
                )
            }
        }
        return out
    }
}
