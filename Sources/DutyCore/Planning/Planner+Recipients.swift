/// Someone a step goes to: an official, or a unit's mailbox.
package struct Recipient: Sendable, Hashable {
    /// The official, or `nil` for the unit's mailbox.
    package var official: Int32?
    package var unit: Int32
    /// The role that made them a recipient (`nil` for a mailbox).
    package var role: String?
    /// How the unit was found from the subject.
    package var relation: Relation
}

extension Planner {
    /// Who receives a step, in the order the policy lists them, each person once.
    package func recipients(_ specs: [RecipientSpec], obligation o: Int, subject s: Int32) -> [Recipient] {
        recipients(specs, from: unitOf(subject: s, obligation: o), subject: subjectIsOfficial[o] ? s : nil)
    }

    /// Who `specs` name, seen from unit `home` (the subject official, for `subject`, if there is one):
    /// a region's bulletin goes to the people its committee's relations name.
    package func recipients(_ specs: [RecipientSpec], from home: Int32, subject s: Int32? = nil) -> [Recipient] {
        var out: [Recipient] = []
        var seen: Set<Int32> = []
        var mailboxes: Set<Int32> = []
        for spec in specs {
            if spec.relation.base == .subject && spec.relation.department == nil {
                if let s, seen.insert(s).inserted {
                    out.append(Recipient(official: s, unit: home, role: nil, relation: spec.relation))
                }
                continue
            }
            let u = unit(spec.relation, from: home)
            guard u >= 0 else { continue }
            for role in spec.roles {
                for k in organisation.officials(of: u) where organisation.officials[Int(k)].roles.contains(role) {
                    if seen.insert(k).inserted {
                        out.append(Recipient(official: k, unit: u, role: role, relation: spec.relation))
                    }
                }
            }
            if spec.mailbox, organisation.units[Int(u)].email != nil, mailboxes.insert(u).inserted {
                out.append(Recipient(official: nil, unit: u, role: nil, relation: spec.relation))
            }
        }
        return out
    }

    /// The officials answerable for an occurrence: the official who is its subject, or the officials of
    /// the subject unit holding the obligation's `responsible` roles.
    package func responsible(obligation o: Int, subject s: Int32) -> [Recipient] {
        let ob = policy.obligations[o]
        if ob.appliesTo.subjectsAreOfficials {
            return [
                Recipient(official: s, unit: unitOf(subject: s, obligation: o), role: nil, relation: Relation(.subject))
            ]
        }
        return recipients([RecipientSpec(.ownUnit, roles: ob.responsible)], obligation: o, subject: s)
    }

    /// Who bears main and who bears important leadership responsibility if the duty is missed (第十三条):
    /// the subject unit's officials in the policy's `liability` roles.
    package func liability(obligation o: Int, subject s: Int32) -> (main: [Int32], important: [Int32]) {
        let u = unitOf(subject: s, obligation: o)
        guard u >= 0 else { return ([], []) }
        var main: [Int32] = []
        var important: [Int32] = []
        for k in organisation.officials(of: u) {
            let roles = organisation.officials[Int(k)].roles
            if roles.contains(where: policy.mainLiability.contains) {
                main.append(k)
            } else if roles.contains(where: policy.importantLiability.contains) {
                important.append(k)
            }
        }
        return (main, important)
    }
}
