package import DutyCalendar

/// Computes occurrences, deadlines and notification times from a policy, an organisation and what
/// was recorded. Pure: it is handed the working-day calendar, the zone and the send time; the caller
/// says which days it wants.
///
/// ```swift
/// let planner = Planner(policy: policy, organisation: org, workdays: cal, zone: shanghai)
/// let plan = planner.plan(from: today, through: today.adding(days: 365), records: records)
/// for occurrence in plan.occurrences(deadlines: window) { … }
/// ```
package struct Planner: Sendable {
    package let policy: Policy
    package let organisation: Organisation
    package let workdays: WorkingDayCalendar
    package let zone: Zone
    /// Local minute of the day at which notifications go out (09:00 → 540).
    package let sendAtMinute: Int
    /// The settings' `track_from`, if any.
    package let trackFrom: CivilDate?

    /// Per unit: the nearest region unit, itself included, or -1.
    let region: [Int32]
    /// Per unit: the region level (1 = top region), 0 outside any region.
    let level: [Int32]
    /// Per unit: the first day whose deadlines are tracked.
    let trackStart: [Int32]
    /// Per unit: its kind as an index into `kindKeys`.
    let kindCode: [UInt16]
    let kindKeys: [String]
    /// Department units by parent and kind, for the kinds relations name.
    let departments: [Int32: [UInt16: Int32]]
    /// Per obligation: its subjects (unit or official indices), ascending.
    let subjects: [[Int32]]
    /// Per obligation: whether its subjects are officials (else units). Read once per subject in the
    /// planner's loops, so kept apart from the obligations themselves.
    let subjectIsOfficial: [Bool]
    /// Obligation index by id.
    let obligationIndex: [String: Int]
    /// Derived obligations whose source has one schedule for all its subjects (periodic, quota, or
    /// derived from those): the subjects whose related unit has the source, computed once here
    /// rather than on every plan. `.all` when every subject has it.
    let sharedDerived: [Int: ScheduleSet.Members]

    package init(
        policy: Policy,
        organisation: Organisation,
        workdays: WorkingDayCalendar,
        zone: Zone,
        sendAtMinute: Int = 9 * 60,
        trackFrom: CivilDate? = nil
    ) {
        self.policy = policy
        self.organisation = organisation
        self.workdays = workdays
        self.zone = zone
        self.sendAtMinute = sendAtMinute
        self.trackFrom = trackFrom

        let units = organisation.units
        var kindKeys = policy.kinds.keys.sorted()
        var codes: [String: UInt16] = [:]
        for (i, k) in kindKeys.enumerated() { codes[k] = UInt16(i) }
        var kindCode = [UInt16](repeating: 0, count: units.count)
        for (i, u) in units.enumerated() {
            if let c = codes[u.kind] {
                kindCode[i] = c
            } else {
                codes[u.kind] = UInt16(kindKeys.count)
                kindCode[i] = UInt16(kindKeys.count)
                kindKeys.append(u.kind)
            }
        }
        let regionKinds = Set(policy.kinds.filter(\.value.region).keys.compactMap { codes[$0] })
        var region = [Int32](repeating: -1, count: units.count)
        var level = [Int32](repeating: 0, count: units.count)
        var track = [Int32](repeating: 0, count: units.count)
        let parent = organisation.parent
        // Tree order: a parent's entries are filled before its children's.
        for i in 0..<units.count {
            let p = Int(parent[i])
            if regionKinds.contains(kindCode[i]) {
                region[i] = Int32(i)
                level[i] = (p >= 0 ? level[p] : 0) + 1
            } else if p >= 0 {
                region[i] = region[p]
                level[i] = level[p]
            }
            let start = units[i].trackFrom ?? trackFrom ?? units[i].addedOn
            track[i] = Int32(start.daysSinceEpoch)
        }
        var departmentKinds: Set<UInt16> = []
        var specs = policy.bulletin?.to ?? []
        for o in policy.obligations {
            specs += o.remindTo + o.ladder.flatMap(\.recipients) + (o.urgeTo ?? []) + o.urgeAlso
            specs += o.extensionRule?.approvers ?? []
        }
        for spec in specs {
            if let d = spec.relation.department, let c = codes[d] { departmentKinds.insert(c) }
        }
        for o in policy.obligations {
            if case .derived(_, let at, _) = o.deadline, let d = at.department, let c = codes[d] {
                departmentKinds.insert(c)
            }
        }
        var departments: [Int32: [UInt16: Int32]] = [:]
        if !departmentKinds.isEmpty {
            for i in 0..<units.count where parent[i] >= 0 && departmentKinds.contains(kindCode[i]) {
                // Tree order lists siblings by id: the first of a kind wins.
                if departments[parent[i], default: [:]][kindCode[i]] == nil {
                    departments[parent[i], default: [:]][kindCode[i]] = Int32(i)
                }
            }
        }

        var subjects: [[Int32]] = []
        for o in policy.obligations {
            switch o.appliesTo {
            case .units(let kinds, let levels):
                let wanted = Set(kinds.compactMap { codes[$0] })
                var list: [Int32] = []
                for i in 0..<units.count where wanted.contains(kindCode[i]) {
                    if let levels, !levels.contains(Int(level[i])) { continue }
                    list.append(Int32(i))
                }
                subjects.append(list)
            case .officials(let roles, let kinds):
                let wanted = kinds.map { Set($0.compactMap { codes[$0] }) }
                var list: [Int32] = []
                for (k, official) in organisation.officials.enumerated() {
                    let u = organisation.officialUnit[k]
                    guard u >= 0, official.roles.contains(where: roles.contains) else { continue }
                    if let wanted, !wanted.contains(kindCode[Int(u)]) { continue }
                    list.append(Int32(k))
                }
                subjects.append(list)
            }
        }
        var obligationIndex: [String: Int] = [:]
        for (i, o) in policy.obligations.enumerated() where obligationIndex[o.id] == nil { obligationIndex[o.id] = i }

        // Shared derived membership, in dependency order so a derived source is done first.
        var shared: [Int: ScheduleSet.Members] = [:]
        func isShared(_ o: Int) -> Bool {
            switch policy.obligations[o].deadline {
            case .periodic, .quota: return true
            case .derived: return shared[o] != nil
            case .event, .completion: return false
            }
        }
        let partial = PartialPlanner(
            region: region,
            parent: organisation.parent,
            kindKeys: kindKeys,
            departments: departments
        )
        for o in policy.dependencyOrder {
            guard case .derived(let from, let at, _) = policy.obligations[o].deadline, let s = obligationIndex[from],
                isShared(s)
            else { continue }
            let sourceMembers = shared[s]
            var members: [Int32] = []
            members.reserveCapacity(subjects[o].count)
            for u in subjects[o] {
                let r = partial.unit(at, from: u)
                guard r >= 0, subjects[s].sortedContains(r) else { continue }
                if case .some(let list)? = sourceMembers, !list.sortedContains(r) { continue }
                members.append(u)
            }
            shared[o] = members.count == subjects[o].count ? .all : .some(members)
        }
        self.sharedDerived = shared

        self.region = region
        self.level = level
        self.trackStart = track
        self.kindCode = kindCode
        self.kindKeys = kindKeys
        self.departments = departments
        self.subjects = subjects
        self.subjectIsOfficial = policy.obligations.map(\.appliesTo.subjectsAreOfficials)
        self.obligationIndex = obligationIndex
    }

    /// The earliest day any unit's obligations are tracked from.
    package var firstTrackedDay: CivilDate? {
        trackStart.min().map { CivilDate(daysSinceEpoch: Int($0)) }
    }

    /// Index of the obligation with this id.
    package func obligationNumber(_ id: String) -> Int? { obligationIndex[id] }

    /// The subjects (unit or official indices) obligation `o` applies to.
    package func subjects(of o: Int) -> [Int32] { subjects[o] }

    /// The unit a subject belongs to: itself, or an official's unit.
    @inline(__always)
    package func unitOf(subject s: Int32, obligation o: Int) -> Int32 {
        subjectIsOfficial[o] ? organisation.officialUnit[Int(s)] : s
    }

    /// The id of a subject of obligation `o`.
    package func subjectID(_ s: Int32, obligation o: Int) -> String {
        subjectIsOfficial[o] ? organisation.officials[Int(s)].id : organisation.units[Int(s)].id
    }

    /// The subject index of an id for obligation `o`, if it is one of its subjects.
    package func subjectNumber(_ id: String, obligation o: Int) -> Int32? {
        let s =
            subjectIsOfficial[o] ? organisation.officialIndex[id] : organisation.index[id]
        guard let s, isSubject(s, of: o) else { return nil }
        return s
    }

    /// Whether `s` is one of obligation `o`'s subjects.
    package func isSubject(_ s: Int32, of o: Int) -> Bool { subjects[o].sortedContains(s) }

    /// The first tracked day for a subject of obligation `o`.
    @inline(__always)
    package func trackStart(subject s: Int32, obligation o: Int) -> CivilDate? {
        let u = unitOf(subject: s, obligation: o)
        return u >= 0 ? CivilDate(daysSinceEpoch: Int(trackStart[Int(u)])) : nil
    }
}

