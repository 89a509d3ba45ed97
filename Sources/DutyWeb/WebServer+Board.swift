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
