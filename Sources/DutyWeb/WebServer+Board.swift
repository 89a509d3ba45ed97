import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation
import Hummingbird

/// The supervisors' board: the region's tree with its counts and colours, one level at a time, the
/// late units per child as a bar chart, the latest bulletin, and the extension requests they decide.
extension WebServer {
    /// Who supervises a region, seen from its committee: the policy's `[bulletin] to`, or the committee's
    /// secretary and deputy and its propaganda department's head.
    func supervisorSpecs(_ planner: Planner) -> [RecipientSpec] {
        planner.policy.bulletin?.to ?? [
            RecipientSpec(.ownUnit, roles: ["secretary", "deputy"]),
            RecipientSpec(Relation(.region, department: "propaganda"), roles: ["head"]),
        ]
    }

    /// The region `official` supervises, if any: the region of their unit, if its supervisors include them.
    func supervisedRegion(_ official: String, planner: Planner) -> Int32? {
        guard let k = planner.organisation.officialIndex[official] else { return nil }
        let u = planner.organisation.officialUnit[Int(k)]
        guard u >= 0 else { return nil }
        let r = planner.unit(Relation(.region), from: u)
        guard r >= 0 else { return nil }
        let people = planner.recipients(supervisorSpecs(planner), from: r)
        return people.contains { $0.official == k } ? r : nil
    }

    /// The pending requests `official` may decide: those whose policy names them among the approvers.
    func requestsToDecide(_ official: String, planner: Planner, records: DutyRecords) -> [ExtensionRequest] {
        guard let k = planner.organisation.officialIndex[official] else { return [] }
        return records.extensions.filter { r in
            guard r.state == .pending, let o = planner.obligationNumber(r.occurrence.obligation),
                let s = planner.subjectNumber(r.occurrence.subject, obligation: o),
                let rule = planner.policy.obligations[o].extensionRule
            else { return false }
            return planner.recipients(rule.approvers, obligation: o, subject: s).contains { $0.official == k }
        }
    }

    /// The latest period the bulletin covers that has ended by `today`: the last half year.
    static func latestPeriod(_ today: CivilDate) -> String {
        today.month > 6 ? "\(today.year)-H1" : "\(today.year - 1)-H2"
    }

    /// The board of `unitID` (default the official's region), which must lie in their region.
    func boardPage(_ official: String, unitID: String?, form: String) throws -> Response {
        let c = try context(for: official)
        let planner = try c.planner()
        guard let region = supervisedRegion(official, planner: planner) else {
            return Self.html(
                .forbidden,
                pages.refused(
                    pages.t("没有督查权限", "Not a supervisor"),
                    pages.t("看板供各级党委书记、副书记和宣传部长使用。", "The board is for a region's supervisors.")
                )
            )
        }
        let org = planner.organisation
        var node = region
        if let unitID {
            guard let u = org.index[unitID], u >= region, u < org.subtreeEnd[Int(region)] else {
                return Self.html(
                    .notFound,
                    pages.refused(
                        pages.t("不在您的地区", "Not in your region"),
                        pages.t("请从看板首页进入。", "Start from the board.")
                    )
                )
            }
            node = u
        }
        var r = SummaryRequest()
        r.unit = org.units[Int(node)].id
        r.depth = 1
        let summary = try Summary.perform(r, c)
        let records = try c.records()
        let requests = requestsToDecide(official, planner: planner, records: records).map {
            (request: $0, title: planner.policy.obligation($0.occurrence.obligation)?.title ?? $0.occurrence.obligation)
        }
        let today = c.workspace.settings.timezone.day(of: c.now)
        return Self.html(
            .ok,
            pages.board(
                summary,
                up: node == region ? nil : org.units[Int(org.parent[Int(node)])].id,
                period: Self.latestPeriod(today),
                region: org.units[Int(region)].id,
                requests: requests,
                form: form
            )
        )
    }

    /// The region's latest bulletin as the spreadsheet `dutyctl bulletin --csv` writes.
    func bulletinCSV(_ official: String, period: String) throws -> Response {
        let c = try context(for: official)
        guard let region = supervisedRegion(official, planner: try c.planner()) else {
            throw HTTPError(.forbidden, message: pages.t("没有督查权限。", "Not a supervisor."))
        }
        var r = BulletinRequest(period: period)
        r.unit = try c.planner().organisation.units[Int(region)].id
        var text = "\u{FEFF}" + BulletinRegion.csvHeader + "\r\n"
        do {
            _ = try Bulletin.rows(r, c) { b in for line in b.csvLines { text += line + "\r\n" } }
        } catch let f as Failure {
            throw HTTPError(.badRequest, message: f.message)
        }
        var response = Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
        response.headers[.contentDisposition] = "attachment; filename=\"bulletin-\(r.unit ?? "")-\(period).csv\""
        return response
    }

    /// The region's bulletin of `period` as a page to print (the print stylesheet leaves the links out).
    func bulletinPage(_ official: String, period: String) throws -> Response {
        let c = try context(for: official)
        guard let region = supervisedRegion(official, planner: try c.planner()) else {
            throw HTTPError(.forbidden, message: pages.t("没有督查权限。", "Not a supervisor."))
        }
        var r = BulletinRequest(period: period)
        r.unit = try c.planner().organisation.units[Int(region)].id
        var found: BulletinRegion?
        let ending: BulletinEnding
        do {
            ending = try Bulletin.rows(r, c) { found = $0 }
        } catch let f as Failure {
            throw HTTPError(.badRequest, message: f.message)
        }
        return Self.html(.ok, pages.bulletin(found, period: period, from: ending.from, through: ending.through))
    }

    /// Approve or deny a request, as an approver the policy names.
    func decide(_ form: [String: String], official: String) throws -> Outcome {
        let c = try context(for: official)
        var d = ExtendDecision(request: form["request"] ?? "")
        d.by = official
        d.note = form["note"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        do {
            switch form["decision"] {
            case "approve": _ = try ApproveExtension.perform(d, c)
            case "deny": _ = try DenyExtension.perform(d, c)
            default: return .refused(pages.t("未知的操作。", "Unknown action."))
            }
            return .done("")
        } catch let f as Failure {
            return .refused(f.message)
        } catch let e as StoreError {
            return .refused(e.message)
        }
    }
}

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
