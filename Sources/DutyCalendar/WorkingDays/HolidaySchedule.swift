/// One year's official schedule as the State Council publishes it: the public holidays (rest days)
/// and the make-up working days (调休), each with the festival's name. Dates not listed follow the
/// weekend rule. A schedule with no notice behind it (`papers` empty, or no events) is *unpublished*.
///
/// Read from the holiday-cn JSON format (`2026.json`) or its ICS twin (`2026.ics`).
package struct HolidaySchedule: Sendable, Equatable {
    package struct Day: Sendable, Equatable {
        package var date: CivilDate
        /// The festival, e.g. 春节.
        package var name: String
        /// `true` for a holiday, `false` for a make-up working day.
        package var isOffDay: Bool
    }

    /// The year of the notice (a file may also list late December of the year before).
    package var year: Int
    package var days: [Day]
    /// Whether the notice for this year is out.
    package var published: Bool
    /// Where it was read from.
    package var source: String
}

extension HolidaySchedule {
    /// Reads a holiday-cn JSON year file. `source` names the file in errors.
    ///
    /// Checks what a wrong file would get wrong: the `year` matches `expectedYear` (the file name),
    /// every date exists, a make-up working day falls on a weekend, and no date is listed twice.
    package static func parseJSON(
        _ bytes: [UInt8],
        source: String,
        expectedYear: Int?
    ) throws(CalendarError) -> HolidaySchedule {
        let root: JSONNode
        do {
            root = try JSONDocument.parse(bytes)
        } catch {
            throw CalendarError(
                .invalidHolidayData,
                error.message,
                file: source,
                line: error.line,
                column: error.column
            )
        }
        func fail(_ node: JSONNode, _ message: String) -> CalendarError {
            CalendarError(.invalidHolidayData, message, file: source, line: node.line, column: node.column)
        }
        guard case .object = root.value else {
            throw fail(root, "expected an object with \"year\", \"papers\" and \"days\", found \(root.kind)")
        }
        guard let yearNode = root["year"], case .number(let y) = yearNode.value, y == y.rounded(),
            (1900...9999).contains(y)
        else {
            throw fail(root["year"] ?? root, "expected \"year\": a year such as 2026")
        }
        let year = Int(y)
        if let expectedYear, expectedYear != year {
            throw fail(
                yearNode,
                "the file says year \(year) but is named for \(expectedYear); rename it \(year).json or fix \"year\""
            )
        }
        var published = false
        if let papers = root["papers"] {
            guard case .array(let list) = papers.value else {
                throw fail(papers, "expected \"papers\": an array of notice URLs, found \(papers.kind)")
            }
            published = !list.isEmpty
        }
        guard let daysNode = root["days"], case .array(let items) = daysNode.value else {
            throw fail(root["days"] ?? root, "expected \"days\": an array of {\"name\", \"date\", \"isOffDay\"}")
        }
        var days: [Day] = []
        var seen: Set<CivilDate> = []
        for item in items {
            guard case .object = item.value else {
                throw fail(item, "expected {\"name\", \"date\", \"isOffDay\"}, found \(item.kind)")
            }
            guard let nameNode = item["name"], case .string(let name) = nameNode.value else {
                throw fail(item["name"] ?? item, "expected \"name\": the festival's name as a string")
            }
            guard let dateNode = item["date"], case .string(let dateText) = dateNode.value else {
                throw fail(item["date"] ?? item, "expected \"date\": a date \"YYYY-MM-DD\"")
            }
            guard dateText.count == 10, let date = CivilDate(iso: dateText) else {
                throw fail(dateNode, "expected a date YYYY-MM-DD that exists, found \"\(dateText)\"")
            }
            guard let offNode = item["isOffDay"], case .bool(let off) = offNode.value else {
                throw fail(
                    item["isOffDay"] ?? item,
                    "expected \"isOffDay\": true (a holiday) or false (a make-up working day)"
                )
            }
            try check(Day(date: date, name: name, isOffDay: off), year: year, seen: &seen) { fail(dateNode, $0) }
            days.append(Day(date: date, name: name, isOffDay: off))
        }
        return HolidaySchedule(year: year, days: days, published: published && !days.isEmpty, source: source)
    }

