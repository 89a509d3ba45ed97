package import DutyCalendar

extension Plan {
    /// Every tracked occurrence in scope whose deadline day is from `from` through `through`, in the
    /// order `upcoming` and `overdue` list them: by deadline, then obligation id, then subject (units in
    /// the organisation's tree order, officials in the store's order), then period.
    ///
    /// Nothing is collected but the deadlines themselves: the subjects of one deadline are walked in
    /// place, and deadlines that share a day and an obligation are merged subject by subject. A
    /// national 31 December (a million occurrences on one day) costs a loop, not a list, so a
    /// streamed answer holds one row at a time. Throws `CancellationError` when the `StopSignal` it
    /// runs under is stopped, and whatever `body` throws.
    package func forEachOccurrenceInOrder(
        deadlines from: CivilDate,
        through: CivilDate,
        scope: Scope = .everything,
        _ body: (Occurrence) throws -> Void
    ) throws {
        var deadlines: [Deadline] = []
        for plan in obligations {
            let o = plan.obligation
            if let only = scope.obligations, !only.contains(o) { continue }
            let id = planner.policy.obligations[o].id
            for (k, set) in plan.sets.enumerated() {
                if case .some(let list) = set.members, list.isEmpty { continue }
                for (i, t) in set.timings.enumerated() where t.date >= from && t.date <= through {
                    deadlines.append(Deadline(obligation: o, obligationID: id, set: k, timing: t, index: i))
                }
            }
        }
        deadlines.sort(by: Deadline.precedes)
        let stop = StopSignal.current
        var start = 0
        while start < deadlines.count {
            // Deadlines of the same moment and obligation: their subjects interleave.
            var end = start + 1
            while end < deadlines.count && deadlines[end].sameGroup(as: deadlines[start]) { end += 1 }
            if stop?.isStopped == true { throw CancellationError() }
            try walk(deadlines[start..<end], scope: scope, stop: stop, body)
            start = end
        }
    }

    /// One group of deadlines (one moment, one obligation): every subject in scope in ascending
    /// order, each with its deadlines in period order.
    private func walk(
        _ group: ArraySlice<Deadline>,
        scope: Scope,
        stop: StopSignal?,
        _ body: (Occurrence) throws -> Void
    ) throws {
        let first = group[group.startIndex]
        let o = first.obligation
        let hasRecords = records.hasRecords(first.obligationID)
        var cursors = group.map { d in
            SubjectCursor(
                deadline: d,
                subjects: subjects(of: obligations[o].sets[d.set], obligation: o, scope: scope),
                records: hasRecords ? records.period(d.obligationID, d.timing) : nil
            )
        }
        var emitted = 0
        func emit(_ c: SubjectCursor, _ subject: Int32) throws {
            let day = Int32(c.deadline.timing.date.daysSinceEpoch)
            guard day >= planner.trackStartDay(subject: subject, obligation: o) else { return }
            let subjectID = planner.subjectID(subject, obligation: o)
            let (done, waived) = c.records?.lookup(subjectID) ?? (nil, nil)
            emitted += 1
            if emitted & 1023 == 0, stop?.isStopped == true { throw CancellationError() }
            try body(
                Occurrence(
                    id: OccurrenceID(
                        obligation: c.deadline.obligationID,
                        subject: subjectID,
                        period: c.deadline.timing.period
                    ),
                    obligation: o,
                    subject: subject,
                    timing: c.deadline.timing,
                    completion: done,
                    waiver: waived,
                    receipt: c.records?.receipt(subjectID)
                )
            )
        }
        if cursors.count == 1 {
            for s in cursors[0].subjects { try emit(cursors[0], s) }
            return
        }
        // Several deadlines at once (an event-triggered obligation: one per event): the smallest
        // subject next, and for the same subject the smaller period first. A heap of cursors, so
        // ten thousand single-subject deadlines cost a log, not a scan, per row.
        var heap = CursorHeap(cursors.indices.filter { !cursors[$0].isEmpty }) { a, b in
            let x = cursors[a]
            let y = cursors[b]
            if x.current != y.current { return x.current < y.current }
            return x.deadline.timing.period < y.deadline.timing.period
        }
        while let i = heap.top {
            try emit(cursors[i], cursors[i].current)
            cursors[i].advance()
            if cursors[i].isEmpty { heap.removeTop() } else { heap.siftDownTop() }
        }
    }

