import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation
import Hummingbird

extension WebPages {
    func percent(_ r: Double?) -> String { r.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    /// The board of one node: its figures, its children a row each (in tree order) with a link one
    /// level down, the late units per child as a bar chart, the bulletin, the requests to decide.
    func board(
        _ s: SummaryAnswer,
        up: String?,
        period: String,
        region: String,
        requests: [(request: ExtensionRequest, title: String)],
        form: String
    ) -> String {
        let n = s.node
        var body = "<p><a href=\"/me\">\(t("我的事项", "My duties"))</a>"
        if let up { body += " · <a href=\"/board?unit=\(Self.escape(up))\">\(t("上一级", "One level up"))</a>" }
        body += "</p>\n<h1>\(Self.escape(n.name))</h1>\n"
        body += "<p>\(t("\(s.year) 年", "\(s.year)"))：\(t("单位", "units")) \(n.units) · "
        body += "<span class=\"red-word\">\(t("逾期", "late")) \(n.tally.red)</span> · "
        body += "<span class=\"yellow-word\">\(t("临近截止", "due soon")) \(n.tally.yellow)</span> · "
        body += "\(t("提醒中", "reminded")) \(n.tally.blue) · \(t("已办结", "done")) \(n.tally.done) · "
        body +=
            "\(t("按时完成率", "on time")) \(percent(n.onTimeRate)) · \(t("及时签收率", "timely receipt")) \(percent(n.receiptRate))</p>\n"
        let children = n.children ?? []
        if !children.isEmpty {
            body += "<div class=\"wide\"><table class=\"board\">\n<thead><tr><th scope=\"col\">\(t("单位", "Unit"))</th>"
            for h in [
                t("单位数", "Units"), t("逾期", "Late"), t("临近截止", "Due soon"), t("提醒中", "Reminded"), t("已办结", "Done"),
                t("按时完成率", "On time"), t("及时签收率", "Receipt"),
            ] {
                body += "<th scope=\"col\">\(h)</th>"
            }
            body += "</tr></thead>\n<tbody>\n"
            for child in children {
                let name = Self.escape(child.name)
                let link =
                    child.units > 1 && child.unit != nil
                    ? "<a href=\"/board?unit=\(Self.escape(child.unit!))\">\(name)</a>" : name
                let cls = child.tally.red > 0 ? "red" : child.tally.yellow > 0 ? "yellow" : "blue"
                body +=
                    "<tr class=\"\(cls)\"><th scope=\"row\">\(link)</th><td>\(child.units)</td><td>\(child.tally.red)</td>"
                body += "<td>\(child.tally.yellow)</td><td>\(child.tally.blue)</td><td>\(child.tally.done)</td>"
                body += "<td>\(percent(child.onTimeRate))</td><td>\(percent(child.receiptRate))</td></tr>\n"
            }
            body += "</tbody>\n</table></div>\n"
            body += barChart(children)
        }
        body += "<h2>\(t("通报", "Bulletin"))</h2>\n<p><a href=\"/board/bulletin?period=\(period)\">"
        body += "\(t("\(period) 通报（可打印）", "The \(period) bulletin (to print)"))</a> · "
        body +=
            "<a href=\"/board/bulletin.csv?period=\(period)\">\(t("下载 CSV（Excel 可直接打开）", "Download as CSV (for Excel)"))</a></p>\n"
        body += "<h2>\(t("待审批的延期申请", "Extension requests to decide"))</h2>\n"
        if requests.isEmpty { body += "<p>\(t("没有待审批的申请。", "None."))</p>\n" }
        for (r, title) in requests {
            body +=
                "<div class=\"request\"><p><strong>\(Self.escape(r.id))</strong> \(Self.escape(title))（\(Self.escape(r.occurrence.description))）："
            body +=
                "\(Self.escape(r.requestedBy)) \(t("申请延至", "asks until")) \(r.until)。\(t("理由", "Reason"))：\(Self.escape(r.reason))</p>\n"
            let key = r.id
            body += "<form method=\"post\" action=\"/decide\">\(hidden("csrf", form))\(hidden("request", r.id))"
            body +=
                "<label for=\"note-\(key)\">\(t("意见", "Note"))</label> <input id=\"note-\(key)\" name=\"note\" maxlength=\"2000\"> "
            body += "<button type=\"submit\" name=\"decision\" value=\"approve\">\(t("批准", "Approve"))</button> "
            body +=
                "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"deny\">\(t("不批准", "Deny"))</button></form></div>\n"
        }
        _ = region
        return page(n.name, body)
    }

    /// A region's bulletin: its figures and its late units in tree order, never a ranking of persons.
    func bulletin(_ b: BulletinRegion?, period: String, from: String, through: String) -> String {
        var body = "<p class=\"noprint\"><a href=\"/board\">\(t("← 返回看板", "← back to the board"))</a></p>\n"
        guard let b else {
            return page(period, body + "<p>\(t("本期没有到期事项。", "No deadlines in this period."))</p>")
        }
        body += "<h1>\(Self.escape(b.name)) \(period) \(t("意识形态工作责任制落实情况通报", "bulletin"))</h1>\n"
        body += "<p>\(from) \(t("至", "to")) \(through)：\(t("督查单位", "units supervised")) \(b.units)，"
        body += "\(t("逾期单位", "late")) \(b.late.count)；\(t("按时完成率", "on time")) \(percent(b.total.on_time_rate))，"
        body += "\(t("及时签收率", "timely receipt")) \(percent(b.total.receipt_rate))。</p>\n"
        if b.late.isEmpty {
            body += "<p>\(t("本期无逾期单位。", "No unit was late."))</p>\n"
        } else {
            body += "<div class=\"wide\"><table class=\"board\">\n<thead><tr>"
            for h in [
                t("单位", "Unit"), t("到期", "Due"), t("逾期完成", "Done late"), t("最多逾期天数", "Most days late"),
                t("逾期未完成", "Overdue"), t("按时完成率", "On time"), t("及时签收率", "Receipt"),
            ] {
                body += "<th scope=\"col\">\(h)</th>"
            }
            body += "</tr></thead>\n<tbody>\n"
            for l in b.late {
                body +=
                    "<tr class=\"red\"><th scope=\"row\">\(Self.escape(l.unit_name))</th><td>\(l.due)</td><td>\(l.late)</td>"
                body +=
                    "<td>\(l.late_days_max)</td><td>\(l.overdue)</td><td>\(percent(l.on_time_rate))</td><td>\(percent(l.receipt_rate))</td></tr>\n"
            }
            body += "</tbody>\n</table></div>\n"
        }
        return page("\(b.name) \(period)", body)
    }

    /// Late occurrences per child, one bar each, drawn as SVG on the server (no script, no library).
    func barChart(_ children: [SummaryNode]) -> String {
        let most = max(children.map(\.tally.red).max() ?? 0, 1)
        let rowHeight = 22
        let height = children.count * rowHeight + 10
        var svg = "<figure><figcaption>\(t("各单位逾期事项数", "Late duties per unit"))</figcaption>\n"
        svg +=
            "<svg role=\"img\" aria-label=\"\(t("各单位逾期事项数", "Late duties per unit"))\" viewBox=\"0 0 600 \(height)\" width=\"100%\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        for (i, c) in children.enumerated() {
            let y = 5 + i * rowHeight
            let width = Int(Double(c.tally.red) / Double(most) * 380)
            svg += "<text x=\"0\" y=\"\(y + 15)\" font-size=\"13\">\(Self.escape(String(c.name.prefix(14))))</text>"
            svg += "<rect x=\"200\" y=\"\(y + 3)\" width=\"\(max(width, 1))\" height=\"15\" fill=\"#b00020\"></rect>"
            svg += "<text x=\"\(205 + width)\" y=\"\(y + 15)\" font-size=\"13\">\(c.tally.red)</text>\n"
        }
        svg += "</svg></figure>\n"
        return svg
    }
}
