package import DutyCalendar
package import DutyCore
import DutyFiles
import DutyQueries
package import DutyStore
import Foundation

// `extend request|approve|deny|ls`: extensions of a deadline (延期). A request names the new day and
// why; the policy's `extension` says how early it must come, how far it may go and who decides
// (`Planner.extensionRefusal`). An approved one moves that occurrence's deadline and every later step.

extension Workspace {
    /// Longest reason and note kept: a paragraph, not a file.
    static let extensionTextLimit = 2_000

    /// `extend request`: the request, recorded when the policy's rules allow it.
    package func requestExtension(
        _ r: ExtendRequest,
        store: DutyStore,
        planner: Planner,
        user: String,
        how: String,
        now: Instant
    ) throws -> ExtensionView {
        let until = try parseDate(r.until, option: "--until")
        let reason = r.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw Failure(ExitStatus.usage, "--reason: say why the deadline should move (it goes to the approvers)")
        }
        guard reason.count <= Self.extensionTextLimit else {
            throw Failure(ExitStatus.usage, "--reason: at most \(Self.extensionTextLimit) characters")
        }
        if let by = r.by {
            guard planner.organisation.officialIndex[by] != nil else { throw Failure.noOfficial(by) }
        }
        let records = try store.records()
        let found = try locate(r.occurrence, planner: planner, records: records)
        if let why = planner.extensionRefusal(found, until: until, at: now, requests: records.extensions) {
            throw Failure(ExitStatus.dataError, why)
        }
        let made = try store.requestExtension(
            ExtensionRequest(
                number: 0,
                occurrence: found.id,
                until: until,
                reason: reason,
                requestedAt: now,
                requestedBy: r.by ?? user,
                how: how
            )
        )
        return ExtensionView(made, zone: settings.timezone, deadline: found.timing.date)
    }

    /// `extend approve|deny`: the decision on a waiting request, by an approver the policy names (or
    /// the administrator).
    package func decideExtension(
        _ d: ExtendDecision,
        approve: Bool,
        store: DutyStore,
        planner: Planner,
        user: String,
        now: Instant
    ) throws -> ExtensionView {
        guard let number = ExtensionRequest.number(d.request) else {
            throw Failure(
                ExitStatus.usage,
                "'\(shown(d.request))' is not a request id; expected ext-N as `dutyctl extend ls` lists them"
            )
        }
        let note = d.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > Self.extensionTextLimit {
            throw Failure(ExitStatus.usage, "--note: at most \(Self.extensionTextLimit) characters")
        }
        guard let request = try store.extensionRequest(number) else {
            throw Failure(ExitStatus.dataError, "no extension request ext-\(number) (`dutyctl extend ls` lists them)")
        }
        let records = try store.records()
        let found = try locate(request.occurrence, planner: planner) { planner.occurrence($0, records: records) }
        if let by = d.by {
            guard let k = planner.organisation.officialIndex[by] else { throw Failure.noOfficial(by) }
            let rule = planner.policy.obligations[found.obligation].extensionRule
            let approvers = planner.recipients(
                rule?.approvers ?? [],
                obligation: found.obligation,
                subject: found.subject
            )
            guard approvers.contains(where: { $0.official == k }) else {
                let names = approvers.compactMap { $0.official.map { planner.organisation.officials[Int($0)].id } }
                throw Failure(
                    ExitStatus.noPermission,
                    "\(by) may not decide \(request.id): the policy has it decided by "
                        + (rule?.approvers.map(\.description).joined(separator: "; ") ?? "an administrator")
                        + (names.isEmpty ? " (nobody holds that now)" : " (\(names.joined(separator: ", ")))")
                )
            }
        }
        if approve, request.state == .pending, found.completion != nil || found.waiver != nil {
            throw Failure(
                ExitStatus.dataError,
                "\(found.id) is \(found.completion != nil ? "done" : "waived"); deny \(request.id) instead"
            )
        }
        let decided = try store.decideExtension(
            number,
            approve: approve,
            at: now,
            by: d.by ?? user,
            note: note?.isEmpty == true ? nil : note
        )
        return ExtensionView(decided, zone: settings.timezone, deadline: found.timing.date)
    }
}

