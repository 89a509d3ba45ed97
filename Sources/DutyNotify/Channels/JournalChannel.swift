package import DutyCalendar

/// Notifications as journal entries: one entry per step naming every recipient, with the fields
/// docs/design.md lists (`MESSAGE_ID` per event, `DUTY_OCCURRENCE`, `DUTY_UNIT`, `DUTY_DEADLINE`, …).
package struct JournalChannel: Channel {
    package let journal: Journal
    package let zone: Zone

    package init(journal: Journal, zone: Zone) {
        self.journal = journal
        self.zone = zone
    }

    package var name: String { "journal" }
    package var perRecipient: Bool { false }

    package func deliver(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        report: @escaping DeliveryReport
    ) async -> [Delivery] {
        var results: [Delivery] = []
        results.reserveCapacity(batch.count)
        for (i, item) in batch.enumerated() {
            // Stopped (SIGTERM, or a sent entry the ledger could not record): no more entries, or
            // each one written while the store is away would be written again (a restarted
            // PostgreSQL saw 882 of them).
            if Task.isCancelled {
                results.append(contentsOf: repeatElement(stoppingDelivery, count: batch.count - i))
                break
            }
            let d: Delivery =
                journal.send(entry(item.notification))
                ? .sent : .transient("the journal did not accept the entry (is systemd-journald running?)")
            results.append(d)
            if d == .sent { report([i], [d]) }
        }
        return results
    }

    /// The entry for a notification.
    package func entry(_ n: Notice) -> JournalEntry {
        var fields: [(name: String, value: String)] = [
            ("MESSAGE_ID", n.event.messageID),
            ("DUTY_EVENT", n.event.rawValue),
            ("DUTY_OCCURRENCE", n.occurrence),
            ("DUTY_OBLIGATION", n.obligation),
            ("DUTY_UNIT", n.unit),
            ("DUTY_DEADLINE", n.deadlineDate.description),
            ("DUTY_STEP", n.step),
            ("DUTY_RECIPIENTS", n.recipients.map(\.id).joined(separator: " ")),
            ("DUTY_PERIOD", n.period),
            ("DUTY_ARTICLE", n.article),
            ("DUTY_SCHEDULED", n.scheduledAt.format(in: zone)),
            ("DUTY_DAYS_LEFT", String(n.daysLeft)),
        ]
        if let official = n.official { fields.append(("DUTY_OFFICIAL", official)) }
        if n.provisional { fields.append(("DUTY_PROVISIONAL", "1")) }
        if let b = n.bulletin {
            fields.append(("DUTY_LATE_UNITS", String(b.late.count)))
            fields.append(("DUTY_UNITS", String(b.units)))
        }
        if let x = n.extensionRequest {
            fields.append(("DUTY_EXTENSION", x.id))
            fields.append(("DUTY_UNTIL", x.until.description))
            fields.append(("DUTY_EXTENSION_STATE", x.state))
        }
        if !n.collapsed.isEmpty { fields.append(("DUTY_COLLAPSED", n.collapsed.joined(separator: " "))) }
        if !n.liableMain.isEmpty { fields.append(("DUTY_LIABLE_MAIN", n.liableMain.map(\.id).joined(separator: " "))) }
        if !n.liableImportant.isEmpty {
            fields.append(("DUTY_LIABLE_IMPORTANT", n.liableImportant.map(\.id).joined(separator: " ")))
        }
        return JournalEntry(JournalChannel.message(n), priority: n.event.priority, fields: fields)
    }

    /// `【提醒】番禺区委：意识形态工作责任制落实情况报告（2026-H2）2026-12-31 周四截止，还有 30 天；通知 张三、李四`
    package static func message(_ n: Notice) -> String {
        let tag = Wording.eventName(n.event, zh: true)
        let when = Wording.when(daysLeft: n.daysLeft, zh: true)
        if let b = n.bulletin {
            return "【\(tag)】\(b.regionName) \(b.period)（\(b.from) 至 \(b.through)）：\(b.units) 个单位中 \(b.late.count) 个逾期"
                + "，按时完成率 \(BulletinMail.rate(b.total.onTimeRate, zh: true))"
                + "，及时签收率 \(BulletinMail.rate(b.total.receiptRate, zh: true))"
                + (n.recipients.isEmpty ? "；没有收件人" : "；通报 " + n.recipients.map(\.name).joined(separator: "、"))
        }
        if let x = n.extensionRequest {
            var text = "【\(tag)】\(n.subjectName)：\(n.title)（\(n.period)）"
            switch (n.event, x.state) {
            case (.extensionRequested, _):
                text += "\(x.id) 申请将截止日期由 \(x.from) 延至 \(x.until)，理由：\(x.reason)；请审批"
            case (_, "approved"): text += "\(x.id) 已批准，截止日期由 \(x.from) 改为 \(x.until)"
            default: text += "\(x.id) 未获批准，仍于 \(n.deadlineDate) 截止"
            }
            if let note = x.note { text += "（\(note)）" }
            text += n.recipients.isEmpty ? "；没有收件人" : "；通知 " + n.recipients.map(\.name).joined(separator: "、")
            return text
        }
        var text =
            "【\(tag)】\(n.subjectName)：\(n.title)（\(n.period)）\(n.deadlineDate) \(n.deadlineDate.weekday.chineseName)截止，\(when)"
        text += n.recipients.isEmpty ? "；没有收件人（请为该单位登记负责人）" : "；通知 " + n.recipients.map(\.name).joined(separator: "、")
        if !n.liableMain.isEmpty { text += "；主体责任 " + n.liableMain.map(\.name).joined(separator: "、") }
        if !n.liableImportant.isEmpty { text += "；重要领导责任 " + n.liableImportant.map(\.name).joined(separator: "、") }
        if n.provisional { text += "（节假日安排未公布，日期暂定）" }
        return text
    }
}
