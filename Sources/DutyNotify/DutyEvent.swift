/// What a journal entry of dutyd reports, with its fixed `MESSAGE_ID` and priority (docs/design.md, journald
/// entries). Every id here is described in `systemd/dutyd.catalog`, which `journalctl -x` shows; a test
/// checks the two agree.
package enum DutyEvent: String, Sendable, CaseIterable {
    /// A reminder before a deadline.
    case reminder
    /// The deadline is today.
    case due
    /// The deadline passed and the duty is open.
    case overdue
    /// Late long enough to go up the hierarchy.
    case escalation
    /// Receipt (签收) not given by its day: the responsible people are urged (催办).
    case urging
    /// An extension (延期) was asked for: the approvers are told.
    case extensionRequested = "extension-requested"
    /// An extension was approved or denied: the responsible people are told.
    case extensionDecided = "extension-decided"
    /// The periodic bulletin (通报) of a supervising region went to its committee and department.
    case bulletin
    /// The first plan is built; the daemon is running.
    case started
    /// SIGHUP: the settings, policy and holidays were read again.
    case reloaded
    /// SIGHUP with a broken configuration: the old one stays in force.
    case reloadFailed = "reload-failed"
    /// A notification could not be delivered.
    case deliveryFailed = "delivery-failed"
    /// Deadlines depend on a year whose holidays are not published.
    case provisional
    /// The daemon stopped.
    case stopped
    /// Someone changed the state through the API (who, in `DUTY_PEER_*`).
    case changed
    /// The wall clock jumped: forward past what a sleep explains, or back behind the last run.
    case clockJump = "clock-jump"
    /// On PostgreSQL: this dutyd took over sending from another (or was the first).
    case senderStarted = "sender-started"
    /// On PostgreSQL: this dutyd stopped sending (another took over, or its connection was lost).
    case senderStopped = "sender-stopped"

    package var messageID: String {
        switch self {
        case .reminder: "787c70451391458bad208ff0ab99be48"
        case .due: "c723d9fc17eb4844a6ba514136bd3bf6"
        case .overdue: "d1196838d5724731a715dde686326383"
        case .escalation: "8a67d8223c264ac3b8d295c3516e3900"
        case .urging: "d509d1cfc8a64e43ab56f70348422616"
        case .extensionRequested: "c61619888873410aa29e2a6acd4fb871"
        case .extensionDecided: "1455fd2360e14932b7c2903080db7540"
        case .bulletin: "0fa7dadb94c445f09d75bbaa9ca9a6a9"
        case .started: "c5c02551537e4fe3b042b3cf31eab96d"
        case .reloaded: "3fc3a4d4ac48471a9ce97a67d62fc2e0"
        case .reloadFailed: "379471d9837441a9a4a9f4635c77829d"
        case .deliveryFailed: "f1f5409033b349d0bbbc8841c8c44005"
        case .provisional: "acd7abf21f0e4b609bc55ce48f950739"
        case .stopped: "d2ae4dea72cf4a08a7121a3d33fbfdf6"
        case .changed: "bec165f772774ea083cde9ad94346cd7"
        case .clockJump: "3fc3eaec2ceb4a0a81fa8dc2a208133d"
        case .senderStarted: "09c30727b2074bf58b52feabde0abb75"
        case .senderStopped: "d13ecdd420324999a8351141dbaab38a"
        }
    }

    /// notice for reminders, warning for due and overdue, err for escalations (docs/design.md).
    package var priority: Priority {
        switch self {
        case .reminder: .notice
        case .due, .overdue, .urging: .warning
        case .escalation: .error
        case .started, .reloaded, .stopped: .info
        case .senderStarted: .notice
        case .senderStopped: .warning
        case .changed, .extensionRequested, .extensionDecided, .bulletin: .notice
        case .reloadFailed, .deliveryFailed: .error
        case .provisional, .clockJump: .warning
        }
    }
}
