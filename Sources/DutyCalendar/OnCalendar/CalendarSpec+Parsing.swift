extension CalendarSpec {
    /// Reads a calendar expression; throws `CalendarError` (code `.invalidExpression`) with the column
    /// and what was expected wherever systemd 252 would refuse it.
    ///
    /// Accepted: an optional weekday list (`Mon..Fri`, `Sat,Sun`), an optional date (`YYYY-MM-DD`,
    /// `MM-DD`, `*-MM~DD` counting from the month's end), an optional time (`HH:MM[:SS[.ffffff]]`), each
    /// field a comma list of values, `a..b` ranges and `/n` repetitions; the shorthands `minutely`,
    /// `hourly`, `daily`, `weekly`, `monthly`, `quarterly`, `semiannually`, `yearly`/`annually`;
    /// `@EPOCH`; and a trailing ` UTC` or IANA zone name.
    ///
    /// `localZone` is the zone an expression without a suffix is read in (systemd's `TZ`); its
    /// abbreviations (`CST`, `EST`/`EDT`) are accepted as a suffix meaning "local standard (or
    /// daylight) time", as systemd accepts `tzname`.
    package static func parse(_ text: String, localZone: Zone = .utc) throws(CalendarError) -> CalendarSpec {
        var bytes = Array(text.utf8)
        var spec = CalendarSpec()

        if bytes.count >= 4, lowered(bytes[(bytes.count - 4)...]) == Array(" utc".utf8) {
            spec.utc = true
            bytes.removeLast(4)
        } else if let (j, length) = localAbbreviationSuffix(bytes, localZone) {
            spec.dst = j
            spec.dstAbbreviation = localZone.abbreviations[j]
            bytes.removeLast(length + 1)
        } else if let space = bytes.lastIndex(of: UInt8(ascii: " ")) {
            let name = String(decoding: bytes[(space + 1)...], as: UTF8.self)
            if !name.isEmpty, let zone = Zone.named(name) {
                spec.zone = zone
                bytes.removeSubrange(space...)
            }
        }
        if bytes.isEmpty {
            throw CalendarError(
                .invalidExpression,
                "empty calendar expression; expected for example 'daily' or '*-06,12~01 09:00'",
                column: 1
            )
        }

        var columns = ComponentColumns()
        if !applyShorthand(String(decoding: lowered(bytes[...]), as: UTF8.self), to: &spec) {
            var scanner = ExpressionScanner(bytes: bytes)
            do throws(CalendarError) {
                try scanner.parseWeekdays(into: &spec)
                let dateDone = try scanner.parseDate(into: &spec, columns: &columns)
                if !dateDone {
                    try scanner.parseTime(into: &spec, columns: &columns)
                }
                if !scanner.atEnd {
                    throw scanner.error("unexpected '\(scanner.currentCharacter)'; expected the end of the expression")
                }
            } catch {
                throw unknownZoneSuffix(text, localZone) ?? error
            }
        }

        spec.normalize()
        try spec.validate(columns: columns)
        return spec
    }

    /// When the expression fails only because of its last word, that word was meant as a time zone
    /// (`Asia/Shangai`, `北京`): say so, rather than complain about the space before it.
    private static func unknownZoneSuffix(_ text: String, _ localZone: Zone) -> CalendarError? {
        guard let space = text.lastIndex(of: " ") else { return nil }
        let word = text[text.index(after: space)...]
        let lowered = word.lowercased()
        let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        guard word.contains(where: { $0.isLetter }), !weekdays.contains(where: { lowered.hasPrefix($0) }),
            (try? parse(String(text[..<space]), localZone: localZone)) != nil
        else { return nil }
        return CalendarError(
            .invalidExpression,
            "unknown time zone '\(word)'; expected an IANA name such as Asia/Shanghai or UTC (see timedatectl "
                + "list-timezones)",
            column: text[...space].count + 1
        )
    }

    /// Which of the local zone's abbreviations ends the expression after a space, and its length.
    private static func localAbbreviationSuffix(_ bytes: [UInt8], _ zone: Zone) -> (Int, Int)? {
        for j in 0...1 {
            let name = lowered(Array(zone.abbreviations[j].utf8)[...])
            guard !name.isEmpty, bytes.count > name.count, lowered(bytes[(bytes.count - name.count)...]) == name,
                bytes[bytes.count - name.count - 1] == UInt8(ascii: " ")
            else { continue }
            return (j, name.count)
        }
        return nil
    }

    /// The shorthands of systemd.time(7); `false` when `text` is none of them.
    private static func applyShorthand(_ text: String, to spec: inout CalendarSpec) -> Bool {
        let zero = [Component(start: 0, stop: -1, repeatEvery: 0)]
        func one(_ v: Int) -> Component { Component(start: v, stop: -1, repeatEvery: 0) }
        switch text {
        case "minutely":
            spec.second = zero
        case "hourly":
            spec.minute = zero
            spec.second = zero
        case "daily":
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "monthly":
            spec.day = [one(1)]
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "annually", "yearly", "anually":
            spec.month = [one(1)]
            spec.day = [one(1)]
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "weekly":
            spec.weekdays = 1
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "quarterly":
            spec.month = [one(1), one(4), one(7), one(10)]
            spec.day = [one(1)]
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        case "biannually", "bi-annually", "semiannually", "semi-annually":
            spec.month = [one(1), one(7)]
            spec.day = [one(1)]
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
        default:
            return false
        }
        return true
    }

    /// Two-digit years as systemd reads them (12 is 2012, 89 is 1989), ranges trimmed to a whole number
    /// of repetitions, items sorted and duplicates dropped.
    mutating func normalize() {
        if let zone, zone.identifier == "UTC" {
            utc = true
            self.zone = nil
        }
        if weekdays <= 0 || weekdays >= CalendarSpec.allWeekdays { weekdays = -1 }
        if endOfMonth && day == nil { endOfMonth = false }
        if let y = year {
            year = y.map { component in
                var component = component
                if component.start >= 0 && component.start < 70 {
                    component.start += 2000
                } else if component.start >= 70 && component.start < 100 {
                    component.start += 1900
                }
                if component.stop >= 0 && component.stop < 70 {
                    component.stop += 2000
                } else if component.stop >= 70 && component.stop < 100 {
                    component.stop += 1900
                }
                return component
            }
        }
        year = year.map(normalizedChain)
        month = month.map(normalizedChain)
        day = day.map(normalizedChain)
        hour = hour.map(normalizedChain)
        minute = minute.map(normalizedChain)
        second = second.map(normalizedChain)
    }

    private func normalizedChain(_ chain: [Component]) -> [Component] {
        var out: [Component] = []
        for var c in chain {
            if c.stop > c.start && c.repeatEvery > 0 {
                c.stop -= (c.stop - c.start) % c.repeatEvery
            }
            if (c.stop > c.start && c.repeatEvery > 0 && c.start + c.repeatEvery > c.stop) || c.start == c.stop {
                c.repeatEvery = 0
                c.stop = -1
            }
            out.append(c)
        }
        out.sort()
        var unique: [Component] = []
        for c in out where unique.last != c { unique.append(c) }
        return unique
    }

    private func validate(columns: ComponentColumns) throws(CalendarError) {
        try check(year, "year", CalendarSpec.minYear, CalendarSpec.maxYear, endOfMonth: false, columns.year)
        try check(month, "month", 1, 12, endOfMonth: false, columns.month)
        try check(day, "day", 1, 31, endOfMonth: endOfMonth, columns.day)
        try check(hour, "hour", 0, 23, endOfMonth: false, columns.hour)
        try check(minute, "minute", 0, 59, endOfMonth: false, columns.minute)
        try check(second, "second", 0, 60 * 1_000_000 - 1, endOfMonth: false, columns.second)
    }

    private func check(
        _ chain: [Component]?,
        _ field: String,
        _ from: Int,
        _ upper: Int,
        endOfMonth: Bool,
        _ columns: [Int: Int]
    ) throws(CalendarError) {
        guard let chain else { return }
        let to = endOfMonth ? upper - 3 : upper
        let scale = field == "second" ? 1_000_000 : 1
        let shown = { (v: Int) -> String in scale == 1 ? String(v) : String(Double(v) / Double(scale)) }
        let range = "\(shown(from))..\(field == "second" ? "59" : shown(to))"
        let eomNote = endOfMonth ? " after '~' (days back from the month's end)" : ""
        for c in chain {
            let col = columns[c.start] ?? columns.values.min()
            func fail(_ message: String) -> CalendarError {
                CalendarError(.invalidExpression, message, column: col)
            }
            if c.start < from || c.start > to {
                throw fail("\(field) \(shown(c.start)) is out of range; expected \(range)\(eomNote)")
            }
            if c.repeatEvery > to - from {
                throw fail("repetition /\(shown(c.repeatEvery)) is longer than the \(field) field (\(range))")
            }
            if c.stop >= 0 {
                if c.stop < from || c.stop > to {
                    throw fail("\(field) \(shown(c.stop)) is out of range; expected \(range)\(eomNote)")
                }
                if c.start + c.repeatEvery > c.stop {
                    throw fail(
                        "range \(shown(c.start))..\(shown(c.stop)) runs backwards; expected the smaller \(field) first"
                    )
                }
            } else if endOfMonth && c.start - c.repeatEvery < from {
                throw fail("repetition /\(shown(c.repeatEvery)) after ~\(c.start) reaches before the month's start")
            } else if !endOfMonth && c.start + c.repeatEvery > to {
                throw fail(
                    "repetition \(shown(c.start))/\(shown(c.repeatEvery)) never repeats within \(range)"
                )
            }
        }
    }
}

