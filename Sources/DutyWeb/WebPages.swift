import DutyCalendar
import DutyCore
import DutyQueries

/// The pages, server-rendered HTML (no script): an official's duties with the forms that answer
/// them, an occurrence's explanation and history, and the messages of a refused link. Every text from
/// the store or the policy is escaped; colour is never the only sign of a state (each has its word).
struct WebPages {
    let zh: Bool

    /// Text as HTML character data or an attribute value.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    func t(_ zh: String, _ en: String) -> String { self.zh ? zh : en }

    /// A whole page around `body`.
    func page(_ title: String, _ body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(zh ? "zh-CN" : "en")">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Self.escape(title)) · dutyd</title>
        <link rel="stylesheet" href="/static/dutyd.css">
        </head>
        <body>
        <header><p class="brand">dutyd · \(t("意识形态工作责任制督办", "duty reminders"))</p></header>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// A refusal: what happened and what to do.
    func refused(_ heading: String, _ text: String) -> String {
        page(heading, "<h1>\(Self.escape(heading))</h1>\n<p>\(Self.escape(text))</p>")
    }

    func stateWord(_ v: OccurrenceView) -> String {
        switch (v.state, v.colour) {
        case ("done", _): return t("已办结", "done")
        case ("waived", _): return t("已免除", "waived")
        case ("late", _): return t("已逾期", "late")
        case (_, "yellow"): return t("临近截止", "due soon")
        default: return t("进行中", "open")
        }
    }

    func countdown(_ v: OccurrenceView, workingDaysLeft: Int?) -> String {
        if v.state == "done" || v.state == "waived" { return "" }
        if v.daysLeft < 0 { return t("已逾期 \(-v.daysLeft) 天", "\(-v.daysLeft) days late") }
        if v.daysLeft == 0 { return t("今天截止", "due today") }
        let wd = workingDaysLeft.map { t("（\($0) 个工作日）", " (\($0) working days)") } ?? ""
        return t("还有 \(v.daysLeft) 天", "\(v.daysLeft) days left") + wd
    }

    /// The official's page: their duties, most urgent first, each with its actions.
    func official(
        name: String,
        unitName: String,
        rows: [(view: OccurrenceView, workingDaysLeft: Int?, extendable: Bool)],
        form: String,
        message: String?,
        board: Bool = false,
        ref: (String) -> String
    ) -> String {
        var body = "<h1>\(Self.escape(name))</h1>\n<p class=\"unit\">\(Self.escape(unitName))</p>\n"
        if board { body += "<p><a href=\"/board\">\(t("督查看板：本地区各单位落实情况", "Board: your region's units"))</a></p>\n" }
        if let message { body += "<p class=\"message\" role=\"status\">\(Self.escape(message))</p>\n" }
        if rows.isEmpty { body += "<p>\(t("目前没有需要办理的事项。", "Nothing is due for you now."))</p>\n" }
        body += "<ul class=\"duties\">\n"
        for (v, wd, extendable) in rows {
            let colour = v.state == "done" || v.state == "waived" ? "done" : (v.colour ?? "blue")
            body += "<li class=\"duty \(colour)\">\n"
            body +=
                "<h2><a href=\"/o/\(ref(v.id))\">\(Self.escape(v.subjectName))：\(Self.escape(v.title))</a>"
                + "（\(Self.escape(v.period))）</h2>\n"
            body += "<p><span class=\"state\">\(stateWord(v))</span> "
            let weekday = zh ? CivilDate(iso: v.deadlineDate)?.weekday.chineseName ?? v.weekday : v.weekday
            body += t("截止", "due ") + " \(Self.escape(v.deadlineDate)) \(Self.escape(weekday))"
            body += " · \(countdown(v, workingDaysLeft: wd))"
            if v.provisional {
                body +=
                    " <span class=\"provisional\">\(t("（当年节假日安排尚未公布，日期暂定）", "(provisional: that year's holidays are not published)"))</span>"
            }
            body += "</p>\n"
            if let r = v.receipt {
                let word =
                    switch r.state {
                    case "received": t("已签收", "received")
                    case "received-late": t("逾期签收", "received late")
                    default: t("待签收（\(r.due) 前）", "receipt due by \(r.due)")
                    }
                body += "<p class=\"receipt\">\(Self.escape(word))</p>\n"
            }
            if let x = v.extended {
                body +=
                    "<p class=\"extended\">\(Self.escape(t("已延期（\(x.request)），原截止 \(x.from)", "extended (\(x.request)) from \(x.from)")))</p>\n"
            }
            if v.state == "open" || v.state == "late" {
                body += actions(v, form: form, extendable: extendable)
            }
            body += "</li>\n"
        }
        body += "</ul>\n"
        return page(name, body)
    }

    func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(name)\" value=\"\(Self.escape(value))\">"
    }

    /// The forms of an open occurrence: receipt, completion, an extension.
    func actions(_ v: OccurrenceView, form: String, extendable: Bool) -> String {
        let id = Self.escape(v.id)
        let key = String(
            v.id.unicodeScalars.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) ? Character($0) : "-" }
        )
        var out = "<div class=\"actions\">\n"
        if v.receipt?.state == "awaiting-receipt" {
            out +=
                "<form method=\"post\" action=\"/act\">\(hidden("csrf", form))\(hidden("action", "ack"))\(hidden("occurrence", v.id))"
            out += "<button type=\"submit\">\(t("签收", "Acknowledge"))</button></form>\n"
        }
        out +=
            "<form method=\"post\" action=\"/act\" class=\"done\">\(hidden("csrf", form))\(hidden("action", "done"))\(hidden("occurrence", v.id))\n"
        out +=
            "<label for=\"on-\(key)\">\(t("办结日期", "Done on"))</label> <input id=\"on-\(key)\" name=\"on\" type=\"date\">\n"
        out +=
            "<label for=\"ref-\(key)\">\(t("文号", "Reference"))</label> <input id=\"ref-\(key)\" name=\"ref\" maxlength=\"200\">\n"
        out +=
            "<label for=\"note-\(key)\">\(t("备注", "Note"))</label> <input id=\"note-\(key)\" name=\"note\" maxlength=\"2000\">\n"
        out += "<button type=\"submit\">\(t("办结", "Record as done"))</button></form>\n"
        if extendable {
            out +=
                "<form method=\"post\" action=\"/act\" class=\"extend\">\(hidden("csrf", form))\(hidden("action", "extend"))\(hidden("occurrence", v.id))\n"
            out +=
                "<label for=\"until-\(key)\">\(t("延期至", "Until"))</label> <input id=\"until-\(key)\" name=\"until\" type=\"date\" required>\n"
            out +=
                "<label for=\"reason-\(key)\">\(t("理由", "Reason"))</label> <input id=\"reason-\(key)\" name=\"reason\" required maxlength=\"2000\">\n"
            out += "<button type=\"submit\">\(t("申请延期", "Ask for an extension"))</button></form>\n"
        }
        _ = id
        out += "</div>\n"
        return out
    }

    /// An occurrence: how its deadline was worked out, and what happened to it.
    func occurrence(_ id: String, explanation: [String], history: [String]) -> String {
        var body = "<p><a href=\"/me\">\(t("← 返回我的事项", "← back to my duties"))</a></p>\n"
        body += "<h1>\(Self.escape(id))</h1>\n<h2>\(t("截止日期的计算", "How the deadline was worked out"))</h2>\n<pre>"
        body += explanation.map(Self.escape).joined(separator: "\n")
        body += "</pre>\n<h2>\(t("办理记录", "History"))</h2>\n"
        if history.isEmpty {
            body += "<p>\(t("尚无记录。", "Nothing recorded yet."))</p>\n"
        } else {
            body += "<ol class=\"history\">\n" + history.map { "<li>\(Self.escape($0))</li>\n" }.joined() + "</ol>\n"
        }
        return page(id, body)
    }
}
