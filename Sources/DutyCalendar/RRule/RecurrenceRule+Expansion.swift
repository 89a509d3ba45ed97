extension Recurrence {
    /// The first `limit` occurrences in order. Local times that a zone's clock skips (a DST gap) are
    /// left out and not counted, as RFC 5545 requires; a time that occurs twice is taken once, the first.
    package func occurrences(limit: Int) -> [Occurrence] {
        var out: [Occurrence] = []
        forEach { occurrence in
            out.append(occurrence)
            return out.count < limit
        }
        return out
    }

    /// How many occurrences `occurrences(after:limit:)` passes over before `instant` at most: about a
    /// second of work. A rule that ticks every second from 1970 would otherwise be walked for minutes
    /// to reach a base in 2199.
    package static let maximumSkipped = 5_000_000

    /// How many steps (periods, and the sub-daily steps within one) `occurrences(after:limit:)` takes
    /// at most: a rule whose parts match rarely walks far between occurrences without skipping any
    /// (`FREQ=SECONDLY;BYHOUR=3;BYMINUTE=7;BYSECOND=9` steps through every minute of every day: a
    /// base in the year 9999 took most of an hour), and `maximumSkipped` counts occurrences only. Its
    /// limit is about five seconds of a release build (ten years of that rule take 1.4 s, thirty 4).
    package static let maximumSteps = 20_000_000

    /// Up to `limit` occurrences strictly after `instant` (zoned) or after that wall-clock time
    /// read in UTC (floating). Throws when more than `skipping` occurrences come before `instant`, or
    /// the expansion takes more than `steps` steps.
    package func occurrences(
        after instant: Instant,
        limit: Int,
        skipping budget: Int = Recurrence.maximumSkipped,
        steps: Int = Recurrence.maximumSteps
    ) throws(CalendarError) -> [Occurrence] {
        var out: [Occurrence] = []
        var skipped = 0
        let stop = StopSignal.current
        let walkedOut = forEach(steps: steps) { occurrence in
            let t = occurrence.instant ?? Instant(seconds: occurrence.local.localSecond)
            if t > instant {
                out.append(occurrence)
            } else {
                skipped += 1
                // Whoever asked for the stop throws the answer away.
                if skipped & 0xFFFF == 0, stop?.isStopped == true { return false }
            }
            return out.count < limit && skipped <= budget
        }
        if walkedOut {
            throw CalendarError(
                .invalidRule,
                "\(rule.description) matches too rarely to be walked from its start \(start) to \(instant) "
                    + "(more than \(steps) steps); give a start (DTSTART) closer to the base"
            )
        }
        if skipped > budget {
            throw CalendarError(
                .invalidRule,
                "more than \(budget) occurrences of \(rule.description) lie between its start \(start) and "
                    + "\(instant); give a start (DTSTART) closer to the base"
            )
        }
        return out
    }

    /// Calls `body` with each occurrence in order until it returns `false` or the set ends (`COUNT`,
    /// `UNTIL`, or the year 9999).
    package func forEach(_ body: (Occurrence) -> Bool) {
        forEach(steps: .max, body)
    }

    /// `forEach` that gives up after `steps` steps of the expansion; whether it gave up.
    @discardableResult
    func forEach(steps: Int, _ body: (Occurrence) -> Bool) -> Bool {
        var remaining = rule.count
        let startSecond = start.localSecond
        let untilLocal: Int?
        let untilInstant: Instant?
        switch rule.until {
        case .local(let l)?:
            untilLocal = l.localSecond
            untilInstant = nil
        case .utc(let i)?:
            untilLocal = nil
            untilInstant = i
        case nil:
            untilLocal = nil
            untilInstant = nil
        }
        let expander = RecurrenceExpander(rule: rule, start: start)
        return !expander.run(steps: steps) { local in
            let l = local.localSecond
            if let untilLocal, l > untilLocal { return false }
            var instant: Instant?
            if let zone {
                // A skipped local time still ends the set if it lies past UNTIL (read forward, as mktime does).
                let s = zone.strictInstant(forLocalSecond: l)
                if let untilInstant, Instant(seconds: s ?? zone.instant(forLocalSecond: l)) > untilInstant {
                    return false
                }
                guard let s else { return true }
                instant = Instant(seconds: s)
            } else if let untilInstant, Instant(seconds: l) > untilInstant {
                return false
            }
            guard l >= startSecond else { return true }
            if let r = remaining {
                if r <= 0 { return false }
                remaining = r - 1
            }
            return body(Occurrence(local: local, instant: instant, zone: zone))
                && (remaining.map { $0 > 0 } ?? true)
        }
    }
}

