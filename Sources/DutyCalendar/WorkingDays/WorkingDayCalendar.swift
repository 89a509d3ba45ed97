import Synchronization

/// Which days are worked: Monday to Friday, except public holidays, plus the weekend days the State
/// Council makes working days (调休). Built from the published year schedules; a year without one
/// follows the weekend rule and every answer about it is marked *provisional*.
///
/// ```swift
/// let cal = try WorkingDayCalendar.load(directories: ["config/holidays/cn"])  // DutyService reads the folder
/// cal.status(of: CivilDate(year: 2026, month: 2, day: 28)!).working          // true: make-up day for 春节
/// cal.shift(CivilDate(year: 2025, month: 1, day: 31)!, rule: .previousWorkday).date   // 2025-01-27
/// ```
///
/// Deciding a date in year Y reads the schedules of Y and Y+1, because the notice for Y+1 may settle
/// late December of Y; so December dates are provisional until Y+1 is published too.
package struct WorkingDayCalendar: Sendable {
    /// Per day from `firstDay`: 0 not listed, 1 holiday, 2 make-up working day.
    private let codes: [UInt8]
    private let firstDay: Int
    private let names: [Int: String]
    private let scheduleOf: [Int: Int]
    package let publishedYears: Set<Int>
    private let warned = ProvisionalLog()

    package init(schedules: [HolidaySchedule]) {
        let ordered = schedules.sorted { $0.year < $1.year }
        let all = ordered.flatMap(\.days)
        let lo = all.map(\.date.daysSinceEpoch).min() ?? 0
        let hi = all.map(\.date.daysSinceEpoch).max() ?? -1
        var codes = [UInt8](repeating: 0, count: max(0, hi - lo + 1))
        var names: [Int: String] = [:]
        var scheduleOf: [Int: Int] = [:]
        // A later year's notice settles the late-December dates it repeats.
        for s in ordered {
            for d in s.days {
                let k = d.date.daysSinceEpoch
                codes[k - lo] = d.isOffDay ? 1 : 2
                names[k] = d.name
                scheduleOf[k] = s.year
            }
        }
        self.codes = codes
        self.firstDay = lo
        self.names = names
        self.scheduleOf = scheduleOf
        self.publishedYears = Set(ordered.filter(\.published).map(\.year))
    }

    /// Why a day is or is not worked.
    package enum Reason: String, Sendable {
        case weekday
        case weekend
        case holiday
        case makeUpWorkday = "make-up-workday"
    }

    package struct DayStatus: Sendable, Equatable {
        package var date: CivilDate
        package var working: Bool
        package var reason: Reason
        /// The festival behind a holiday or make-up working day.
        package var holiday: String?
        /// The schedule year that listed the day.
        package var scheduleYear: Int?
        /// The schedule that could still change this answer is not published yet.
        package var provisional: Bool
        /// The year whose missing schedule makes it provisional.
        package var unpublishedYear: Int?

        /// One line for people: `2026-02-28 Sat: working day (make-up working day for 春节, 2026 schedule)`.
        package var explanation: String {
            var s = "\(date) \(date.weekday.shortName): " + (working ? "working day" : "day off") + " ("
            switch reason {
            case .weekday: s += "weekday"
            case .weekend: s += "weekend"
            case .holiday: s += "public holiday \(holiday ?? "")"
            case .makeUpWorkday: s += "make-up working day for \(holiday ?? "")"
            }
            if let scheduleYear { s += ", \(scheduleYear) schedule" }
            s += ")"
            if provisional, let y = unpublishedYear {
                s += "; provisional: the \(y) holiday schedule is not published yet, so the weekend rule applies"
            }
            return s
        }
    }

    @inline(__always)
    private func code(_ k: Int) -> UInt8 {
        let i = k - firstDay
        return i >= 0 && i < codes.count ? codes[i] : 0
    }

    /// The year whose unpublished schedule could still change `date`, if any.
    @inline(__always)
    private func unpublishedYear(for date: CivilDate) -> Int? {
        if !publishedYears.contains(date.year) { return date.year }
        if date.month == 12 && !publishedYears.contains(date.year + 1) { return date.year + 1 }
        return nil
    }

    /// Every unpublished year whose schedule could still change a day from `first` through `last`:
    /// their years, and the next one when the span reaches December (its notice may settle late December).
    package func unpublishedYears(from first: CivilDate, through last: CivilDate) -> [Int] {
        let (lo, hi) = (min(first, last), max(first, last))
        return (lo.year...(hi.year + (hi.month == 12 ? 1 : 0))).filter { !publishedYears.contains($0) }
    }

    /// Whether `date` is worked: the fast path for arithmetic (no explanation, no warning).
    @inline(__always)
    package func isWorkingDay(_ date: CivilDate) -> Bool {
        isWorkingDay(daysSinceEpoch: date.daysSinceEpoch)
    }

    @inline(__always)
    package func isWorkingDay(daysSinceEpoch k: Int) -> Bool {
        switch code(k) {
        case 1: return false
        case 2: return true
        default: return !Weekday(daysSinceEpoch: k).isWeekend
        }
    }

    package func status(of date: CivilDate) -> DayStatus {
        let k = date.daysSinceEpoch
        let pending = unpublishedYear(for: date)
        if let pending { noteUnpublished(pending) }
        var s = DayStatus(
            date: date,
            working: isWorkingDay(daysSinceEpoch: k),
            reason: .weekday,
            holiday: names[k],
            scheduleYear: scheduleOf[k],
            provisional: pending != nil,
            unpublishedYear: pending
        )
        switch code(k) {
        case 1: s.reason = .holiday
        case 2: s.reason = .makeUpWorkday
        default: s.reason = date.weekday.isWeekend ? .weekend : .weekday
        }
        return s
    }

    /// Records that an answer relied on `year`'s unpublished schedule (warned about once).
    func noteUnpublished(_ year: Int) { warned.note(year) }

    /// Warnings not yet reported, one per unpublished year that an answer relied on. Each year is
    /// reported once for the life of the calendar.
    package func takeWarnings() -> [String] {
        warned.take().map(Self.unpublishedWarning)
    }

    /// The warning about an unpublished year, and what to do about it.
    package static func unpublishedWarning(_ y: Int) -> String {
        "warning: the \(y) holiday schedule is not published yet (no \(y).json or \(y).ics in the holidays "
            + "folder); dates that depend on it follow the weekend rule and are marked provisional. Add the file "
            + "when the State Council notice is out."
    }
}

/// Remembers which unpublished years were already warned about.
private final class ProvisionalLog: Sendable {
    private let state = Mutex<(seen: Set<Int>, pending: [Int])>(([], []))

    func note(_ year: Int) {
        state.withLock { current in
            if current.seen.insert(year).inserted { current.pending.append(year) }
        }
    }

    func take() -> [Int] {
        state.withLock { current in
            defer { current.pending = [] }
            return current.pending
        }
    }
}
