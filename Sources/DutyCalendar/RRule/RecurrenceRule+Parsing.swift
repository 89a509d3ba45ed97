extension RecurrenceRule {
    /// Parses `FREQ=…;INTERVAL=…;BY…=…` (an `RRULE:` prefix is allowed). Names are case-insensitive;
    /// every error names the column of the offending part and what RFC 5545 expects there.
    package static func parse(_ text: String) throws(CalendarError) -> RecurrenceRule {
        var body = Substring(text)
        var offset = 0
        if body.uppercased().hasPrefix("RRULE:") {
            body = body.dropFirst(6)
            offset = 6
        }
        var seen: Set<String> = []
        var parts: [(name: String, value: Substring, column: Int)] = []
        var column = offset + 1
        for raw in body.split(separator: ";", omittingEmptySubsequences: false) {
            defer { column += raw.count + 1 }
            guard let eq = raw.firstIndex(of: "=") else {
                throw CalendarError(.invalidRule, "expected NAME=VALUE, found '\(raw)'", column: column)
            }
            let name = raw[..<eq].uppercased()
            if name.hasPrefix("X-") { continue }
            if !seen.insert(name).inserted {
                throw CalendarError(
                    .invalidRule,
                    "\(name) is given twice; RFC 5545 allows each rule part once",
                    column: column
                )
            }
            parts.append((name, raw[raw.index(after: eq)...], column))
        }
        guard let freqPart = parts.first(where: { $0.name == "FREQ" }) else {
            throw CalendarError(
                .invalidRule,
                "FREQ is missing; expected FREQ=YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY or SECONDLY",
                column: offset + 1
            )
        }
        guard let freq = Frequency.allCases.first(where: { $0.name == freqPart.value.uppercased() }) else {
            throw CalendarError(
                .invalidRule,
                "unknown FREQ '\(freqPart.value)'; expected YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY, MINUTELY or SECONDLY",
                column: freqPart.column
            )
        }
        var rule = RecurrenceRule(frequency: freq)
        for (name, value, col) in parts {
            func fail(_ message: String) -> CalendarError {
                CalendarError(.invalidRule, "\(name): \(message)", column: col)
            }
            func ints(_ range: ClosedRange<Int>, signed: Bool, what: String) throws(CalendarError) -> [Int] {
                var out: [Int] = []
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let v = Int(item), !(item.hasPrefix("+") && !signed) else {
                        throw fail("expected \(what), found '\(item)'")
                    }
                    guard v.magnitude >= range.lowerBound, v.magnitude <= range.upperBound, signed || v >= 0 else {
                        throw fail("\(v) is out of range; expected \(what)")
                    }
                    out.append(v)
                }
                return out
            }
            switch name {
            case "FREQ":
                continue
            case "INTERVAL":
                guard let v = Int(value), (1...RecurrenceRule.maximumInterval).contains(v) else {
                    throw fail(
                        "expected a whole number from 1 to \(RecurrenceRule.maximumInterval), found '\(value)'"
                    )
                }
                rule.interval = v
            case "COUNT":
                guard let v = Int(value), (0...RecurrenceRule.maximumCount).contains(v) else {
                    throw fail("expected a whole number from 0 to \(RecurrenceRule.maximumCount), found '\(value)'")
                }
                rule.count = v
            case "UNTIL":
                guard let (local, rest) = LocalDateTime.parsePrefix(String(value)), rest.isEmpty || rest == "Z",
                    value.count == 8 || value.count == 15 || value.count == 16
                else { throw fail("expected a date YYYYMMDD or a time YYYYMMDDTHHMMSS[Z], found '\(value)'") }
                rule.until = rest == "Z" ? .utc(Instant(seconds: local.localSecond)) : .local(local)
            case "BYSECOND": rule.bySecond = try ints(0...60, signed: false, what: "seconds 0..60")
            case "BYMINUTE": rule.byMinute = try ints(0...59, signed: false, what: "minutes 0..59")
            case "BYHOUR": rule.byHour = try ints(0...23, signed: false, what: "hours 0..23")
            case "BYMONTHDAY": rule.byMonthDay = try ints(1...31, signed: true, what: "days of the month ±1..31")
            case "BYYEARDAY": rule.byYearDay = try ints(1...366, signed: true, what: "days of the year ±1..366")
            case "BYWEEKNO": rule.byWeekNo = try ints(1...53, signed: true, what: "week numbers ±1..53")
            case "BYMONTH": rule.byMonth = try ints(1...12, signed: false, what: "months 1..12")
            case "BYSETPOS": rule.bySetPos = try ints(1...366, signed: true, what: "positions ±1..366")
            case "BYDAY":
                for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                    guard item.count >= 2, let wd = Weekday.fromICal(item.suffix(2)) else {
                        throw fail("expected [±n]MO, TU, WE, TH, FR, SA or SU, found '\(item)'")
                    }
                    let prefix = item.dropLast(2)
                    var n = 0
                    if !prefix.isEmpty {
                        guard let v = Int(prefix), v != 0, v.magnitude <= 53 else {
                            throw fail("ordinal '\(prefix)' out of range; expected ±1..53")
                        }
                        n = v
                    }
                    rule.byDay.append(WeekdayOrdinal(weekday: wd, ordinal: n))
                }
            case "WKST":
                guard let wd = Weekday.fromICal(value) else {
                    throw fail("expected MO, TU, WE, TH, FR, SA or SU, found '\(value)'")
                }
                rule.weekStart = wd
            default:
                throw fail(
                    "unknown rule part; expected FREQ, UNTIL, COUNT, INTERVAL, BYSECOND, BYMINUTE, BYHOUR, BYDAY, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYMONTH, BYSETPOS or WKST"
                )
            }
        }
        try rule.checkCombinations(
            columns: Dictionary(parts.map { ($0.name, $0.column) }, uniquingKeysWith: { first, _ in first })
        )
        return rule
    }

    /// The combinations RFC 5545 section 3.3.10 forbids.
    private func checkCombinations(columns: [String: Int]) throws(CalendarError) {
        func fail(_ part: String, _ message: String) -> CalendarError {
            CalendarError(.invalidRule, message, column: columns[part])
        }
        if count != nil && until != nil {
            throw fail("UNTIL", "COUNT and UNTIL exclude each other; keep one")
        }
        if byDay.contains(where: { $0.ordinal != 0 }) {
            if frequency != .monthly && frequency != .yearly {
                throw fail("BYDAY", "BYDAY: an ordinal such as 2TU needs FREQ=MONTHLY or YEARLY")
            }
            if frequency == .yearly && !byWeekNo.isEmpty {
                throw fail("BYDAY", "BYDAY: an ordinal such as 2TU cannot go with BYWEEKNO")
            }
        }
        if !byMonthDay.isEmpty && frequency == .weekly {
            throw fail("BYMONTHDAY", "BYMONTHDAY cannot go with FREQ=WEEKLY")
        }
        if !byYearDay.isEmpty && [.daily, .weekly, .monthly].contains(frequency) {
            throw fail("BYYEARDAY", "BYYEARDAY cannot go with FREQ=\(frequency.name)")
        }
        if !byWeekNo.isEmpty && frequency != .yearly {
            throw fail("BYWEEKNO", "BYWEEKNO needs FREQ=YEARLY")
        }
        let hasOtherBy =
            !(bySecond.isEmpty && byMinute.isEmpty && byHour.isEmpty && byDay.isEmpty && byMonthDay.isEmpty
            && byYearDay.isEmpty && byWeekNo.isEmpty && byMonth.isEmpty)
        if !bySetPos.isEmpty && !hasOtherBy {
            throw fail("BYSETPOS", "BYSETPOS needs another BYxxx rule part to pick from")
        }
        // A position past the largest set one period can hold never matches, and the expansion would
        // walk empty periods (at SECONDLY, every second for centuries) looking for one (found by the
        // fuzzer: FREQ=SECONDLY;BYSECOND=10;BYSETPOS=-11).
        func atLeastOne(_ n: Int) -> Int { max(n, 1) }
        let perDay = atLeastOne(byHour.count) * atLeastOne(byMinute.count) * atLeastOne(bySecond.count)
        let largest =
            switch frequency {
            case .yearly: 366 * perDay
            case .monthly: 31 * perDay
            case .weekly: 7 * perDay
            case .daily: perDay
            case .hourly: atLeastOne(byMinute.count) * atLeastOne(bySecond.count)
            case .minutely: atLeastOne(bySecond.count)
            case .secondly: 1
            }
        if !bySetPos.isEmpty && bySetPos.allSatisfy({ $0.magnitude > largest }) {
            throw fail(
                "BYSETPOS",
                "BYSETPOS=\(bySetPos.map(String.init).joined(separator: ",")) can never match: a FREQ=\(frequency.name) period holds at most \(largest) occurrence(s)"
            )
        }
    }
}

extension Weekday {
    static func fromICal(_ s: some StringProtocol) -> Weekday? {
        Weekday.allCases.first { $0.icalName == s.uppercased() }
    }
}
