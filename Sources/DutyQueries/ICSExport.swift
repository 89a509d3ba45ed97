package import DutyCalendar
package import DutyCore
import Foundation

/// `dutyctl calendar export --ics`: every occurrence as an RFC 5545 event (or to-do) for a calendar
/// client — an all-day event on the deadline day, an alarm at each reminder, the state in the status,
/// and a UID that stays the same from run to run, so a re-import updates instead of doubling.
package struct ICSExport: Sendable {
    /// `VEVENT`s (every calendar shows them) or `VTODO`s (to-do lists: done ones marked completed).
    package var todo = false
    /// Only occurrences this official is the subject of, responsible for, or notified of.
    package var official: String?
    /// Deadlines from `from` through `through`.
    package var from: CivilDate
    package var through: CivilDate

    package init(from: CivilDate, through: CivilDate) {
        self.from = from
        self.through = through
    }
}

extension ICSExport {
    /// What a calendar starts with, before its first event.
    package static var header: String {
        var out = ICSWriter()
        out.line("BEGIN:VCALENDAR")
        out.line("VERSION:2.0")
        out.line("PRODID:-//dutyd//dutyd \(dutydVersion)//ZH")
        out.line("CALSCALE:GREGORIAN")
        out.line("METHOD:PUBLISH")
        out.text("X-WR-CALNAME", "督办提醒 dutyd")
        return out.text
    }

    /// What a calendar ends with, after its last event.
    package static let footer = "END:VCALENDAR\r\n"
}

extension Planner {
    /// The calendar of the occurrences in `q`'s scope (unit, subtree, obligations) with deadlines in
    /// `e`'s range, as things stand at `q.at` and `stamp` (DTSTAMP), whole.
    package func ics(
        _ e: ICSExport,
        _ q: OccurrenceQuery,
        records: DutyRecords,
        stamp: Instant
    ) throws -> String {
        var text = ""
        try eachICSPiece(e, q, records: records, stamp: stamp) { text += $0 }
        return text
    }

