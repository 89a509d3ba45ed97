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
        {{#asks_receipt}}
           签收（{{receipt_due}} 前）：{{ack_command}}
        {{/asks_receipt}}
           办结后登记：{{done_command}}

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
        {{#asks_receipt}}
           Acknowledge receipt (by {{receipt_due}}): {{ack_command}}
        {{/asks_receipt}}
           When done: {{done_command}}

        {{/items}}
        {{/groups}}
        Everything for you in this send window is in this one message. Sent automatically by dutyd; please do not reply.

        """
}
