/// Broken-down local time as C's `struct tm` holds it: fields may be out of range until normalized.
/// `month` is 0-based like `tm_mon`; `year` is the full year; `isDST` is `tm_isdst` (-1 unknown).
struct Fields {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var isDST: Int

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

/// glibc's `mktime` and `localtime` for one zone, on our own arithmetic, so that calendar
/// expressions step through DST changes exactly as systemd does on Debian:
///
/// - a local time in a spring-forward gap moves forward (or back, when `tm_isdst` says DST);
/// - a local time that occurs twice takes the offset `mktime` used last (its cached guess);
/// - fields that carry a `tm_isdst` the date does not have are read with the offset of the nearest
///   period that has it, found by probing a week at a time, as glibc does.
struct BrokenDownClock {
    let zone: Zone
    /// glibc's static `localtime_offset`: the offset of the last `mktime` result.
    var lastOffset: Int
    /// The single-offset stretch of local time the last conversion fell in: most conversions land in
    /// it again and skip the zone search.
    private var recent = Zone.Period.empty

    init(zone: Zone, lastOffset: Int) {
        self.zone = zone
        self.lastOffset = lastOffset
    }

    /// Local seconds of possibly out-of-range fields, as `timegm` adds them up.
    @inline(__always)
    static func localSeconds(_ f: Fields) -> Int {
        let (y, m) = floorDivMod(f.year * 12 + f.month, 12)
        let days = CivilDate.daysFromCivil(year: y, month: m + 1, day: 1) + f.day - 1
        return days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second
    }

    @inline(__always)
    static func fields(atLocalSecond l: Int, isDST: Int) -> Fields {
        let t = LocalDateTime(localSecond: l)
        return Fields(
            year: t.date.year,
            month: t.date.month - 1,
            day: t.date.day,
            hour: t.hour,
            minute: t.minute,
            second: t.second,
            isDST: isDST
        )
    }

    /// `localtime_r`.
    func localtime(_ s: Int) -> Fields {
        BrokenDownClock.fields(
            atLocalSecond: zone.localSecond(forInstant: s),
            isDST: zone.isDaylightSavingTime(atSecond: s) ? 1 : 0
        )
    }

    @inline(__always)
    private func dst(_ t: Int) -> Int { zone.isDaylightSavingTime(atSecond: t) ? 1 : 0 }

    /// `mktime`: normalizes `f` in place (fields and `isDST`) and returns the UTC second.
    @inline(__always)
    mutating func mktime(_ f: inout Fields) -> Int {
        let l = BrokenDownClock.localSeconds(f)
        // Fast path: fields already in range, in the stretch of the last conversion, with a matching
        // (or no) tm_isdst: mktime would change nothing but tm_isdst.
        if recent.contains(l) && (f.isDST < 0 || (f.isDST == 1) == recent.isDST) && f.month >= 0 && f.month < 12
            && f.day >= 1 && (f.day <= 28 || f.day <= CivilDate.daysInMonth(year: f.year, month: f.month + 1))
            && f.hour >= 0
            && f.hour < 24 && f.minute >= 0 && f.minute < 60 && f.second >= 0 && f.second < 60
        {
            f.isDST = recent.isDST ? 1 : 0
            lastOffset = recent.offset
            return l - recent.offset
        }
        if zone.isFixed {
            let t = zone.instant(forLocalSecond: l)
            f = BrokenDownClock.fields(atLocalSecond: l, isDST: 0)
            recent = zone.period(containingLocal: l) ?? .empty
            return t
        }
        let t = resolve(l, requestedDST: f.isDST)
        lastOffset = l - t
        f = localtime(t)
        let settled = BrokenDownClock.localSeconds(f)
        if let p = zone.period(containingLocal: settled), p.offset == settled - t { recent = p }
        return t
    }

    private func resolve(_ l: Int, requestedDST r: Int) -> Int {
        var t: Int
        switch zone.resolution(forLocalSecond: l) {
        case .unique(let offset):
            t = l - offset
        case .gap(let before, let after):
            // glibc oscillates between the two readings and keeps the one whose tm_isdst differs from
            // the request (with no request: the DST one). Reading with `before` lands after the gap.
            let forward = l - before
            let backward = l - after
            if r == 1 { return dst(backward) == 0 ? backward : forward }
            return dst(forward) == 0 && dst(backward) != 0 ? backward : forward
        case .overlap(let before, let after):
            let earlier = l - before
            let later = l - after
            if lastOffset == before {
                t = earlier
            } else if lastOffset == after {
                t = later
            } else {
                // Converge from the cached guess as glibc's loop does.
                var guess = l - lastOffset
                for _ in 0..<6 {
                    let next = guess + (l - zone.localSecond(forInstant: guess))
                    if next == guess { break }
                    guess = next
                }
                t = guess == earlier || guess == later ? guess : earlier
            }
            if r >= 0 && dst(t) != r {
                let other = t == earlier ? later : earlier
                if dst(other) == r { return other }
            }
        }
        if r >= 0 && dst(t) != r {
            // Probe a week at a time in both directions for a time with the requested tm_isdst and
            // read the fields with its offset.
            let stride = 601_200
            let bound = 457_243_200 / 2 + stride
            var delta = stride
            while delta < bound {
                for probe in [t - delta, t + delta] where dst(probe) == r {
                    return l - zone.offset(atSecond: probe)
                }
                delta += stride
            }
        }
        return t
    }

    /// systemd's `tm_within_bounds`: 1 when the fields are a real local time, 0 when normalizing moved
    /// them forward (they now hold the normalized time, the field below the first change reset), -1
    /// when they are past 2199 or normalizing would go backwards.
    @inline(__always)
    mutating func withinBounds(_ tm: inout Fields) -> Int {
        if tm.year > CalendarSpec.maxYear { return -1 }
        var t = tm
        _ = mktime(&t)
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

    /// systemd's `matches_weekday`, bit 0 Monday.
    @inline(__always)
    mutating func matchesWeekday(_ bits: Int, _ tm: Fields) -> Bool {
        if bits < 0 || bits >= CalendarSpec.allWeekdays { return true }
        var t = tm
        _ = mktime(&t)
        let wd = Weekday(daysSinceEpoch: CivilDate.daysFromCivil(year: t.year, month: t.month + 1, day: t.day))
        return bits & (1 << (wd.rawValue - 1)) != 0
    }

    /// systemd's `find_end_of_month`: the day of `tm`'s month that is `day` days back from its end
    /// (1 is the last day), or -1 when that falls outside the month.
    @inline(__always)
    mutating func endOfMonth(_ tm: Fields, _ day: Int) -> Int {
        var t = tm
        t.month += 1
        t.day = 1 - day
        _ = mktime(&t)
        return t.month != tm.month ? -1 : t.day
    }
}
