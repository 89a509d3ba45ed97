extension RecurrenceRule: CustomStringConvertible {
    /// The rule in RFC 5545 text, parts in the order the RFC lists them:
    /// `FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1`.
    package var description: String {
        var parts = ["FREQ=\(frequency.name)"]
        switch until {
        case .local(let l)?: parts.append("UNTIL=\(Self.basic(l))")
        case .utc(let i)?: parts.append("UNTIL=\(Self.basic(LocalDateTime(localSecond: i.seconds)))Z")
        case nil: break
        }
        if let count { parts.append("COUNT=\(count)") }
        if interval != 1 { parts.append("INTERVAL=\(interval)") }
        func list(_ name: String, _ v: [Int]) {
            if !v.isEmpty { parts.append("\(name)=" + v.map(String.init).joined(separator: ",")) }
        }
        list("BYSECOND", bySecond)
        list("BYMINUTE", byMinute)
        list("BYHOUR", byHour)
        if !byDay.isEmpty {
            parts.append(
                "BYDAY="
                    + byDay.map { ($0.ordinal == 0 ? "" : String($0.ordinal)) + $0.weekday.icalName }.joined(
                        separator: ","
                    )
            )
        }
        list("BYMONTHDAY", byMonthDay)
        list("BYYEARDAY", byYearDay)
        list("BYWEEKNO", byWeekNo)
        list("BYMONTH", byMonth)
        list("BYSETPOS", bySetPos)
        if weekStart != .monday { parts.append("WKST=\(weekStart.icalName)") }
        return parts.joined(separator: ";")
    }

    private static func basic(_ l: LocalDateTime) -> String {
        String(l.description.prefix(19).filter { $0 != "-" && $0 != ":" })
    }
}