    /// The calendar in pieces, each to `emit` as it is made: its header, its events (or to-dos) in the
    /// order of `upcoming` (by deadline, then obligation, subject, period), its footer. Nothing is
    /// collected, so a national calendar costs one event at a time; the pieces in order are the
    /// calendar. Returns how many events there were.
    @discardableResult
    package func eachICSPiece(
        _ e: ICSExport,
        _ q: OccurrenceQuery,
        records: DutyRecords,
        stamp: Instant,
        _ emit: (String) throws -> Void
    ) throws -> Int {
        let scope = try self.scope(q)
        if let official = e.official, organisation.officialIndex[official] == nil {
            throw QueryError("no official '\(shown(official))'; `dutyctl official ls` lists them")
        }
        var count = 0
        let dtstamp = ICSWriter.utc(stamp)
        let plan = plan(from: e.from, through: e.through, records: records)
        try emit(ICSExport.header)
        try plan.forEachOccurrenceInOrder(
            deadlines: e.from,
            through: e.through,
            scope: scope
        ) { o in
            let v = view(o, now: q.at)
            if let official = e.official {
                let involved =
                    v.subject == official || v.responsible.contains { $0.id == official }
                    || v.steps.contains { $0.recipients.contains { $0.id == official } }
                if !involved { return }
            }
            var out = ICSWriter()
            let component = e.todo ? "VTODO" : "VEVENT"
            out.line("BEGIN:\(component)")
            out.line("UID:\(v.id)@dutyd")
            out.line("DTSTAMP:\(dtstamp)")
            let day = o.timing.date
            if e.todo {
                out.line("DUE;VALUE=DATE:\(ICSWriter.date(day))")
            } else {
                out.line("DTSTART;VALUE=DATE:\(ICSWriter.date(day))")
                out.line("DTEND;VALUE=DATE:\(ICSWriter.date(day.adding(days: 1)))")
                out.line("TRANSP:TRANSPARENT")
            }
            let mark: String
            switch (v.state, e.todo) {
            case ("done", true):
                out.line("STATUS:COMPLETED")
                if let c = o.completion {
                    out.line("COMPLETED:\(ICSWriter.utc(zone.instant(on: c.on, second: 12 * 3600)))")
                }
                out.line("PERCENT-COMPLETE:100")
                mark = "✓ "
            case ("done", false):
                out.line("STATUS:CONFIRMED")
                mark = "✓ "
            case ("waived", _):
                out.line("STATUS:CANCELLED")
                mark = "（免）"
            case (_, true):
                out.line("STATUS:NEEDS-ACTION")
                mark = v.state == "late" ? "【逾期】" : ""
            default:
                out.line("STATUS:CONFIRMED")
                mark = v.state == "late" ? "【逾期】" : ""
            }
            out.text("SUMMARY", "\(mark)\(v.subjectName)：\(v.title)（\(v.period)）")
            var description = [
                "依据：\(v.article)",
                "截止：\(v.deadlineDate) \(o.timing.date.weekday.chineseName)" + (v.provisional ? "（节假日安排未公布，暂定）" : ""),
                "负责：" + (v.responsible.isEmpty ? "（未登记）" : v.responsible.map(\.name).joined(separator: "、")),
            ]
            if let c = v.completion { description.append("已办结：\(c.on)" + (c.reference.map { "，\($0)" } ?? "")) }
            if let w = v.waiver { description.append("免于办理：\(w.reason)") }
            if v.state == "open" || v.state == "late" { description.append("办结后登记：dutyctl done \(v.id)") }
            out.text("DESCRIPTION", description.joined(separator: "\n"))
            out.text("CATEGORIES", v.obligation)
            out.text("X-DUTYD-OCCURRENCE", v.id)
            out.text("X-DUTYD-STATE", v.state)
            if v.state == "open" || v.state == "late" {
                for (k, step) in o.timing.steps.enumerated() where step.kind == .reminder {
                    out.line("BEGIN:VALARM")
                    out.line("ACTION:DISPLAY")
                    out.line("TRIGGER;VALUE=DATE-TIME:\(ICSWriter.utc(step.at))")
                    out.text("DESCRIPTION", "\(v.subjectName)：\(v.title) \(v.deadlineDate) 截止（\(v.steps[k].name)）")
                    out.line("END:VALARM")
                }
            }
            out.line("END:\(component)")
            count += 1
            try emit(out.text)
        }
        try emit(ICSExport.footer)
        return count
    }
}

/// RFC 5545 content lines: CRLF ends, folded at 75 octets between characters, TEXT escaped.
struct ICSWriter {
    private(set) var text = ""

    mutating func line(_ s: String) {
        var rest = Substring(s)
        var first = true
        while !rest.isEmpty {
            let room = first ? 75 : 74
            var n = 0
            var end = rest.startIndex
            while end < rest.endIndex {
                let size = String(rest[end]).utf8.count
                if n + size > room { break }
                n += size
                end = rest.index(after: end)
            }
            if end == rest.startIndex { end = rest.index(after: end) }
            text += (first ? "" : " ") + rest[rest.startIndex..<end] + "\r\n"
            rest = rest[end...]
            first = false
        }
    }

    /// A TEXT property, escaped (backslash, semicolon, comma, newline).
    mutating func text(_ name: String, _ value: String) {
        var v = ""
        for c in value {
            switch c {
            case "\\": v += "\\\\"
            case ";": v += "\\;"
            case ",": v += "\\,"
            case "\n", "\r\n", "\r": v += "\\n"
            default: v.append(c)
            }
        }
        line("\(name):\(v)")
    }

    static func date(_ d: CivilDate) -> String {
        String(format: "%04d%02d%02d", d.year, d.month, d.day)
    }

    static func utc(_ t: Instant) -> String {
        let l = LocalDateTime(localSecond: t.seconds)
        return date(l.date) + String(format: "T%02d%02d%02dZ", l.hour, l.minute, l.second)
    }
}
