import DutyCalendar

/// Completions, waivers and events indexed for the planner's lookups.
package struct RecordIndex: Sendable {
    /// obligation → period → subject → completion, for every obligation but quotas.
    private var done: [String: [String: [String: Completion]]] = [:]
    /// quota obligation → year → subject → completions in that year, by day.
    private var quota: [String: [Int: [String: [Completion]]]] = [:]
    private var waived: [String: [String: [String: Waiver]]] = [:]
    private var received: [String: [String: [String: Receipt]]] = [:]
    package let records: DutyRecords

    package init(records: DutyRecords, policy: Policy) {
        self.records = records
        let quotas = Set(
            policy.obligations.compactMap { o -> String? in
                if case .quota = o.deadline { return o.id }
                return nil
            }
        )
        for c in records.completions {
            let id = c.occurrence
            if quotas.contains(id.obligation), let year = Self.quotaYear(id.period) {
                quota[id.obligation, default: [:]][year, default: [:]][id.subject, default: []].append(c)
            } else {
                done[id.obligation, default: [:]][id.period, default: [:]][id.subject] = c
            }
        }
        for (o, years) in quota {
            for (y, subjects) in years {
                for (s, list) in subjects {
                    quota[o]![y]![s] = list.sorted { ($0.on, $0.recordedAt) < ($1.on, $1.recordedAt) }
                }
            }
        }
        for w in records.waivers {
            waived[w.occurrence.obligation, default: [:]][w.occurrence.period, default: [:]][w.occurrence.subject] = w
        }
        for r in records.receipts {
            received[r.occurrence.obligation, default: [:]][r.occurrence.period, default: [:]][r.occurrence.subject] = r
        }
    }

    /// The year of a quota period `2026-c2`.
    package static func quotaYear(_ period: String) -> Int? {
        guard let dash = period.firstIndex(of: "-"), period[period.index(after: dash)...].hasPrefix("c") else {
            return nil
        }
        return Int(period[..<dash])
    }

    /// Whether anything is recorded for this obligation (the planner skips lookups otherwise).
    func hasRecords(_ obligation: String) -> Bool {
        done[obligation] != nil || quota[obligation] != nil || waived[obligation] != nil || received[obligation] != nil
    }

    /// Period tables for one obligation and period, looked up once per deadline, not once per subject.
    struct PeriodRecords {
        var done: [String: Completion]?
        var quota: [String: [Completion]]?
        var quotaCount = 0
        var waived: [String: Waiver]?
        var received: [String: Receipt]?

        var isEmpty: Bool { done == nil && quota == nil && waived == nil && received == nil }

        func receipt(_ subject: String) -> Receipt? { received?[subject] }

        func lookup(_ subject: String) -> (Completion?, Waiver?) {
            var completion = done?[subject]
            if completion == nil, quotaCount > 0, let list = quota?[subject], list.count >= quotaCount {
                completion = list[quotaCount - 1]
            }
            return (completion, waived?[subject])
        }
    }

    func period(_ obligation: String, _ timing: Timing) -> PeriodRecords {
        var r = PeriodRecords()
        r.done = done[obligation]?[timing.period]
        r.waived = waived[obligation]?[timing.period]
        r.received = received[obligation]?[timing.period]
        if case .checkpoint(let count, let year) = timing.origin {
            r.quota = quota[obligation]?[year]
            r.quotaCount = count
        }
        return r
    }

    /// Completions recorded this year for a quota obligation's subject, by day.
    package func quotaCompletions(_ obligation: String, year: Int, subject: String) -> [Completion] {
        quota[obligation]?[year]?[subject] ?? []
    }
}
