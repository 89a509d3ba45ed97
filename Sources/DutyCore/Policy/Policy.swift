package import DutyCalendar

/// The policy's `[bulletin]`: after each period of these kinds ends (a half year, a month), `sendAfter`
/// later, every supervising region's bulletin goes to `to` (relations seen from the region's committee).
package struct BulletinRule: Sendable, Hashable {
    package var periods: [PeriodKind]
    package var sendAfter: DutyDuration
    package var to: [RecipientSpec]

    package init(periods: [PeriodKind], sendAfter: DutyDuration, to: [RecipientSpec]) {
        self.periods = periods
        self.sendAfter = sendAfter
        self.to = to
    }
}

/// The whole policy: the unit kinds and roles it speaks of, who bears liability, and its obligations.
///
/// The engine knows nothing of any particular regulation: `config/policy/` declares the kinds, roles
/// and obligations of the ideological-work responsibility system, and another organisation's
/// compliance calendar is another policy.
package struct Policy: Sendable {
    package struct Kind: Sendable, Hashable {
        package var name: String
        /// A region kind (a committee): relations `region` and `parent-region` look for these.
        package var region: Bool

        package init(name: String, region: Bool = false) {
            self.name = name
            self.region = region
        }
    }

    /// Unit kinds by key.
    package var kinds: [String: Kind]
    /// Role descriptions by key.
    package var roles: [String: String]
    /// Roles bearing main and important leadership responsibility when a duty is missed (第十三条).
    package var mainLiability: [String]
    package var importantLiability: [String]
    /// Obligations in the order they were written.
    package var obligations: [Obligation]
    /// When the bulletin (通报) goes out to the supervising regions, and to whom; `nil`: never on its
    /// own (`dutyctl bulletin` still makes it).
    package var bulletin: BulletinRule?

    package init(
        kinds: [String: Kind] = [:],
        roles: [String: String] = [:],
        mainLiability: [String] = [],
        importantLiability: [String] = [],
        obligations: [Obligation] = []
    ) {
        self.kinds = kinds
        self.roles = roles
        self.mainLiability = mainLiability
        self.importantLiability = importantLiability
        self.obligations = obligations
    }

    package func obligation(_ id: String) -> Obligation? {
        obligations.first { $0.id == id }
    }

    /// Event kinds some obligation is triggered by.
    package var eventKinds: Set<String> {
        var out: Set<String> = []
        for o in obligations {
            if case .event(let k, _) = o.deadline { out.insert(k) }
        }
        return out
    }

    /// Every reference checked: kinds, roles, relations' department kinds, source obligations, and no
    /// cycle among derived or completion-triggered deadlines. Each problem carries the dotted key it
    /// is about, for the reader to place it in a file.
    package func problems() -> [PolicyProblem] {
        var out: [PolicyProblem] = []
        if !kinds.values.contains(where: \.region) && !kinds.isEmpty {
            out.append(
                PolicyProblem(
                    "no unit kind is marked region = true; relations region and parent-region need one",
                    key: "kinds"
                )
            )
        }
        for spec in bulletin?.to ?? [] {
            for r in spec.roles where roles[r] == nil {
                out.append(
                    PolicyProblem("unknown role '\(r)'; expected one of \(list(roles.keys))", key: "bulletin.to")
                )
            }
            if let d = spec.relation.department, kinds[d] == nil {
                out.append(
                    PolicyProblem(
                        "unknown unit kind '\(d)' in relation '\(spec.relation)'; expected one of \(list(kinds.keys))",
                        key: "bulletin.to"
                    )
                )
            }
            if spec.relation.base == .subject {
                out.append(
                    PolicyProblem(
                        "relation 'subject' names an official; a bulletin goes to a region",
                        key: "bulletin.to"
                    )
                )
            }
        }
        var seen: Set<String> = []
        for o in obligations {
            let key = "obligation.\(o.id)"
            if !seen.insert(o.id).inserted {
                out.append(PolicyProblem("obligation '\(o.id)' is defined twice", key: key))
            }
            switch o.appliesTo {
            case .units(let ks, _):
                for k in ks.sorted() where kinds[k] == nil {
                    out.append(
                        PolicyProblem(
                            "unknown unit kind '\(k)'; expected one of \(list(kinds.keys))",
                            key: "\(key).applies_to"
                        )
                    )
                }
            case .officials(let rs, let ks):
                for r in rs.sorted() where roles[r] == nil {
                    out.append(
                        PolicyProblem(
                            "unknown role '\(r)'; expected one of \(list(roles.keys))",
                            key: "\(key).applies_to"
                        )
                    )
                }
                for k in (ks ?? []).sorted() where kinds[k] == nil {
                    out.append(
                        PolicyProblem(
                            "unknown unit kind '\(k)'; expected one of \(list(kinds.keys))",
                            key: "\(key).applies_to"
                        )
                    )
                }
            }
            for r in o.responsible where roles[r] == nil {
                out.append(
                    PolicyProblem(
                        "unknown role '\(r)' in responsible; expected one of \(list(roles.keys))",
                        key: "\(key).responsible"
                    )
                )
            }
            let groups = [
                ("remind_to", o.remindTo), ("ladder", o.ladder.flatMap(\.recipients)), ("urge_to", o.urgeTo ?? []),
                ("urge_also", o.urgeAlso), ("extension", o.extensionRule?.approvers ?? []),
            ]
            for (field, specs) in groups {
                let at = o.inherited.contains(field) ? "defaults.\(field)" : "\(key).\(field)"
                for spec in specs {
                    for r in spec.roles where roles[r] == nil {
                        out.append(
                            PolicyProblem(
                                "unknown role '\(r)'; expected one of \(list(roles.keys))",
                                key: at,
                                file: o.source
                            )
                        )
                    }
                    if let d = spec.relation.department, kinds[d] == nil {
                        out.append(
                            PolicyProblem(
                                "unknown unit kind '\(d)' in relation '\(spec.relation)'; expected one of \(list(kinds.keys))",
                                key: at,
                                file: o.source
                            )
                        )
                    }
                    if spec.relation.base == .subject && !o.appliesTo.subjectsAreOfficials {
                        out.append(
                            PolicyProblem(
                                "relation 'subject' names an official; '\(o.id)' applies to units",
                                key: at,
                                file: o.source
                            )
                        )
                    }
                }
            }
            switch o.deadline {
            case .derived(let from, let at, _):
                if obligation(from) == nil {
                    out.append(
                        PolicyProblem(
                            "derived from unknown obligation '\(from)'; expected one of \(list(obligations.map(\.id)))",
                            key: "\(key).derived"
                        )
                    )
                } else if obligation(from)?.appliesTo.subjectsAreOfficials == true {
                    out.append(
                        PolicyProblem(
                            "derived from '\(from)', which applies to officials; a deadline can only derive from a unit's",
                            key: "\(key).derived"
                        )
                    )
                }
                if let d = at.department, kinds[d] == nil {
                    out.append(
                        PolicyProblem(
                            "unknown unit kind '\(d)' in relation '\(at)'; expected one of \(list(kinds.keys))",
                            key: "\(key).derived"
                        )
                    )
                }
                if at.base == .subject {
                    out.append(
                        PolicyProblem(
                            "a derived deadline is found at a unit; 'subject' is not one",
                            key: "\(key).derived"
                        )
                    )
                }
            case .completion(let of, _):
                if let src = obligation(of) {
                    if src.appliesTo.subjectsAreOfficials != o.appliesTo.subjectsAreOfficials {
                        out.append(
                            PolicyProblem(
                                "triggered by completing '\(of)', whose subjects are \(src.appliesTo.subjectsAreOfficials ? "officials" : "units"); both must apply to the same kind of subject",
                                key: "\(key).trigger"
                            )
                        )
                    }
                } else {
                    out.append(
                        PolicyProblem(
                            "triggered by completing unknown obligation '\(of)'; expected one of \(list(obligations.map(\.id)))",
                            key: "\(key).trigger"
                        )
                    )
                }
            case .event:
                if o.appliesTo.subjectsAreOfficials {
                    out.append(
                        PolicyProblem(
                            "events are recorded at units; an event-triggered obligation must apply to units",
                            key: "\(key).trigger"
                        )
                    )
                }
            case .periodic, .quota:
                break
            }
        }
        out += cycles()
        // A mistake in [defaults] shows in every obligation that inherits it: report it once.
        var seenProblems: Set<PolicyProblem> = []
        return out.filter { seenProblems.insert($0).inserted }
    }

    /// Derived and completion-triggered deadlines form a graph; a cycle (a derived from b derived from a)
    /// has no first deadline.
    private func cycles() -> [PolicyProblem] {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var out: [PolicyProblem] = []
        func visit(_ id: String, _ path: [String]) {
            if state[id] == 2 { return }
            if state[id] == 1 {
                let cycle = path.drop { $0 != id } + [id]
                out.append(
                    PolicyProblem(
                        "a cycle of derived deadlines: \(cycle.joined(separator: " → ")); one of them needs its own schedule",
                        key: "obligation.\(id)"
                    )
                )
                return
            }
            state[id] = 1
            if let src = obligation(id)?.deadline.source, obligation(src) != nil { visit(src, path + [id]) }
            state[id] = 2
        }
        for o in obligations { visit(o.id, []) }
        return out
    }

    /// Obligations ordered so that each comes after the one its deadlines come from.
    package var dependencyOrder: [Int] {
        var done = [Bool](repeating: false, count: obligations.count)
        var out: [Int] = []
        var index: [String: Int] = [:]
        for (i, o) in obligations.enumerated() where index[o.id] == nil { index[o.id] = i }
        func visit(_ i: Int, depth: Int) {
            if done[i] || depth > obligations.count { return }
            if let s = obligations[i].deadline.source, let si = index[s] { visit(si, depth: depth + 1) }
            if !done[i] {
                done[i] = true
                out.append(i)
            }
        }
        for i in obligations.indices { visit(i, depth: 0) }
        return out
    }
}

private func list(_ keys: some Sequence<String>) -> String {
    let s = keys.sorted()
    return s.isEmpty ? "(none declared)" : s.joined(separator: ", ")
}
