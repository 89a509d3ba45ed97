extension CalendarSpec {
    /// The first elapse strictly after `base`, or `nil` when the expression never elapses again
    /// (a fixed date in the past, a date that does not exist, or past systemd's last year 2199).
    ///
    /// `localZone` is the zone an expression without a zone suffix is read in (systemd's `TZ`).
    /// Throws `.noElapse` where systemd's own loop breaker gives up ("Infinite loop in calendar
    /// calculation"), so that dutyd never promises a time systemd would not.
    package func next(after base: Instant, localZone: Zone) throws(CalendarError) -> Instant? {
        let zone: Zone = utc ? .utc : (self.zone ?? localZone)
        let start = Instant(microseconds: base.microseconds + 1)
        let seconds = start.seconds
        var usec = start.microsecondOfSecond
        var clock = BrokenDownClock(zone: zone, lastOffset: zone.offset(atSecond: seconds))
        var tm = clock.localtime(seconds)
        switch findNext(&tm, &usec, &clock) {
        case .found:
            return Instant(microseconds: clock.mktime(&tm) * 1_000_000 + usec)
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
    private func findNext(_ tmIn: inout Fields, _ usecIn: inout Int, _ clock: inout BrokenDownClock) -> Outcome {
        var c = tmIn
        var usec = usecIn
        for _ in 0..<1000 {
            _ = clock.mktime(&c)
            c.isDST = dst

            var v = c.year
            var r = match(year, &v, c, &clock)
            c.year = v
            if r > 0 { c.resetBelowYear(&usec) }
            if r < 0 { return .never }
            if clock.withinBounds(&c) <= 0 { return .never }

            v = c.month + 1
            r = match(month, &v, c, &clock)
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
            r = match(day, &v, c, &clock, countsFromMonthEnd: endOfMonth)
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
            r = match(hour, &v, c, &clock)
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
            r = match(minute, &v, c, &clock)
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
            r = match(second, &v, c, &clock)
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
    private func match(
        _ chain: [Component]?,
        _ value: inout Int,
        _ tm: Fields,
        _ clock: inout BrokenDownClock,
        countsFromMonthEnd fromEnd: Bool = false
    ) -> Int {
        guard let chain else { return 0 }
        var best = -1
        var found = false
        for c in chain {
            var start = c.start
            var stop = c.stop
            if fromEnd {
                start = clock.endOfMonth(tm, c.start)
                stop = clock.endOfMonth(tm, c.stop)
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