/// `extend request`: asks to move an occurrence's deadline; the approvers are told.
package enum RequestExtension: DutyOperation {
    package static let route = "extend/request"
    package static let access = Access.write
    package static let command = ["extend", "request"]
    package static func perform(_ r: ExtendRequest, _ c: OperationContext) throws -> ExtensionView {
        try c.workspace.requestExtension(
            r,
            store: c.store,
            planner: try c.planner(),
            user: c.user,
            how: c.channel,
            now: c.now
        )
    }
    package static func journal(_ r: ExtendRequest, _ a: ExtensionView) -> (message: String, fields: [String: String]) {
        (
            "extension \(a.id) of \(a.occurrence) until \(a.until) requested by \(a.requestedBy)",
            ["DUTY_OCCURRENCE": a.occurrence, "DUTY_EXTENSION": a.id, "DUTY_UNTIL": a.until]
        )
    }
}

/// `extend approve`: the deadline moves to the day asked for; the responsible people are told.
package enum ApproveExtension: DutyOperation {
    package static let route = "extend/approve"
    package static let access = Access.write
    package static let command = ["extend", "approve"]
    package static func perform(_ r: ExtendDecision, _ c: OperationContext) throws -> ExtensionView {
        try c.workspace.decideExtension(
            r,
            approve: true,
            store: c.store,
            planner: try c.planner(),
            user: c.user,
            now: c.now
        )
    }
    package static func journal(_ r: ExtendDecision, _ a: ExtensionView) -> (message: String, fields: [String: String])
    {
        (
            "extension \(a.id) of \(a.occurrence) approved: due \(a.until)",
            ["DUTY_OCCURRENCE": a.occurrence, "DUTY_EXTENSION": a.id, "DUTY_UNTIL": a.until]
        )
    }
}

/// `extend deny`: the deadline stays; the responsible people are told.
package enum DenyExtension: DutyOperation {
    package static let route = "extend/deny"
    package static let access = Access.write
    package static let command = ["extend", "deny"]
    package static func perform(_ r: ExtendDecision, _ c: OperationContext) throws -> ExtensionView {
        try c.workspace.decideExtension(
            r,
            approve: false,
            store: c.store,
            planner: try c.planner(),
            user: c.user,
            now: c.now
        )
    }
    package static func journal(_ r: ExtendDecision, _ a: ExtensionView) -> (message: String, fields: [String: String])
    {
        ("extension \(a.id) of \(a.occurrence) denied", ["DUTY_OCCURRENCE": a.occurrence, "DUTY_EXTENSION": a.id])
    }
}

/// `{"requests": [...], "count": N}`.
package struct ExtensionList: Codable, Sendable {
    package var requests: [ExtensionView]
    package var count: Int
}

/// `extend ls`: the requests, oldest first.
package enum ListExtensions: RowsOperation {
    package typealias Request = ExtendQuery
    package typealias Answer = ExtensionList
    package static let route = "extend"
    package static let access = Access.read
    package static let command = ["extend", "ls"]
    package static let rowsKey = "requests"
    package static func rows(
        _ q: ExtendQuery,
        _ c: OperationContext,
        _ emit: (ExtensionView) throws -> Void
    ) throws -> RowCount {
        let zone = c.workspace.settings.timezone
        var count = 0
        for r in try c.records().extensions {
            if let o = q.occurrence, r.occurrence.description != o { continue }
            if q.pending == true, r.state != .pending { continue }
            try emit(ExtensionView(r, zone: zone))
            count += 1
        }
        return RowCount(count: count)
    }
    package static func answer(rows: [ExtensionView], ending: RowCount) -> ExtensionList {
        ExtensionList(requests: rows, count: ending.count)
    }
}
