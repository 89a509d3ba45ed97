import DutyCalendar
import DutyCore
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import Foundation
import Hummingbird

/// What the pages show and what their forms do, through the operations dutyctl uses.
extension WebServer {
    /// The outcome of a form.
    enum Outcome: Sendable {
        /// Done: the page to go back to says this (`ack`, `done`, `extend`).
        case done(String)
        /// Refused, and why (the policy's rule, a mistake in the form).
        case refused(String)
    }

    func message(_ code: String) -> String? {
        switch code {
        case "ack": pages.t("已签收。", "Receipt recorded.")
        case "done": pages.t("已登记办结。", "Recorded as done.")
        case "extend": pages.t("延期申请已提交，等待审批。", "Your request for more time was sent for approval.")
        default: nil
        }
    }

    /// Whether `id` is one of `official`'s: their unit's duty, or their own as its subject.
    func owns(_ id: OccurrenceID, official: String, planner: Planner) -> Bool {
        guard let k = planner.organisation.officialIndex[official] else { return false }
        if id.subject == official { return true }
        let u = planner.organisation.officialUnit[Int(k)]
        return u >= 0 && planner.organisation.units[Int(u)].id == id.subject
    }

    /// The official's page: late, then coming up within 120 days, then recently done.
    func officialPage(_ official: String, form: String, message: String?) throws -> Response {
        let c = try context(for: official)
        let planner = try c.planner()
        guard let k = planner.organisation.officialIndex[official] else { throw HTTPError(.unauthorized) }
        let person = planner.organisation.officials[Int(k)]
        let u = planner.organisation.officialUnit[Int(k)]
        let unit = u >= 0 ? planner.organisation.units[Int(u)] : nil
        var views: [OccurrenceView] = []
        var seen: Set<String> = []
        func keep(_ row: OccurrenceRow) throws {
            guard case .full(let v) = row, seen.insert(v.id).inserted else { return }
            // Another official's own duty at the same unit is theirs, not this one's.
            if v.subjectKind == "official" && v.subject != official { return }
            views.append(v)
        }
        if let unit {
            var late = OccurrencesRequest()
            late.unit = unit.id
            _ = try Overdue.rows(late, c, keep)
            var coming = OccurrencesRequest()
            coming.unit = unit.id
            coming.within = "120d"
            coming.state = ["open", "late", "done"]
            _ = try Upcoming.rows(coming, c, keep)
        }
        let today = c.workspace.settings.timezone.day(of: c.now)
        let rows = views.prefix(200).map { v -> (view: OccurrenceView, workingDaysLeft: Int?, extendable: Bool) in
            var wd: Int?
            if let due = CivilDate(iso: v.deadlineDate), due > today {
                var n = 0
                var d = today.adding(days: 1)
                while d <= due && n < 1000 {
                    if planner.workdays.isWorkingDay(d) { n += 1 }
                    d = d.adding(days: 1)
                }
                wd = n
            }
            let rule = planner.policy.obligation(v.obligation)?.extensionRule
            return (v, wd, rule != nil && v.daysLeft >= 0)
        }
        return Self.html(
            .ok,
            pages.official(
                name: person.name,
                unitName: unit?.name ?? "",
                rows: rows,
                form: form,
                message: message,
                board: supervisedRegion(official, planner: planner) != nil,
                ref: links.opaque
            )
        )
    }

    /// An occurrence of the official's: its explanation and its history from the audit trail.
    func occurrencePage(_ text: String, for official: String) throws -> Response {
        let c = try context(for: official)
        let planner = try c.planner()
        guard let id = OccurrenceID(text), owns(id, official: official, planner: planner) else {
            return Self.html(
                .notFound,
                pages.refused(pages.t("没有这一事项", "No such duty"), pages.t("它不是您的事项。", "It is not one of yours."))
            )
        }
        let explained: ExplainAnswer
        do {
            explained = try Explain.perform(ExplainRequest(occurrence: text), c)
        } catch let f as Failure {
            return Self.html(.notFound, pages.refused(pages.t("没有这一事项", "No such duty"), f.message))
        }
        var q = DutyStore.AuditQuery()
        q.occurrence = text
        q.limit = 500
        var history: [String] = []
        let zone = c.workspace.settings.timezone
        try c.store.eachAudit(matching: q) { e in
            history.append("\(e.at.format(in: zone)) \(e.who) (\(e.how)): \(e.action) \(e.detail)")
        }
        return Self.html(.ok, pages.occurrence(text, explanation: explained.explanation, history: history))
    }

    /// A form's action for `official`: receipt, completion or an extension request, of one of theirs.
    func act(_ form: [String: String], official: String) throws -> Outcome {
        let c = try context(for: official)
        let planner = try c.planner()
        guard let text = form["occurrence"], let id = OccurrenceID(text), owns(id, official: official, planner: planner)
        else { return .refused(pages.t("这不是您的事项。", "That is not one of your duties.")) }
        func value(_ k: String) -> String? {
            guard let v = form[k]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        do {
            switch form["action"] {
            case "ack":
                var r = AckRequest(occurrence: text)
                r.by = official
                _ = try Acknowledge.perform(r, c)
                return .done("ack")
            case "done":
                var r = DoneRequest(occurrence: text)
                r.on = value("on")
                r.ref = value("ref")
                r.note = value("note")
                _ = try RecordDone.perform(r, c)
                return .done("done")
            case "extend":
                var r = ExtendRequest(occurrence: text, until: value("until") ?? "", reason: value("reason") ?? "")
                r.by = official
                _ = try RequestExtension.perform(r, c)
                return .done("extend")
            default:
                return .refused(pages.t("未知的操作。", "Unknown action."))
            }
        } catch let f as Failure {
            return .refused(f.message)
        } catch let e as StoreError {
            return .refused(e.message)
        }
    }
}
