extension CalendarSpec {
    /// The first elapse strictly after `base`, or `nil` when the expression never elapses again
    /// (a fixed date in the past, a date that does not exist, or past systemd's last year 2199).
    ///
    /// `localZone` is the zone an expression without a zone suffix is read in (systemd's `TZ`).
    /// Throws `.noElapse` where systemd's own loop breaker gives up ("Infinite loop in calendar
    /// calculation"), so that dutyd never promises a time systemd would not.
    package func next(after base: Instant, localZone: Zone) throws(CalendarError) -> Instant? {
        let zone: Zone = utc ? .utc : (self.zone ?? localZone)
        let clock = BrokenDownClock(zone: zone)
        let start = base.microseconds + 1
        let seconds = start >= 0 ? start / 1_000_000 : -((-start + 999_999) / 1_000_000)
        var usec = start - seconds * 1_000_000
        var tm = clock.fields(atInstant: seconds)
        switch findNext(&tm, &usec, clock) {
        case .found:
            return Instant(microseconds: clock.instant(of: tm) * 1_000_000 + usec)
        case .never:
            return nil
        case .gaveUp:
            throw CalendarError(
                .noElapse,
                "systemd cannot compute the next elapse of '\(normalized)' (it gives up after 1000 steps: the dates "
                    + "it names almost never exist); choose days that every named month has"
            )
        }
    }

    /// Up to `count` elapses after `base`, each strictly after the one before, as `systemd-analyze
    /// calendar --iterations=N` lists them.
    package func next(after base: Instant, count: Int, localZone: Zone) throws(CalendarError) -> [Instant] {
        var out: [Instant] = []
        out.reserveCapacity(count)
        var cursor = base
        while out.count < count, let n = try next(after: cursor, localZone: localZone) {
            out.append(n)
            cursor = n
        }
        return out
    }

    private enum Outcome {
        case found, never, gaveUp
    }

    /// systemd's `find_next`: walk the fields from the year down, advancing the first one that does
    /// not match and zeroing the ones below it, normalizing through the zone after each step.
    private func findNext(_ tmIn: inout Fields, _ usecIn: inout Int, _ clock: BrokenDownClock) -> Outcome {
        var c = tmIn
        var usec = usecIn
        for _ in 0..<1000 {
            c = clock.normalized(c)

            var v = c.year
            var r = match(year, &v, c)
            c.year = v
            if r > 0 { c.resetBelowYear(&usec) }
            if r < 0 { return .never }
            if clock.withinBounds(&c) <= 0 { return .never }

            v = c.month + 1
            r = match(month, &v, c)
            c.month = v - 1
            if r > 0 { c.resetBelowMonth(&usec) }
            if r >= 0 { r = clock.withinBounds(&c) }
            if r < 0 {
                c.year += 1
                c.month = 0
                c.resetBelowMonth(&usec)
                continue
            }
            if r == 0 { continue }

            v = c.day
            r = match(day, &v, c)
            c.day = v
            if r > 0 { c.resetBelowDay(&usec) }
            if r >= 0 { r = clock.withinBounds(&c) }
            if r < 0 {
                c.month += 1
                c.resetBelowMonth(&usec)
                continue
            }
            if r == 0 { continue }

            if !clock.matchesWeekday(weekdays, c) {
                c.day += 1
                c.resetBelowDay(&usec)
                continue
            }

            v = c.hour
            r = match(hour, &v, c)
            c.hour = v
            if r > 0 { c.resetBelowHour(&usec) }
            if r >= 0 { r = clock.withinBounds(&c) }
            if r < 0 {
                c.day += 1
                c.resetBelowDay(&usec)
                continue
            }
            if r == 0 { continue }

            v = c.minute
            r = match(minute, &v, c)
            c.minute = v
            if r > 0 { c.resetBelowMinute(&usec) }
            if r >= 0 { r = clock.withinBounds(&c) }
            if r < 0 {
                c.hour += 1
                c.resetBelowHour(&usec)
                continue
            }
            if r == 0 { continue }

            v = c.second * 1_000_000 + usec
            r = match(second, &v, c)
            usec = v % 1_000_000
            c.second = v / 1_000_000
            if r >= 0 { r = clock.withinBounds(&c) }
            if r < 0 {
                c.minute += 1
                c.resetBelowMinute(&usec)
                continue
            }
            if r == 0 { continue }

            tmIn = c
            usecIn = usec
            return .found
        }
        return .gaveUp
    }