/// The expansion python-dateutil's `rrule` performs, period by period: build the set of candidate
/// days of the period (year, month, week or day), strike those a BYxxx part excludes, combine with the
/// times, apply BYSETPOS, then step by the interval. Matching it keeps our dates equal to the
/// reference's on every rule RFC 5545 allows.
final class RecurrenceExpander {
    let rule: RecurrenceRule
    let start: LocalDateTime
    let freq: RecurrenceRule.Frequency
    let interval: Int
    let wkst: Int
    let byMonth: [Bool]
    let byWeekday: [Bool]?
    let byNWeekday: [(weekday: Int, n: Int)]
    /// Index d is true when day-of-month d (1...31) is allowed.
    let byMonthDay: [Bool]
    /// Index -d is true when day -d counted from the month's end (-1 is the last) is allowed.
    let byNMonthDay: [Bool]
    let hasMonthDay: Bool
    /// Index 366 + n is true when day n of the year (±1...366) is allowed.
    let byYearDay: [Bool]
    let hasYearDay: Bool
    /// The months of BYMONTH in order, to scan only them in a YEARLY period.
    let monthList: [Int]
    let byWeekNo: [Int]
    let byHour: [Int]
    let byMinute: [Int]
    let bySecond: [Int]
    let bySetPos: [Int]
    let timeset: [(Int, Int, Int)]

    init(rule: RecurrenceRule, start: LocalDateTime) {
        self.rule = rule
        self.start = start
        freq = rule.frequency
        interval = rule.interval
        wkst = rule.weekStart.rawValue - 1
        var byMonthList = rule.byMonth
        var monthDays = rule.byMonthDay
        var weekdays = rule.byDay
        if rule.byWeekNo.isEmpty && rule.byYearDay.isEmpty && rule.byMonthDay.isEmpty && rule.byDay.isEmpty {
            switch freq {
            case .yearly:
                if byMonthList.isEmpty { byMonthList = [start.date.month] }
                monthDays = [start.date.day]
            case .monthly:
                monthDays = [start.date.day]
            case .weekly:
                weekdays = [.init(weekday: start.date.weekday, ordinal: 0)]
            default:
                break
            }
        }
        var months = [Bool](repeating: false, count: 14)
        for m in byMonthList { months[m] = true }
        byMonth = byMonthList.isEmpty ? [] : months
        monthList = Array(Set(byMonthList)).sorted()
        var md = [Bool](repeating: false, count: 32)
        var nmd = [Bool](repeating: false, count: 32)
        for d in monthDays { if d > 0 { md[d] = true } else { nmd[-d] = true } }
        byMonthDay = md
        byNMonthDay = nmd
        hasMonthDay = !monthDays.isEmpty
        var yd = [Bool](repeating: false, count: 733)
        for d in rule.byYearDay { yd[366 + d] = true }
        byYearDay = yd
        hasYearDay = !rule.byYearDay.isEmpty
        byWeekNo = rule.byWeekNo
        var plain = [Bool](repeating: false, count: 7)
        var anyPlain = false
        var nth: [(Int, Int)] = []
        for w in weekdays {
            if w.ordinal == 0 || freq > .monthly {
                plain[w.weekday.rawValue - 1] = true
                anyPlain = true
            } else {
                nth.append((w.weekday.rawValue - 1, w.ordinal))
            }
        }
        byWeekday = anyPlain ? plain : nil
        byNWeekday = nth
        func reachable(_ values: [Int], from s: Int, base: Int) -> [Int] {
            let g = gcd(rule.interval, base)
            return values.filter { g == 1 || floorMod($0 - s, g) == 0 }
        }
        var hours = rule.byHour.isEmpty ? (freq < .hourly ? [start.hour] : []) : Array(Set(rule.byHour)).sorted()
        var minutes =
            rule.byMinute.isEmpty ? (freq < .minutely ? [start.minute] : []) : Array(Set(rule.byMinute)).sorted()
        var seconds =
            rule.bySecond.isEmpty ? (freq < .secondly ? [start.second] : []) : Array(Set(rule.bySecond)).sorted()
        if freq == .hourly && !hours.isEmpty { hours = reachable(hours, from: start.hour, base: 24) }
        if freq == .minutely && !minutes.isEmpty { minutes = reachable(minutes, from: start.minute, base: 60) }
        if freq == .secondly && !seconds.isEmpty { seconds = reachable(seconds, from: start.second, base: 60) }
        byHour = hours
        byMinute = minutes
        bySecond = seconds
        bySetPos = rule.bySetPos
        var ts: [(Int, Int, Int)] = []
        if freq < .hourly {
            for h in hours { for m in minutes { for s in seconds { ts.append((h, m, s)) } } }
        }
        timeset = ts
    }

