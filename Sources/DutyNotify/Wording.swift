/// The words a notice is said in, shared by the journal's `MESSAGE` and the mail digest.
enum Wording {
    /// 提醒 / 今日截止 / 逾期 / 逾期升级 / 催办, or the English.
    static func eventName(_ e: DutyEvent, zh: Bool) -> String {
        switch (e, zh) {
        case (.reminder, true): "提醒"
        case (.due, true): "今日截止"
        case (.escalation, true): "逾期升级"
        case (.urging, true): "催办"
        case (.extensionRequested, true): "延期申请"
        case (.extensionDecided, true): "延期审批"
        case (.bulletin, true): "通报"
        case (_, true): "逾期"
        case (.reminder, false): "Reminder"
        case (.due, false): "Due today"
        case (.escalation, false): "Escalation"
        case (.urging, false): "Receipt overdue"
        case (.extensionRequested, false): "Extension requested"
        case (.extensionDecided, false): "Extension decided"
        case (.bulletin, false): "Bulletin"
        case (_, false): "Overdue"
        }
    }

    /// 还有 3 天 / 今天截止 / 已逾期 8 天, from the days left to the deadline day.
    static func when(daysLeft n: Int, zh: Bool) -> String {
        if n > 0 { return zh ? "还有 \(n) 天" : "\(n) day\(n == 1 ? "" : "s") left" }
        if n == 0 { return zh ? "今天截止" : "due today" }
        return zh ? "已逾期 \(-n) 天" : "\(-n) day\(n == -1 ? "" : "s") late"
    }
}
