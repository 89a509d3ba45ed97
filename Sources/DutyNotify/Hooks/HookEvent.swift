import DutyCalendar
import DutyCore
import Foundation

/// The JSON a hook reads on stdin (snake_case keys, dates ISO 8601 with offset).
struct HookEvent: Encodable, Sendable {
    struct Person: Encodable, Sendable {
        var id: String
        var name: String
        var email: String?
        var role: String?
        var unit: String
        init(_ p: Notice.Person) {
            id = p.id
            name = p.name
            email = p.email
            role = p.role
            unit = p.unit
        }
    }

    struct Digest: Encodable, Sendable {
        var event: String
        var hook: String
        var recipient: Person?
        var items: [HookEvent]
    }

    var event: String
    var hook: String?
    var occurrence: String
    var obligation: String
    var title: String
    var article: String
    var unit: String
    var unit_name: String
    var official: String?
    var official_name: String?
    var period: String
    var step: String
    var deadline: String
    var deadline_date: String
    var days_left: Int
    var colour: String
    var provisional: Bool
    var recipients: [Person]
    var liable_main: [Person]
    var liable_important: [Person]
    var collapsed: [String]
    var done_command: String
    /// For an obligation that asks for receipt (签收): the day it is due by, and how to give it.
    var receipt_due: String?
    var ack_command: String?
    /// For the extension notices (延期): the request, and the commands that decide it.
    var extension_request: ExtensionInfo?
    /// For the bulletin (通报): the region's figures and its late units.
    var bulletin: BulletinInfo?

    struct BulletinInfo: Encodable, Sendable {
        struct Line: Encodable, Sendable {
            var unit: String
            var name: String
            var due: Int
            var late: Int
            var late_days_max: Int
            var overdue: Int
            var on_time_rate: Double?
            var receipt_rate: Double?

            init(_ l: Notice.Bulletin.Line) {
                (unit, name, due, late, late_days_max, overdue) = (
                    l.unit, l.name, l.due, l.late, l.lateDaysMax, l.overdue
                )
                (on_time_rate, receipt_rate) = (l.onTimeRate, l.receiptRate)
            }
        }
        var region: String
        var region_name: String
        var period: String
        var from: String
        var through: String
        var units: Int
        var late: [Line]
        var total: Line
        var csv_command: String
    }

    struct ExtensionInfo: Encodable, Sendable {
        var id: String
        var until: String
        var from: String
        var reason: String
        var requested_by: String
        var state: String
        var decided_by: String?
        var note: String?
        var approve_command: String?
        var deny_command: String?
    }

    init(notice n: Notice, zone: Zone, hook: String? = nil) {
        event = n.event.rawValue
        self.hook = hook
        occurrence = n.occurrence
        obligation = n.obligation
        title = n.title
        article = n.article
        unit = n.unit
        unit_name = n.unitName
        official = n.official
        official_name = n.officialName
        period = n.period
        step = n.step
        deadline = n.deadline.format(in: zone)
        deadline_date = n.deadlineDate.description
        days_left = n.daysLeft
        colour = n.colour.rawValue
        provisional = n.provisional
        recipients = n.recipients.map(Person.init)
        liable_main = n.liableMain.map(Person.init)
        liable_important = n.liableImportant.map(Person.init)
        collapsed = n.collapsed
        done_command = DigestView.doneCommand(n.occurrence)
        if let due = n.receiptDue {
            receipt_due = due.description
            ack_command = DigestView.command("ack", n.occurrence)
        }
        if let b = n.bulletin {
            bulletin = BulletinInfo(
                region: b.region,
                region_name: b.regionName,
                period: b.period,
                from: b.from.description,
                through: b.through.description,
                units: b.units,
                late: b.late.map(BulletinInfo.Line.init),
                total: BulletinInfo.Line(b.total),
                csv_command: "dutyctl bulletin --period \(b.period) --unit \(b.region) --csv"
            )
        }
        if let x = n.extensionRequest {
            let pending = x.state == "pending"
            extension_request = ExtensionInfo(
                id: x.id,
                until: x.until.description,
                from: x.from.description,
                reason: x.reason,
                requested_by: x.requestedBy,
                state: x.state,
                decided_by: x.decidedBy,
                note: x.note,
                approve_command: pending ? "dutyctl extend approve \(x.id)" : nil,
                deny_command: pending ? "dutyctl extend deny \(x.id)" : nil
            )
        }
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        Array((try? JSONOutput.encode(value)) ?? Data("{}".utf8)) + [0x0A]
    }
}