    /// The subjects of a set in scope, ascending.
    private func subjects(of set: ScheduleSet, obligation o: Int, scope: Scope) -> ArraySlice<Int32> {
        if !set.excluded.isEmpty {
            // Rare: a few subjects with an extension have a set of their own.
            var plain = set
            plain.excluded = []
            return subjects(of: plain, obligation: o, scope: scope).filter { !set.excluded.sortedContains($0) }[...]
        }
        let list: [Int32]
        switch set.members {
        case .all: list = planner.subjects(of: o)
        case .some(let l): list = l
        }
        guard let bounds = scope.bounds(in: planner.organisation) else { return list[...] }
        let (root, end) = (bounds.lowerBound, bounds.upperBound)
        if planner.subjectIsOfficial[o] {
            // The officials of the units in scope: the units are one range, each unit's officials a
            // slice; sorted back into the store's order.
            var found: [Int32] = []
            let all = set.members.isAll
            for u in root..<end {
                for k in planner.organisation.officials(of: u)
                where all ? planner.isSubject(k, of: o) : list.sortedContains(k) {
                    found.append(k)
                }
            }
            found.sort()
            return found[...]
        }
        // Unit subjects are in tree order: the subtree is one slice.
        return list[list.lowerBound(root)..<list.lowerBound(end)]
    }
}

/// One deadline of one obligation's schedule set, as the ordered walk sorts them.
private struct Deadline {
    var obligation: Int
    var obligationID: String
    var set: Int
    var timing: Timing
    /// Its place in the set's timings (the tie-break that keeps the order stable).
    var index: Int

    static func precedes(_ a: Deadline, _ b: Deadline) -> Bool {
        if a.timing.deadline != b.timing.deadline { return a.timing.deadline < b.timing.deadline }
        if a.obligationID != b.obligationID { return a.obligationID < b.obligationID }
        if a.set != b.set { return a.set < b.set }
        return a.index < b.index
    }

    func sameGroup(as other: Deadline) -> Bool {
        timing.deadline == other.timing.deadline && obligation == other.obligation
    }
}

/// A deadline's subjects, one at a time.
private struct SubjectCursor {
    let deadline: Deadline
    let subjects: ArraySlice<Int32>
    let records: RecordIndex.PeriodRecords?
    private var position: Int

    init(deadline: Deadline, subjects: ArraySlice<Int32>, records: RecordIndex.PeriodRecords?) {
        self.deadline = deadline
        self.subjects = subjects
        self.records = records
        self.position = subjects.startIndex
    }

    var isEmpty: Bool { position >= subjects.endIndex }
    var current: Int32 { subjects[position] }
    mutating func advance() { position += 1 }
}

/// A binary min-heap of indices, ordered by a comparison that looks them up.
private struct CursorHeap {
    private var items: [Int]
    private let less: (Int, Int) -> Bool

    init(_ items: [Int], less: @escaping (Int, Int) -> Bool) {
        self.items = []
        self.less = less
        for i in items { push(i) }
    }

    var top: Int? { items.first }

    mutating func push(_ i: Int) {
        items.append(i)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeTop() {
        items.swapAt(0, items.count - 1)
        items.removeLast()
        siftDownTop()
    }

    /// Restores the order after the top's key grew.
    mutating func siftDownTop() {
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { return }
            var smallest = left
            if left + 1 < items.count && less(items[left + 1], items[left]) { smallest = left + 1 }
            guard less(items[smallest], items[parent]) else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension ScheduleSet.Members {
    var isAll: Bool {
        if case .all = self { return true }
        return false
    }
}
