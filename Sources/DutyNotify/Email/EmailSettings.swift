/// The `[email]` settings: how mail leaves and what it looks like.
package struct EmailSettings: Sendable {
    package enum Transport: String, Sendable, CaseIterable {
        case smtp
        case sendmail
        case none
    }

    package var transport: Transport = .none
    package var from: MailAddress?
    package var smtp: SMTPConfiguration?
    package var sendmail = "/usr/sbin/sendmail"
    /// Folder of `NAME.mustache` files overriding the shipped templates.
    package var templates: String?
    package var language = "zh-CN"

    package init() {}
}

/// One `[[hook]]`: a command run per notification, or per recipient digest when `events` has `digest`.
package struct HookSettings: Sendable {
    package var name: String
    package var command: [String]
    /// `reminder`, `due`, `overdue`, `escalation`, `urging`, `extension-requested`, `extension-decided`,
    /// `bulletin`, `digest`; empty means every notification.
    package var events: Set<String>
    package var timeout: Double = 10
    /// How many runs of this hook at once.
    package var concurrency = 4
    /// Whether the command sees `$CREDENTIALS_DIRECTORY` (the service's secrets); off unless asked.
    package var credentials = false

    package static let eventNames = [
        "reminder", "due", "overdue", "escalation", "urging", "extension-requested", "extension-decided", "bulletin",
        "digest",
    ]

    package init(name: String, command: [String], events: Set<String> = []) {
        self.name = name
        self.command = command
        self.events = events
    }
}
