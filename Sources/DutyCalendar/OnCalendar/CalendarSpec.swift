/// A systemd calendar expression (`OnCalendar=`, systemd.time(7)) as systemd 252 reads it.
///
/// ```swift
/// let spec = try CalendarSpec.parse("*-06,12~01 09:00")
/// spec.normalized                          // "*-06,12~01 09:00:00"
/// try spec.next(after: base, count: 2, localZone: Zone.named("Asia/Shanghai")!)
/// // 2026-12-31T09:00:00+08:00, 2027-06-30T09:00:00+08:00
/// ```
///
/// Parsing, the normalized form and the search for the next elapse follow systemd's
/// `src/shared/calendarspec.c` field by field, so that every expression means here what it means in a
/// timer unit; `Tests/DutyCalendarTests` checks that against recorded `systemd-analyze calendar` output.
package struct CalendarSpec: Hashable, Sendable, CustomStringConvertible {
    /// One item of a field's comma list: `start`, `start..stop`, `start/repeat` or `start..stop/repeat`.
    /// Seconds are kept in microseconds, like systemd.
    package struct Component: Hashable, Sendable, Comparable {
        package var start: Int
        /// -1 when there is no upper bound.
        package var stop: Int
        /// 0 when the item does not repeat.
        package var repeatEvery: Int

        package static func < (a: Component, b: Component) -> Bool {
            (a.start, a.stop, a.repeatEvery) < (b.start, b.stop, b.repeatEvery)
        }
    }

    /// Bit 0 is Monday … bit 6 is Sunday; -1 means any day.
    package var weekdays: Int = -1
    /// `nil` is `*`.
    package var year: [Component]?
    package var month: [Component]?
    package var day: [Component]?
    package var hour: [Component]?
    package var minute: [Component]?
    /// In microseconds.
    package var second: [Component]?
    /// `~`: days count back from the end of the month (`~01` is the last day).
    package var endOfMonth = false
    /// The expression ends in ` UTC`.
    package var utc = false
    /// The zone named at the end of the expression, if any.
    package var zone: Zone?
    /// 0 or 1 when the expression ends in the local zone's standard or daylight abbreviation
    /// (`tm_isdst` is then forced to it); -1 otherwise.
    package var dst = -1
    package var dstAbbreviation: String?

    package init() {}

    /// The normalized form, exactly as `systemd-analyze calendar` prints it.
    package var normalized: String {
        var s = ""
        if weekdays > 0 && weekdays <= CalendarSpec.allWeekdays {
            s += formatWeekdays(weekdays)
            s += " "
        }
        s += formatChain(year, width: 4, microseconds: false)
        s += "-"
        s += formatChain(month, width: 2, microseconds: false)
        s += endOfMonth ? "~" : "-"
        s += formatChain(day, width: 2, microseconds: false)
        s += " "
        s += formatChain(hour, width: 2, microseconds: false)
        s += ":"
        s += formatChain(minute, width: 2, microseconds: false)
        s += ":"
        s += formatChain(second, width: 2, microseconds: true)
        if utc {
            s += " UTC"
        } else if let zone {
            s += " " + zone.identifier
        } else if dst >= 0, let dstAbbreviation {
            s += " " + dstAbbreviation
        }
        return s
    }

    package var description: String { normalized }

    static let allWeekdays = 127
    static let minYear = 1970
    static let maxYear = 2199
}

private func formatWeekdays(_ bits: Int) -> String {
    var out = ""
    var runStart = -1
    var needComma = false
    func closeRun(at x: Int) {
        if x > runStart + 1 {
            out += x > runStart + 2 ? ".." : ","
            out += Weekday(rawValue: x)!.shortName  // day x-1, 0-based
        }
    }
    for x in 0..<7 {
        if bits & (1 << x) != 0 {
            if runStart < 0 {
                if needComma { out += "," } else { needComma = true }
                out += Weekday(rawValue: x + 1)!.shortName
                runStart = x
            }
        } else if runStart >= 0 {
            closeRun(at: x)
            runStart = -1
        }
    }
    if runStart >= 0 { closeRun(at: 7) }
    return out
}

private func formatChain(_ chain: [CalendarSpec.Component]?, width: Int, microseconds: Bool) -> String {
    guard let chain, !chain.isEmpty else { return "*" }
    let d = microseconds ? 1_000_000 : 1
    if microseconds && chain.count == 1 && chain[0].start == 0 && chain[0].stop < 0 && chain[0].repeatEvery == 1_000_000
    {
        return "*"
    }
    var parts: [String] = []
    for c in chain {
        var s = zeroPadded(c.start / d, width)
        if c.start % d > 0 { s += "." + zeroPadded(c.start % d, 6) }
        if c.stop > 0 { s += ".." + zeroPadded(c.stop / d, width) }
        if c.stop % d > 0 { s += "." + zeroPadded(c.stop % d, 6) }
        if c.repeatEvery > 0 && !(c.stop > 0 && c.repeatEvery == d) { s += "/\(c.repeatEvery / d)" }
        if c.repeatEvery % d > 0 { s += "." + zeroPadded(c.repeatEvery % d, 6) }
        parts.append(s)
    }
    return parts.joined(separator: ",")
}
