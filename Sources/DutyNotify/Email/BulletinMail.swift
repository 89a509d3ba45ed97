import DutyCalendar
import Foundation

/// The mail of a bulletin (通报): one message per recipient, its own (never folded into a digest), the
/// region's figures and its late units in the body, the spreadsheet attached. Written here rather than
/// in an overridable template: its content is the bulletin itself, not wording an office adapts.
enum BulletinMail {
    static func rate(_ r: Double?, zh: Bool) -> String {
        guard let r else { return zh ? "无" : "—" }
        return String(format: "%.1f%%", r * 100)
    }

    static func subject(_ b: Notice.Bulletin, zh: Bool) -> String {
        zh
            ? "【通报】\(b.regionName) \(b.period) 意识形态工作责任制落实情况（逾期单位 \(b.late.count) 个）"
            : "[Bulletin] \(b.regionName) \(b.period): \(b.late.count) unit(s) late"
    }

    static func body(_ b: Notice.Bulletin, recipient: String, zh: Bool) -> String {
        let command = "dutyctl bulletin --period \(b.period) --unit \(b.region) --csv"
        var lines: [String] = []
        if zh {
            lines.append("\(recipient)：")
            lines.append("")
            lines.append("\(b.regionName)\(b.period)（\(b.from) 至 \(b.through)）意识形态工作责任制落实情况通报如下。")
            lines.append(
                "本地区督查的 \(b.units) 个单位有到期事项，其中 \(b.late.count) 个单位逾期或逾期完成；"
                    + "按时完成率 \(rate(b.total.onTimeRate, zh: true))，及时签收率 \(rate(b.total.receiptRate, zh: true))。"
            )
            lines.append("")
            if b.late.isEmpty {
                lines.append("本期无逾期单位。")
            } else {
                lines.append("逾期单位（按单位顺序）：")
                for (i, l) in b.late.enumerated() {
                    lines.append(
                        "\(i + 1). \(l.name)（\(l.unit)）：到期 \(l.due) 项，逾期完成 \(l.late) 项"
                            + (l.late > 0 ? "（最多 \(l.lateDaysMax) 天）" : "") + "，逾期未完成 \(l.overdue) 项；"
                            + "按时完成率 \(rate(l.onTimeRate, zh: true))，及时签收率 \(rate(l.receiptRate, zh: true))"
                    )
                }
            }
            lines.append("")
            lines.append("明细见附件 \(b.csvName)（Excel 可直接打开）；也可运行：\(command)")
            lines.append("")
            lines.append("本邮件由 dutyd 自动发送，请勿直接回复。")
        } else {
            lines.append("Dear \(recipient),")
            lines.append("")
            lines.append("The bulletin of \(b.regionName) for \(b.period) (\(b.from) to \(b.through)).")
            lines.append(
                "\(b.units) supervised unit(s) had deadlines; \(b.late.count) were late or finished late. On time "
                    + "\(rate(b.total.onTimeRate, zh: false)), timely receipt \(rate(b.total.receiptRate, zh: false))."
            )
            lines.append("")
            if b.late.isEmpty {
                lines.append("No unit was late.")
            } else {
                lines.append("Units late, in the order of the organisation:")
                for (i, l) in b.late.enumerated() {
                    lines.append(
                        "\(i + 1). \(l.name) (\(l.unit)): \(l.due) due, \(l.late) done late"
                            + (l.late > 0 ? " (up to \(l.lateDaysMax) days)" : "") + ", \(l.overdue) overdue; on time "
                            + "\(rate(l.onTimeRate, zh: false)), timely receipt \(rate(l.receiptRate, zh: false))"
                    )
                }
            }
            lines.append("")
            lines.append("The figures are in the attached \(b.csvName) (opens in Excel); or run: \(command)")
            lines.append("")
            lines.append("Sent automatically by dutyd; please do not reply.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