    /// Reads the ICS form: all-day `VEVENT`s with an exclusive `DTEND`; a `SUMMARY` that starts with
    /// 上班 is a make-up working day (`上班(补春节假期)`), anything else a holiday (`春节假期`).
    package static func parseICS(_ bytes: [UInt8], source: String, year: Int) throws(CalendarError) -> HolidaySchedule {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        // Unfold: a line that starts with a space or tab continues the one before (RFC 5545 3.1).
        // Split on bytes: in Swift "\r\n" is one Character and would not split on "\n".
        var lines: [(text: String, line: Int)] = []
        for (n, rawBytes) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            var raw = rawBytes
            if raw.last == 0x0D { raw = raw.dropLast() }
            let l = Substring(String(decoding: raw, as: UTF8.self))
            if let first = l.first, first == " " || first == "\t", !lines.isEmpty {
                lines[lines.count - 1].text += l.dropFirst()
            } else if !l.isEmpty {
                lines.append((String(l), n + 1))
            }
        }
        func fail(_ line: Int, _ message: String) -> CalendarError {
            CalendarError(.invalidHolidayData, message, file: source, line: line, column: 1)
        }
        var days: [Day] = []
        var seen: Set<CivilDate> = []
        var event: (start: CivilDate?, end: CivilDate?, summary: String?, line: Int)?
        if !(lines.first?.text.uppercased() == "BEGIN:VCALENDAR") {
            throw fail(lines.first?.line ?? 1, "expected BEGIN:VCALENDAR at the start of an iCalendar file")
        }
        func dateValue(_ l: String, _ n: Int) throws(CalendarError) -> CivilDate {
            guard let colon = l.lastIndex(of: ":"), let d = CivilDate(iso: l[l.index(after: colon)...].prefix(8)) else {
                throw fail(n, "expected an all-day date such as DTSTART;VALUE=DATE:20260215")
            }
            return d
        }
        for (l, n) in lines {
            let upper = l.uppercased()
            if upper == "BEGIN:VEVENT" {
                event = (nil, nil, nil, n)
            } else if upper == "END:VEVENT" {
                guard let e = event, let start = e.start, let summary = e.summary else {
                    throw fail(n, "an event needs DTSTART and SUMMARY")
                }
                let end = e.end ?? start.adding(days: 1)
                guard end > start, end.daysSinceEpoch - start.daysSinceEpoch <= 31 else {
                    throw fail(e.line, "DTEND must follow DTSTART (it is exclusive) within a month")
                }
                let working = summary.hasPrefix("上班")
                let name = festivalName(summary)
                var d = start
                while d < end {
                    let day = Day(date: d, name: name, isOffDay: !working)
                    try check(day, year: year, seen: &seen) { fail(e.line, $0) }
                    days.append(day)
                    d = d.adding(days: 1)
                }
                event = nil
            } else if event != nil {
                if upper.hasPrefix("DTSTART") {
                    event?.start = try dateValue(l, n)
                } else if upper.hasPrefix("DTEND") {
                    event?.end = try dateValue(l, n)
                } else if upper.hasPrefix("SUMMARY") {
                    event?.summary = l.firstIndex(of: ":").map { String(l[l.index(after: $0)...]) } ?? ""
                }
            }
        }
        if event != nil { throw fail(lines.last?.line ?? 1, "an event is not closed; expected END:VEVENT") }
        return HolidaySchedule(year: year, days: days, published: !days.isEmpty, source: source)
    }

    /// 春节假期 → 春节; 上班(补春节假期) → 春节.
    private static func festivalName(_ summary: String) -> String {
        var s = Substring(summary)
        if s.hasPrefix("上班") {
            s = s.dropFirst(2)
            if s.hasPrefix("(补") || s.hasPrefix("（补") { s = s.dropFirst(2) }
            if s.hasSuffix(")") || s.hasSuffix("）") { s = s.dropLast() }
        }
        if s.hasSuffix("假期") { s = s.dropLast(2) }
        return s.isEmpty ? summary : String(s)
    }

    private static func check(
        _ day: Day,
        year: Int,
        seen: inout Set<CivilDate>,
        _ fail: (String) -> CalendarError
    ) throws(CalendarError) {
        guard
            day.date.year == year || (day.date.year == year - 1 && day.date.month == 12)
                || (day.date.year == year + 1 && day.date.month == 1)
        else {
            throw fail("\(day.date) is outside the \(year) schedule (only late December of \(year - 1) may appear)")
        }
        if !day.isOffDay && !day.date.weekday.isWeekend {
            throw fail(
                "\(day.date) is a \(day.date.weekday.shortName) but is listed as a make-up working day; only a Saturday or Sunday can be one"
            )
        }
        if !seen.insert(day.date).inserted {
            throw fail("\(day.date) is listed twice")
        }
    }
}