    /// Calls `emit` with each candidate in order (before the DTSTART, UNTIL and COUNT checks, which the
    /// caller makes) until it returns `false` or the set ends (the year passes 9999); `false` when it
    /// gave up after `steps` steps (periods, and the sub-daily steps within one) instead.
    @discardableResult
    func run(steps limit: Int = .max, _ emit: (LocalDateTime) -> Bool) -> Bool {
        var year = start.date.year
        var month = start.date.month
        var day = start.date.day
        var hour = start.hour
        var minute = start.minute
        var second = start.second
        var weekday = start.date.weekday.rawValue - 1
        var info = YearInfo()
        info.rebuild(year: year, month: month, self)

        var timeset: [(Int, Int, Int)]
        if freq < .hourly {
            timeset = self.timeset
        } else if (freq >= .hourly && !byHour.isEmpty && !byHour.contains(hour))
            || (freq >= .minutely && !byMinute.isEmpty && !byMinute.contains(minute))
            || (freq >= .secondly && !bySecond.isEmpty && !bySecond.contains(second))
        {
            timeset = []
        } else {
            timeset = subDailyTimes(hour, minute, second)
        }

        // The days of the current period that survive the BYxxx parts: days[0..<dayCount].
        var days = [Int](repeating: 0, count: 380)
        var dayCount = 0
        // The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks), so a
        // rule that yields nothing in 400 × INTERVAL years yields nothing ever.
        let giveUpYear = start.date.year + 400 * interval
        var yieldedAny = false
        // A rule whose BYxxx parts match rarely walks far between occurrences (a SECONDLY rule that
        // matches once a day steps through the day's minutes: ten years took 46 s in a debug build),
        // and `maximumSkipped` counts only occurrences: a stop is looked for at every period (one
        // relaxed load; a period's own stepping is bounded by a day's seconds).
        let stop = StopSignal.current
        var steps = 0
        while true {
            if !yieldedAny && year > giveUpYear { return true }
            if let stop, stop.isStopped { return true }
            steps += 1
            if steps > limit { return false }
            // The candidate days of this period, as indices from 1 January of `year`.
            let first: Int
            let end: Int
            switch freq {
            case .yearly:
                (first, end) = (0, info.yearLength)
            case .monthly:
                (first, end) = (info.monthRange[month - 1], info.monthRange[month])
            case .weekly:
                var i = CivilDate.daysFromCivil(year: year, month: month, day: day) - info.yearStart
                let s = i
                for _ in 0..<7 {
                    i += 1
                    if info.weekday(i) == wkst { break }
                }
                (first, end) = (s, i)
            default:
                let i = CivilDate.daysFromCivil(year: year, month: month, day: day) - info.yearStart
                (first, end) = (i, i + 1)
            }
            dayCount = 0
            var filtered = false
            if freq == .yearly && !monthList.isEmpty {
                // Days outside BYMONTH would all be struck; scan only the months named.
                for m in monthList {
                    for i in info.monthRange[m - 1]..<info.monthRange[m] where !info.excludes(i, self) {
                        days[dayCount] = i
                        dayCount += 1
                    }
                }
                filtered = true
            } else {
                for i in first..<end {
                    if info.excludes(i, self) {
                        filtered = true
                    } else {
                        days[dayCount] = i
                        dayCount += 1
                    }
                }
            }

            if !bySetPos.isEmpty && !timeset.isEmpty {
                var picked: [LocalDateTime] = []
                let n = timeset.count
                for pos in bySetPos {
                    let (dayPos, timePos) = pos < 0 ? floorDivMod(pos, n) : floorDivMod(pos - 1, n)
                    let index = dayPos < 0 ? dayCount + dayPos : dayPos
                    guard index >= 0 && index < dayCount else { continue }
                    let (h, m, s) = timeset[timePos]
                    let res = LocalDateTime(
                        date: CivilDate(daysSinceEpoch: info.yearStart + days[index]),
                        hour: h,
                        minute: m,
                        second: s
                    )
                    if !picked.contains(res) { picked.append(res) }
                }
                picked.sort()
                yieldedAny = yieldedAny || !picked.isEmpty
                for res in picked where !emit(res) { return true }
            } else {
                yieldedAny = yieldedAny || (dayCount > 0 && !timeset.isEmpty)
                for i in days[0..<dayCount] {
                    let date = CivilDate(daysSinceEpoch: info.yearStart + i)
                    for (h, m, s) in timeset where !emit(LocalDateTime(date: date, hour: h, minute: m, second: s)) {
                        return true
                    }
                }
            }

            // Step to the next period.
            var fixDay = false
            switch freq {
            case .yearly:
                year += interval
                if year > 9999 { return true }
                info.rebuild(year: year, month: month, self)
            case .monthly:
                month += interval
                if month > 12 {
                    var (div, mod) = floorDivMod(month, 12)
                    if mod == 0 {
                        mod = 12
                        div -= 1
                    }
                    month = mod
                    year += div
                    if year > 9999 { return true }
                }
                info.rebuild(year: year, month: month, self)
            case .weekly:
                if wkst > weekday {
                    day += -(weekday + 1 + (6 - wkst)) + interval * 7
                } else {
                    day += -(weekday - wkst) + interval * 7
                }
                weekday = wkst
                fixDay = true
            case .daily:
                day += interval
                fixDay = true
            case .hourly:
                if filtered { hour += ((23 - hour) / interval) * interval }
                let nDays: Int
                if !byHour.isEmpty {
                    guard let (d, h) = modDistance(hour, byHour, base: 24) else { return true }
                    (nDays, hour) = (d, h)
                } else {
                    (nDays, hour) = floorDivMod(hour + interval, 24)
                }
                if nDays != 0 {
                    day += nDays
                    fixDay = true
                }
                timeset = subDailyTimes(hour, minute, second)
            case .minutely:
                if filtered { minute += ((1439 - (hour * 60 + minute)) / interval) * interval }
                var valid = false
                for _ in 0..<(1440 / gcd(interval, 1440)) {
                    steps += 1
                    let nHours: Int
                    if !byMinute.isEmpty {
                        guard let (h, m) = modDistance(minute, byMinute, base: 60) else { return true }
                        (nHours, minute) = (h, m)
                    } else {
                        (nHours, minute) = floorDivMod(minute + interval, 60)
                    }
                    let (div, h) = floorDivMod(hour + nHours, 24)
                    hour = h
                    if div != 0 {
                        day += div
                        fixDay = true
                    }
                    if byHour.isEmpty || byHour.contains(hour) {
                        valid = true
                        break
                    }
                }
                if !valid { return true }
                timeset = subDailyTimes(hour, minute, second)
            case .secondly:
                if filtered {
                    second += ((86_399 - (hour * 3600 + minute * 60 + second)) / interval) * interval
                }
                for _ in 0..<(86_400 / gcd(interval, 86_400)) {
                    steps += 1
                    let nMinutes: Int
                    if !bySecond.isEmpty {
                        guard let (mm, s) = modDistance(second, bySecond, base: 60) else { return true }
                        (nMinutes, second) = (mm, s)
                    } else {
                        (nMinutes, second) = floorDivMod(second + interval, 60)
                    }
                    let (div, m) = floorDivMod(minute + nMinutes, 60)
                    minute = m
                    if div != 0 {
                        hour += div
                        let (d2, h) = floorDivMod(hour, 24)
                        hour = h
                        if d2 != 0 {
                            day += d2
                            fixDay = true
                        }
                    }
                    if (byHour.isEmpty || byHour.contains(hour)) && (byMinute.isEmpty || byMinute.contains(minute))
                        && (bySecond.isEmpty || bySecond.contains(second))
                    {
                        break
                    }
                }
                timeset = subDailyTimes(hour, minute, second)
            }

            if fixDay && day > 28 {
                var dim = CivilDate.daysInMonth(year: year, month: month)
                if day > dim {
                    while day > dim {
                        day -= dim
                        month += 1
                        if month == 13 {
                            month = 1
                            year += 1
                            if year > 9999 { return true }
                        }
                        dim = CivilDate.daysInMonth(year: year, month: month)
                    }
                    info.rebuild(year: year, month: month, self)
                }
            }
        }
    }

    /// The times of one hour (HOURLY), minute (MINUTELY) or second (SECONDLY) period.
    private func subDailyTimes(_ hour: Int, _ minute: Int, _ second: Int) -> [(Int, Int, Int)] {
        switch freq {
        case .hourly:
            var t: [(Int, Int, Int)] = []
            for m in byMinute { for s in bySecond { t.append((hour, m, s)) } }
            return t.sorted { ($0.1, $0.2) < ($1.1, $1.2) }
        case .minutely:
            return bySecond.map { (hour, minute, $0) }
        default:
            return [(hour, minute, second)]
        }
    }

    /// Steps `value` by the interval until it lands in `allowed`, counting wraps of `base`.
    private func modDistance(_ value: Int, _ allowed: [Int], base: Int) -> (Int, Int)? {
        var v = value
        var acc = 0
        for _ in 0..<base {
            let (div, mod) = floorDivMod(v + interval, base)
            acc += div
            v = mod
            if allowed.contains(v) { return (acc, v) }
        }
        return nil
    }
}
