/// The mail templates dutyd ships (swift-mustache, plain text). An administrator overrides one by a
/// file of the same name in the `[email] templates` folder; `dutyctl config template NAME` prints the
/// shipped text to start from, and `dutyctl config check` parses every override.
///
/// What a template sees is described on `DigestView`.
enum BuiltinTemplates {
    static let texts: [String: String] = [
        "subject.zh-CN": subjectZH,
        "body.zh-CN": bodyZH,
        "subject.en": subjectEN,
        "body.en": bodyEN,
    ]

    static let subjectZH = """
        {{#single}}【{{event_name}}】{{subject_name}}：{{title}}（{{deadline}} {{weekday}}截止{{#late}}，已逾期 {{days_late}} 天{{/late}}）{{/single}}{{^single}}【督办提醒】{{count}} 项工作{{#red_count}}：逾期 {{red_count}} 项{{/red_count}}{{#yellow_count}}，临近截止 {{yellow_count}} 项{{/yellow_count}}{{#blue_count}}，提醒 {{blue_count}} 项{{/blue_count}}{{/single}}

        """

    static let bodyZH = """
        {{recipient_name}}：

        {{today}}，以下 {{count}} 项意识形态工作责任制事项需要您关注，按紧急程度排列。
        {{#link}}

        在网页上签收、登记办结或申请延期（您的个人链接，请勿转发）：
        {{link}}
        {{/link}}

        {{#groups}}
        ■ {{heading}}（{{size}} 项）

        {{#items}}
        {{number}}. {{subject_name}}：{{title}}（{{period}}）
           依据：{{article}}
           截止：{{deadline}} {{weekday}}，{{when}}{{#provisional}}（当年节假日安排尚未公布，日期暂定）{{/provisional}}
        {{#escalation}}
           逾期升级：主体责任 {{liable_main}}；重要领导责任 {{liable_important}}
        {{/escalation}}
        {{#urging}}
           催办：签收期限 {{receipt_due}} 已过，尚未签收，请即签收并抓紧办理。
        {{/urging}}
        {{#extension_requested}}
           延期申请 {{extension_id}}：{{extension_by}} 申请将截止日期由 {{extension_from}} 延至 {{extension_until}}。
           理由：{{extension_reason}}
           批准：{{approve_command}}
           不批准：{{deny_command}} --note 说明
        {{/extension_requested}}
        {{#extension_approved}}
           延期已批准（{{extension_id}}）：截止日期由 {{extension_from}} 改为 {{extension_until}}。{{extension_note}}
        {{/extension_approved}}
        {{#extension_denied}}
           延期申请 {{extension_id}} 未获批准：仍于 {{deadline}} 截止。{{extension_note}}
        {{/extension_denied}}
        {{#asks_receipt}}
           签收（{{receipt_due}} 前）：{{ack_command}}
        {{/asks_receipt}}
        {{#done_line}}
           办结后登记：{{done_command}}
        {{/done_line}}
        {{#extendable}}
           如需延期：{{extend_command}}
        {{/extendable}}

        {{/items}}
        {{/groups}}
        同一时段发给您的提醒已合并为这一封。本邮件由 dutyd 自动发送，请勿直接回复；如有疑问请联系本级党委办公室。

        """

    static let subjectEN = """
        {{#single}}[{{event_name}}] {{subject_name}}: {{title}} (due {{weekday}} {{deadline}}{{#late}}, {{days_late}} days late{{/late}}){{/single}}{{^single}}[dutyd] {{count}} duties{{#red_count}}: {{red_count}} late{{/red_count}}{{#yellow_count}}, {{yellow_count}} due soon{{/yellow_count}}{{#blue_count}}, {{blue_count}} upcoming{{/blue_count}}{{/single}}

        """

    static let bodyEN = """
        Dear {{recipient_name}},

        As of {{today}}, these {{count}} duties need your attention, most urgent first.
        {{#link}}

        Acknowledge, record as done or ask for more time on the web (your personal link; do not forward it):
        {{link}}
        {{/link}}

        {{#groups}}
        == {{heading}} ({{size}})

        {{#items}}
        {{number}}. {{subject_name}}: {{title}} ({{period}})
           Rule: {{article}}
           Deadline: {{weekday}} {{deadline}}, {{when}}{{#provisional}} (provisional: that year's holidays are not published){{/provisional}}
        {{#escalation}}
           Escalated: main responsibility {{liable_main}}; important leadership responsibility {{liable_important}}
        {{/escalation}}
        {{#urging}}
           Receipt was due by {{receipt_due}} and has not been given: acknowledge it now and get on with it.
        {{/urging}}
        {{#extension_requested}}
           Extension request {{extension_id}}: {{extension_by}} asks to move the deadline from {{extension_from}} to {{extension_until}}.
           Reason: {{extension_reason}}
           Approve: {{approve_command}}
           Deny: {{deny_command}} --note TEXT
        {{/extension_requested}}
        {{#extension_approved}}
           Extension {{extension_id}} approved: the deadline moves from {{extension_from}} to {{extension_until}}. {{extension_note}}
        {{/extension_approved}}
        {{#extension_denied}}
           Extension request {{extension_id}} denied: the deadline stays {{deadline}}. {{extension_note}}
        {{/extension_denied}}
        {{#asks_receipt}}
           Acknowledge receipt (by {{receipt_due}}): {{ack_command}}
        {{/asks_receipt}}
        {{#done_line}}
           When done: {{done_command}}
        {{/done_line}}
        {{#extendable}}
           To ask for more time: {{extend_command}}
        {{/extendable}}

        {{/items}}
        {{/groups}}
        Everything for you in this send window is in this one message. Sent automatically by dutyd; please do not reply.

        """
}