/// The column where each component was written, keyed by its start value, for error messages.
struct ComponentColumns {
    var year: [Int: Int] = [:]
    var month: [Int: Int] = [:]
    var day: [Int: Int] = [:]
    var hour: [Int: Int] = [:]
    var minute: [Int: Int] = [:]
    var second: [Int: Int] = [:]
}

private func lowered(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
}

/// A cursor over the expression's bytes that reads the weekday, date and time parts.
private struct ExpressionScanner {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }
    func peek(_ k: Int = 0) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
    var currentCharacter: String {
        guard i < bytes.count else { return "end" }
        // Show the whole UTF-8 character at i.
        var j = i + 1
        while j < bytes.count && bytes[j] & 0xC0 == 0x80 { j += 1 }
        return String(decoding: bytes[i..<j], as: UTF8.self)
    }
    /// 1-based column in characters.
    func column(_ at: Int) -> Int {
        var n = 1
        var k = 0
        while k < at && k < bytes.count {
            if bytes[k] & 0xC0 != 0x80 { n += 1 }
            k += 1
        }
        return n - (at < bytes.count && bytes[at] & 0xC0 == 0x80 ? 1 : 0)
    }
    func error(_ message: String, at: Int? = nil) -> CalendarError {
        CalendarError(.invalidExpression, message, column: column(at ?? i))
    }
    mutating func skipSpaces() { while peek() == UInt8(ascii: " ") { i += 1 } }

    static let dayNames: [(String, Int)] = [
        ("monday", 0), ("mon", 0), ("tuesday", 1), ("tue", 1), ("wednesday", 2), ("wed", 2),
        ("thursday", 3), ("thu", 3), ("friday", 4), ("fri", 4), ("saturday", 5), ("sat", 5),
        ("sunday", 6), ("sun", 6),
    ]

    func matchDay() -> (length: Int, number: Int)? {
        for (name, nr) in ExpressionScanner.dayNames {
            let n = name.utf8.count
            guard i + n <= bytes.count else { continue }
            var ok = true
            for (k, c) in name.utf8.enumerated() {
                var b = bytes[i + k]
                if b >= 65 && b <= 90 { b += 32 }
                if b != c {
                    ok = false
                    break
                }
            }
            if ok { return (n, nr) }
        }
        return nil
    }

    mutating func parseWeekdays(into spec: inout CalendarSpec) throws(CalendarError) {
        var rangeStart = -1
        var first = true
        var bits = 0
        defer { if bits != 0 { spec.weekdays = bits } }
        while true {
            guard let (len, nr) = matchDay() else {
                if first { return }
                throw error("expected a weekday (Mon, Tue, … Sun)")
            }
            let after = peek(len)
            guard [0, UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: " ")].contains(after)
            else {
                throw error(
                    "unexpected '\(String(UnicodeScalar(after)))' after the weekday; expected ',', '..' or a space",
                    at: i + len
                )
            }
            bits |= 1 << nr
            if rangeStart >= 0 {
                if rangeStart > nr {
                    throw error(
                        "weekday range runs backwards (systemd does not wrap past Sunday); write it as two ranges such as Fri..Sun,Mon"
                    )
                }
                for j in (rangeStart + 1)..<max(rangeStart + 1, nr) { bits |= 1 << j }
            }
            i += len
            if atEnd { return }
            if peek() == UInt8(ascii: " ") {
                skipSpaces()
                return
            }
            if peek() == UInt8(ascii: ".") {
                if rangeStart >= 0 { throw error("a weekday range cannot have two ends") }
                if peek(1) != UInt8(ascii: ".") { throw error("expected '..' for a weekday range") }
                rangeStart = nr
                i += 2
            } else if peek() == UInt8(ascii: "-") {
                if rangeStart >= 0 { throw error("a weekday range cannot have two ends") }
                rangeStart = nr
                i += 1
            } else if peek() == UInt8(ascii: ",") {
                rangeStart = -1
                i += 1
            }
            if atEnd || peek() == UInt8(ascii: " ") {
                if rangeStart >= 0 { throw error("open weekday range; expected the weekday that ends it") }
                skipSpaces()
                return
            }
            first = false
        }
    }

    /// Reads `[[YYYY-]MM-]DD` or `@EPOCH`. Returns `true` when nothing may follow (`@EPOCH`).
    mutating func parseDate(
        into spec: inout CalendarSpec,
        columns: inout ComponentColumns
    ) throws(CalendarError) -> Bool {
        if atEnd { return false }
        if peek() == UInt8(ascii: "@") {
            let start = i + 1
            var j = start
            while j < bytes.count && bytes[j] >= 48 && bytes[j] <= 57 { j += 1 }
            guard j > start, let seconds = digits(bytes[start..<j]) else {
                throw error("expected seconds since the epoch after '@'", at: start)
            }
            // systemd refuses an instant past its last calendar year.
            let last = CivilDate.daysFromCivil(year: CalendarSpec.maxYear + 1, month: 1, day: 1) * 86_400 - 1
            guard seconds <= last else {
                throw error(
                    "@\(seconds) is past \(CalendarSpec.maxYear)-12-31 23:59:59 UTC, the last time systemd accepts",
                    at: start
                )
            }
            i = j
            let local = LocalDateTime(localSecond: seconds)
            func one(_ v: Int) -> [CalendarSpec.Component] { [.init(start: v, stop: -1, repeatEvery: 0)] }
            spec.year = one(local.date.year)
            spec.month = one(local.date.month)
            spec.day = one(local.date.day)
            spec.hour = one(local.hour)
            spec.minute = one(local.minute)
            spec.second = one(local.second * 1_000_000)
            spec.utc = true
            columns.year[local.date.year] = column(start)
            return true
        }
        let save = i
        var firstColumns: [Int: Int] = [:]
        let first = try parseChain(microseconds: false, field: "year or month", columns: &firstColumns)
        if atEnd || peek() == UInt8(ascii: ":") {
            i = save  // it was a time
            return false
        }
        if peek() == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if peek() != UInt8(ascii: "-") {
            throw error("unexpected '\(currentCharacter)'; expected '-' or '~' between date fields, or ':' in a time")
        }
        i += 1
        var secondColumns: [Int: Int] = [:]
        let second = try parseChain(microseconds: false, field: "month or day", columns: &secondColumns)
        if atEnd || peek() == UInt8(ascii: " ") {
            skipSpaces()
            spec.month = first
            spec.day = second
            columns.month = firstColumns
            columns.day = secondColumns
            return false
        }
        if spec.endOfMonth {
            throw error("'~' must stand between the month and the day (YYYY-MM~DD)")
        }
        if peek() == UInt8(ascii: "~") {
            spec.endOfMonth = true
        } else if peek() != UInt8(ascii: "-") {
            throw error(
                "unexpected '\(currentCharacter)'; expected '-' or '~' before the day, or a space before the time"
            )
        }
        i += 1
        var thirdColumns: [Int: Int] = [:]
        let third = try parseChain(microseconds: false, field: "day", columns: &thirdColumns)
        if !(atEnd || peek() == UInt8(ascii: " ")) {
            if peek() == UInt8(ascii: "~") {
                throw error("'~' must stand between the month and the day (YYYY-MM~DD), once")
            }
            throw error("unexpected '\(currentCharacter)' after the day; expected a space before the time (no 'T')")
        }
        skipSpaces()
        spec.year = first
        spec.month = second
        spec.day = third
        columns.year = firstColumns
        columns.month = secondColumns
        columns.day = thirdColumns
        return false
    }

    /// Reads `HH:MM[:SS[.ffffff]]`; no time at all means 00:00:00.
    mutating func parseTime(into spec: inout CalendarSpec, columns: inout ComponentColumns) throws(CalendarError) {
        let zero = [CalendarSpec.Component(start: 0, stop: -1, repeatEvery: 0)]
        if atEnd {
            (spec.hour, spec.minute, spec.second) = (zero, zero, zero)
            return
        }
        let h = try parseChain(microseconds: false, field: "hour", columns: &columns.hour)
        if peek() != UInt8(ascii: ":") {
            throw error("unexpected '\(currentCharacter)'; expected ':' after the hour (HH:MM)")
        }
        i += 1
        let m = try parseChain(microseconds: false, field: "minute", columns: &columns.minute)
        if atEnd {
            (spec.hour, spec.minute, spec.second) = (h, m, zero)
            return
        }
        if peek() != UInt8(ascii: ":") {
            throw error(
                "unexpected '\(currentCharacter)' after the minute; expected ':' and seconds, or the end (a list of times is written 08,12:30, not 08:30,12:30)"
            )
        }
        i += 1
        let s = try parseChain(microseconds: true, field: "second", columns: &columns.second)
        if !atEnd {
            let hint = peek() == UInt8(ascii: ":") ? " (a list of times is written 08,12:30, not 08:30,12:30)" : ""
            throw error(
                "unexpected '\(currentCharacter)' after the seconds; expected the end of the expression or a time zone\(hint)"
            )
        }
        (spec.hour, spec.minute, spec.second) = (h, m, s)
    }

    mutating func parseChain(
        microseconds: Bool,
        field: String,
        columns: inout [Int: Int]
    ) throws(CalendarError) -> [CalendarSpec.Component]? {
        if peek() == UInt8(ascii: "*") {
            i += 1
            return microseconds ? [.init(start: 0, stop: -1, repeatEvery: 1_000_000)] : nil
        }
        var chain: [CalendarSpec.Component] = []
        while true {
            if chain.count > 240 { throw error("too many items in the \(field) list (at most 240)") }
            let col = column(i)
            let start = try decimal(microseconds: microseconds, field: field)
            var stop = -1
            var rep = 0
            if peek() == UInt8(ascii: "."), peek(1) == UInt8(ascii: ".") {
                i += 2
                stop = try decimal(microseconds: microseconds, field: field)
                rep = microseconds ? 1_000_000 : 1
            }
            if peek() == UInt8(ascii: "/") {
                i += 1
                let at = i
                rep = try decimal(microseconds: microseconds, field: field)
                if rep == 0 { throw error("a repetition of /0 never advances; expected a positive number", at: at) }
            } else if microseconds && stop >= 0 && start + rep > stop {
                throw error("range of seconds runs backwards; expected the smaller value first", at: i - 1)
            }
            let next = peek()
            guard
                [0, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: ":")]
                    .contains(next)
            else {
                let hint = next == UInt8(ascii: "T") ? " (date and time are separated by a space, no 'T')" : ""
                throw error(
                    "unexpected '\(currentCharacter)' in the \(field); expected a digit, ',', '..', '/', '-', '~', ':' or a space\(hint)"
                )
            }
            chain.append(.init(start: start, stop: stop, repeatEvery: rep))
            if columns[start] == nil { columns[start] = col }
            if next == UInt8(ascii: ",") {
                i += 1
                continue
            }
            return chain
        }
    }

    /// A decimal number; for seconds also a fraction (`7.5`), in microseconds.
    mutating func decimal(microseconds: Bool, field: String) throws(CalendarError) -> Int {
        let start = i
        while i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 { i += 1 }
        guard i > start else {
            throw error(
                atEnd
                    ? "expected a \(field) number, found the end"
                    : "unexpected '\(currentCharacter)'; expected a \(field) number or '*'"
            )
        }
        guard i - start <= 10, var value = digits(bytes[start..<i]), value <= Int(Int32.max) else {
            throw error("\(field) number is too large", at: start)
        }
        if microseconds {
            value *= 1_000_000
            if peek() == UInt8(ascii: "."), peek(1) != UInt8(ascii: ".") {
                i += 1
                var frac = 0
                var n = 0
                while n < 6, peek() >= 48, peek() <= 57 {
                    frac = frac * 10 + Int(peek() - 48)
                    i += 1
                    n += 1
                }
                if n == 0 { throw error("expected digits after the decimal point") }
                while n < 6 {
                    frac *= 10
                    n += 1
                }
                if peek() >= UInt8(ascii: "5") && peek() <= UInt8(ascii: "9") { frac += 1 }
                while peek() >= 48 && peek() <= 57 { i += 1 }
                value += frac
            }
            if value > Int(Int32.max) { throw error("\(field) number is too large", at: start) }
        }
        return value
    }
}