    /// systemd's `find_matching_component`: the earliest value at or after `value` that the chain
    /// allows. 1 if it moved `value`, 0 if `value` already matches, -1 if nothing matches.
    @inline(__always)
    private func match(_ chain: [Component]?, _ value: inout Int, _ tm: Fields) -> Int {
        guard let chain else { return 0 }
        let fromEnd = endOfMonth && chain == day
        var best = -1
        var found = false
        let monthLength = fromEnd ? CivilDate.daysInMonth(year: tm.year, month: tm.month + 1) : 0
        for c in chain {
            var start = c.start
            var stop = c.stop
            if fromEnd {
                start = start >= 1 && start <= monthLength ? monthLength + 1 - start : -1
                stop = stop >= 1 && stop <= monthLength ? monthLength + 1 - stop : -1
                if stop > 0 { swap(&start, &stop) }
            }
            if start >= value {
                if !found || start < best {
                    best = start
                    found = true
                }
            } else if c.repeatEvery > 0 {
                let k = start + c.repeatEvery * ((value - start + c.repeatEvery - 1) / c.repeatEvery)
                if (!found || k < best) && (stop < 0 || k <= stop) {
                    best = k
                    found = true
                }
            }
        }
        if !found { return -1 }
        let moved = value != best ? 1 : 0
        value = best
        return moved
    }
}

/// Broken-down local time as `struct tm` holds it: fields may be out of range until normalized.
/// `month` is 0-based like `tm_mon`; `year` is the full year.
struct Fields {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    mutating func resetBelowYear(_ usec: inout Int) {
        month = 0
        resetBelowMonth(&usec)
    }
    mutating func resetBelowMonth(_ usec: inout Int) {
        day = 1
        resetBelowDay(&usec)
    }
    mutating func resetBelowDay(_ usec: inout Int) {
        hour = 0
        resetBelowHour(&usec)
    }
    mutating func resetBelowHour(_ usec: inout Int) {
        minute = 0
        resetBelowMinute(&usec)
    }
    mutating func resetBelowMinute(_ usec: inout Int) {
        second = 0
        usec = 0
    }
}

/// `mktime`/`localtime` for one zone, on our own arithmetic.
struct BrokenDownClock {
    let zone: Zone

    /// Local seconds of possibly out-of-range fields, as `timegm` would add them up.
    @inline(__always)
    func localSeconds(_ f: Fields) -> Int {
        let months = f.year * 12 + f.month
        let y = months >= 0 ? months / 12 : (months - 11) / 12
        let m = months - y * 12
        let days = CivilDate.daysFromCivil(year: y, month: m + 1, day: 1) + f.day - 1
        return days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second
    }

    @inline(__always)
    func fields(atLocalSecond l: Int) -> Fields {
        let t = LocalDateTime(localSecond: l)
        return Fields(year: t.date.year, month: t.date.month - 1, day: t.date.day, hour: t.hour, minute: t.minute, second: t.second)
    }

    func fields(atInstant s: Int) -> Fields { fields(atLocalSecond: zone.localSecond(forInstant: s)) }

    /// `mktime`: the UTC second the fields stand for.
    @inline(__always)
    func instant(of f: Fields) -> Int { zone.instant(forLocalSecond: localSeconds(f)) }

    /// `mktime`'s normalization of the fields (a time in a DST gap moves forward).
    @inline(__always)
    func normalized(_ f: Fields) -> Fields {
        let l = localSeconds(f)
        if zone.isFixed { return fields(atLocalSecond: l) }
        return fields(atLocalSecond: zone.localSecond(forInstant: zone.instant(forLocalSecond: l)))
    }

    /// systemd's `tm_within_bounds`: 1 when the fields are a real local time, 0 when normalizing moved
    /// them forward (and they now hold the normalized time, lower fields reset), -1 when they are past
    /// 2199 or normalizing would go backwards.
    @inline(__always)
    func withinBounds(_ tm: inout Fields) -> Int {
        if tm.year > CalendarSpec.maxYear { return -1 }
        var t = normalized(tm)
        var cmp: Int
        if t.year != tm.year {
            cmp = t.year < tm.year ? -1 : 1
            t.month = 0
        } else if t.month != tm.month {
            cmp = t.month < tm.month ? -1 : 1
            t.day = 1
        } else if t.day != tm.day {
            cmp = t.day < tm.day ? -1 : 1
            t.hour = 0
        } else if t.hour != tm.hour {
            cmp = t.hour < tm.hour ? -1 : 1
            t.minute = 0
        } else if t.minute != tm.minute {
            cmp = t.minute < tm.minute ? -1 : 1
            t.second = 0
        } else {
            cmp = t.second == tm.second ? 0 : (t.second < tm.second ? -1 : 1)
        }
        if cmp < 0 { return -1 }
        if cmp > 0 { tm = t }
        return cmp == 0 ? 1 : 0
    }

    @inline(__always)
    func matchesWeekday(_ bits: Int, _ tm: Fields) -> Bool {
        if bits < 0 || bits >= CalendarSpec.allWeekdays { return true }
        let t = normalized(tm)
        let wd = Weekday(daysSinceEpoch: CivilDate.daysFromCivil(year: t.year, month: t.month + 1, day: t.day))
        return bits & (1 << (wd.rawValue - 1)) != 0
    }
}
