extension Recurrence {
    /// Reads the iCalendar form: a `DTSTART` line (`DTSTART:19970902T090000`, `…Z`, or
    /// `DTSTART;TZID=America/New_York:…`, `DTSTART;VALUE=DATE:19970902`) and an `RRULE:` line.
    /// RFC 5545's rule on `UNTIL` applies: floating start, floating `UNTIL`; zoned or UTC start, UTC `UNTIL`.
    package static func parse(ical text: String) throws(CalendarError) -> Recurrence {
        var start: (LocalDateTime, Zone?, utc: Bool)?
        var ruleText: String?
        for (n, rawLine) in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let line = rawLine.trimmingSuffix("\r")
            let upper = line.uppercased()
            if upper.hasPrefix("DTSTART") {
                guard let colon = line.lastIndex(of: ":") else {
                    throw CalendarError(
                        .invalidRule,
                        "DTSTART: expected DTSTART[;TZID=zone]:YYYYMMDDTHHMMSS",
                        line: n + 1
                    )
                }
                var zone: Zone?
                for param in line[line.index(line.startIndex, offsetBy: 7)..<colon].split(separator: ";") {
                    if param.uppercased().hasPrefix("TZID=") {
                        let name = String(param.dropFirst(5))
                        guard let z = Zone.named(name) else {
                            throw CalendarError(
                                .unknownZone,
                                "DTSTART: unknown time zone '\(name)'; expected an IANA name such as Asia/Shanghai",
                                line: n + 1
                            )
                        }
                        zone = z
                    }
                }
                let value = String(line[line.index(after: colon)...])
                guard let (local, rest) = LocalDateTime.parsePrefix(value), rest.isEmpty || rest == "Z" else {
                    throw CalendarError(
                        .invalidRule,
                        "DTSTART: expected YYYYMMDDTHHMMSS, found '\(value)'",
                        line: n + 1
                    )
                }
                start = (local, rest == "Z" ? .utc : zone, rest == "Z")
            } else if upper.hasPrefix("RRULE:") {
                ruleText = String(line.dropFirst(6))
            }
        }
        guard let (local, zone, _) = start else {
            throw CalendarError(.invalidRule, "DTSTART is missing; expected a line DTSTART:YYYYMMDDTHHMMSS")
        }
        guard let ruleText else { throw CalendarError(.invalidRule, "RRULE is missing; expected a line RRULE:FREQ=…") }
        let rule = try RecurrenceRule.parse(ruleText)
        switch (rule.until, zone) {
        case (.utc?, nil):
            throw CalendarError(
                .invalidRule,
                "UNTIL is in UTC but DTSTART is floating; write UNTIL as local time without Z"
            )
        case (.local?, _?):
            throw CalendarError(.invalidRule, "UNTIL must be in UTC (ending in Z) when DTSTART has a time zone")
        default:
            break
        }
        let recurrence = Recurrence(rule: rule, start: local, zone: zone)
        try recurrence.checkTimesReachable()
        return recurrence
    }

    /// With `FREQ=HOURLY`, `MINUTELY` or `SECONDLY`, the interval steps through only some hours,
    /// minutes or seconds of the day; a BYHOUR/BYMINUTE/BYSECOND that none of them hits gives a rule
    /// with no occurrence at all, which is refused here rather than searched for until the year 9999.
    package func checkTimesReachable() throws(CalendarError) {
        let unit: Int
        switch rule.frequency {
        case .hourly: unit = 3600
        case .minutely: unit = 60
        case .secondly: unit = 1
        default: return
        }
        let day = 86_400
        let step = gcd(rule.interval * unit, day)
        // The times of day the interval can land on, as seconds of the day, starting from DTSTART.
        var t = floorMod(start.hour * 3600 + start.minute * 60 + start.second, step)
        while t < day {
            let hourOK = rule.byHour.isEmpty || rule.byHour.contains(t / 3600)
            let minuteOK = unit > 60 || rule.byMinute.isEmpty || rule.byMinute.contains(t / 60 % 60)
            let secondOK = unit > 1 || rule.bySecond.isEmpty || rule.bySecond.contains(t % 60)
            if hourOK && minuteOK && secondOK { return }
            t += step
        }
        throw CalendarError(
            .invalidRule,
            "with FREQ=\(rule.frequency.name);INTERVAL=\(rule.interval) from \(start), the BYHOUR/BYMINUTE/BYSECOND "
                + "values are never reached, so the rule has no occurrence; change the interval or the values"
        )
    }
}

extension Substring {
    fileprivate func trimmingSuffix(_ s: String) -> Substring { hasSuffix(s) ? dropLast(s.count) : self }
}
