package import DutyCalendar
import DutyCore
import Foundation

/// What one recipient gets in one send window: every notification to them, most urgent first (red,
/// yellow, blue; then by deadline), and what a template can say about each.
///
/// Template variables. Top level: `recipient_name`, `recipient_email`, `today`, `link` (the personal
/// link to the web pages, when `[web]` is set and the recipient is an official), `count`, `red_count`,
/// `yellow_count`, `blue_count` (absent when 0), `single` (the one item when there is only one),
/// `items` (all, in order), `groups` (per colour: `colour`, `heading`, `size`, `items`). Per item:
/// `number`, `colour`, `event_name`, `subject_name`, `unit`, `unit_name`, `official_name`, `title`,
/// `obligation`, `article`, `period`, `deadline` (YYYY-MM-DD), `weekday`, `days_left`, `days_late`,
/// `late`, `when` (还有 3 天 / 今天截止 / 已逾期 8 天), `provisional`, `escalation`, `liable_main`,
/// `liable_important`, `done_command`, `occurrence`, `step`; for an obligation that asks for receipt
/// (签收), `asks_receipt`, `receipt_due` and `ack_command` (until the deadline passes), and `urging`
/// on the urging notice (催办); where an extension (延期) may be asked for, `extendable` and
/// `extend_command`; on the extension notices `extension_id`, `extension_until`, `extension_from`,
/// `extension_reason`, `extension_by`, `extension_note`, and one of `extension_requested` (with
/// `approve_command` and `deny_command`), `extension_approved`, `extension_denied`; `done_line` on
/// every notice but those.
package struct DigestView: Sendable {
    package var recipientName: String
    package var recipientEmail: String
    package var today: CivilDate
    package var language: String
    /// In the order they are shown.
    package private(set) var items: [Notice]
    /// The recipient's personal link to the web pages (`[web]`), where they answer without a shell.
    package var link: String?

    package init(recipientName: String, recipientEmail: String, today: CivilDate, language: String, items: [Notice]) {
        self.recipientName = recipientName
        self.recipientEmail = recipientEmail
        self.today = today
        self.language = language
        self.items = DigestView.ordered(items)
    }

    /// Each step of each occurrence once: an official and a unit mailbox with the same address are two
    /// ledger rows but one line of the digest.
    package static func unique(_ items: [Notice]) -> [Notice] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0.occurrence + "\u{0}" + $0.step).inserted }
    }

    /// Red, yellow, blue; within a colour by deadline, then unit, obligation and period.
    package static func ordered(_ items: [Notice]) -> [Notice] {
        func rank(_ c: Occurrence.Colour) -> Int {
            switch c {
            case .red: 0
            case .yellow: 1
            case .blue: 2
            }
        }
        return items.sorted {
            (rank($0.colour), $0.deadline, $0.unit, $0.obligation, $0.period)
                < (rank($1.colour), $1.deadline, $1.unit, $1.obligation, $1.period)
        }
    }

    var zh: Bool { language == "zh-CN" }

    func heading(_ c: Occurrence.Colour) -> String {
        switch (c, zh) {
        case (.red, true): "红色 · 已逾期"
        case (.yellow, true): "黄色 · 临近截止"
        case (.blue, true): "蓝色 · 提醒"
        case (.red, false): "Red: late"
        case (.yellow, false): "Yellow: due within days"
        case (.blue, false): "Blue: coming up"
        }
    }

    func eventName(_ e: DutyEvent) -> String { Wording.eventName(e, zh: zh) }

    func when(_ n: Notice) -> String { Wording.when(daysLeft: n.daysLeft, zh: zh) }

    func weekday(_ d: CivilDate) -> String { zh ? d.weekday.chineseName : d.weekday.shortName }

    func names(_ people: [Notice.Person]) -> String {
        people.isEmpty ? (zh ? "（未登记）" : "(none on record)") : people.map(\.name).joined(separator: zh ? "、" : ", ")
    }

    func item(_ n: Notice, number: Int) -> [String: Any] {
        var d: [String: Any] = [
            "number": number,
            "colour": n.colour.rawValue,
            "event_name": eventName(n.event),
            "subject_name": n.subjectName,
            "unit": n.unit,
            "unit_name": n.unitName,
            "title": n.title,
            "obligation": n.obligation,
            "article": n.article,
            "period": n.period,
            "deadline": n.deadlineDate.description,
            "weekday": weekday(n.deadlineDate),
            "days_left": max(n.daysLeft, 0),
            "days_late": max(-n.daysLeft, 0),
            "late": n.daysLeft < 0,
            "when": when(n),
            "provisional": n.provisional,
            "escalation": n.event == .escalation,
            "urging": n.event == .urging,
            "ack_command": DigestView.command("ack", n.occurrence),
            "liable_main": names(n.liableMain),
            "liable_important": names(n.liableImportant),
            "done_command": DigestView.doneCommand(n.occurrence),
            "occurrence": n.occurrence,
            "step": n.step,
        ]
        if let name = n.officialName { d["official_name"] = name }
        let extensionNotice = n.event == .extensionRequested || n.event == .extensionDecided
        if let x = n.extensionRequest {
            d["extension_id"] = x.id
            d["extension_until"] = x.until.description
            d["extension_from"] = x.from.description
            d["extension_reason"] = x.reason
            d["extension_by"] = x.requestedBy
            if let note = x.note { d["extension_note"] = note }
            if n.event == .extensionRequested {
                d["extension_requested"] = true
                d["approve_command"] = "dutyctl extend approve \(x.id)"
                d["deny_command"] = "dutyctl extend deny \(x.id)"
            } else if x.approved {
                d["extension_approved"] = true
            } else {
                d["extension_denied"] = true
            }
        }
        if n.extendable, !extensionNotice {
            d["extendable"] = true
            d["extend_command"] =
                DigestView.command("extend request", n.occurrence)
                + (zh ? " --until 日期 --reason 理由" : " --until DATE --reason TEXT")
        }
        if !extensionNotice { d["done_line"] = true }
        // Receipt is asked until the deadline passes: say by when and how.
        if let due = n.receiptDue, n.event != .escalation, n.event != .overdue, !extensionNotice {
            d["receipt_due"] = due.description
            d["asks_receipt"] = true
        }
        return d
    }

    /// `dutyctl done OCCURRENCE`, the id quoted for the shell when it needs to be.
    package static func doneCommand(_ occurrence: String) -> String { command("done", occurrence) }

    /// `dutyctl VERB OCCURRENCE`, the id quoted for the shell when it needs to be.
    package static func command(_ verb: String, _ occurrence: String) -> String {
        let safe = occurrence.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || $0.properties.numericType != nil || "-_./:@+=,".unicodeScalars.contains($0)
        }
        return "dutyctl \(verb) "
            + (safe ? occurrence : "'" + occurrence.replacingOccurrences(of: "'", with: "'\\''") + "'")
    }

    /// The mustache context.
    var context: [String: Any] {
        let all = items.enumerated().map { item($1, number: $0 + 1) }
        var groups: [[String: Any]] = []
        var counts: [Occurrence.Colour: Int] = [:]
        var start = 0
        while start < items.count {
            let c = items[start].colour
            var end = start
            while end < items.count && items[end].colour == c { end += 1 }
            groups.append([
                "colour": c.rawValue, "heading": heading(c), "size": end - start, "items": Array(all[start..<end]),
            ])
            counts[c] = end - start
            start = end
        }
        var d: [String: Any] = [
            "recipient_name": recipientName,
            "recipient_email": recipientEmail,
            "today": zh
                ? "\(today.year)年\(today.month)月\(today.day)日 \(today.weekday.chineseName)"
                : "\(today.weekday.shortName) \(today.description)",
            "count": items.count,
            "items": all,
            "groups": groups,
        ]
        if let link { d["link"] = link }
        for (c, n) in counts where n > 0 { d["\(c.rawValue)_count"] = n }
        if all.count == 1 { d["single"] = all[0] }
        return d
    }

    /// Three made-up items, one per colour, to try a template on (`dutyctl config check`).
    package static func sample(language: String) -> DigestView {
        let day = CivilDate(year: 2026, month: 12, day: 31)!
        func notice(_ step: String, _ event: DutyEvent, _ colour: Occurrence.Colour, _ left: Int) -> Notice {
            var n = Notice(
                occurrence: "unit-situation-report/gd.sz.tsg/2026-H2",
                obligation: "unit-situation-report",
                title: "意识形态工作情况报告",
                article: "第九条",
                unit: "gd.sz.tsg",
                unitName: "深圳市图书馆",
                official: nil,
                officialName: nil,
                period: "2026-H2",
                step: step,
                event: event,
                scheduledAt: Instant(seconds: 0),
                deadlineDate: day,
                deadline: Instant(seconds: 0),
                daysLeft: left,
                provisional: false,
                recipients: []
            )
            n.colour = colour
            return n
        }
        return DigestView(
            recipientName: "王建国",
            recipientEmail: "wang.jianguo@example.org",
            today: day,
            language: language,
            items: [
                notice("escalation-1", .escalation, .red, -8), notice("due", .due, .yellow, 0),
                notice("reminder-30d", .reminder, .blue, 30),
            ]
        )
    }
}