extension Planner {
    /// When the subject's first notice of `o` went out and when its receipt is due: the deadline's
    /// own, or for a subject tracked after the deadline's first step, `acknowledge` after its first
    /// step on or after the day tracking began (the earlier ones were never sent to it). `nil` when
    /// the obligation asks for no receipt.
    package func receiptDue(_ o: Occurrence) -> (firstNotice: Instant?, due: Instant)? {
        let t = o.timing
        guard let due = t.receiptDue, let ack = policy.obligations[o.obligation].acknowledge else { return nil }
        // A deadline an extension moved starts its steps late, but its receipt was asked by the first
        // notices: the same test, by the day receipt was due.
        guard let start = trackStart(subject: o.subject, obligation: o.obligation),
            let first = t.steps.first, first.day.date < start || zone.day(of: due) < start
        else { return (t.steps.first.map { min($0.at, due) }, due) }
        guard let sent = t.steps.first(where: { $0.day.date >= start }) else { return (nil, due) }
        let day = min(ack.after(sent.day.date, workdays: workdays).date, t.date)
        return (sent.at, max(due, endOfDay(day)))
    }

    /// Receipt of `o` at `now` (`Occurrence.receiptState`), by the subject's own first notice. A
    /// completion is a receipt, given by the end of the day it was done (or when it was recorded, if
    /// earlier): a report done on 25 June was received by then, however late it was typed in.
    package func receiptState(_ o: Occurrence, at now: Instant) -> (state: Occurrence.ReceiptState, due: Instant)? {
        guard let (first, due) = receiptDue(o) else { return nil }
        let given = o.receipt?.at ?? o.completion.map { min($0.recordedAt, endOfDay($0.on)) }
        guard let state = o.receiptState(at: now, due: due, firstNotice: first, given: given) else { return nil }
        return (state, due)
    }
}
