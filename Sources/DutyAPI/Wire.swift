// What travels over the socket besides the requests and answers in `DutyService/Commands/`.

/// Every error answer: what dutyctl prints and the status it exits with.
package struct APIErrorBody: Codable, Sendable {
    package var error: String
    package var exitStatus: Int32

    enum CodingKeys: String, CodingKey {
        case error
        case exitStatus = "exit_status"
    }
}

/// `GET /v1/status`, `dutyctl status`.
package struct StatusView: Codable, Sendable {
    package struct Step: Codable, Sendable {
        package var at: String
        package var obligation: String
        package var step: String
    }
    package var version: String
    package var pid: Int32
    package var startedAt: String
    package var uptimeSeconds: Int
    package var config: String
    package var loadedAt: String
    package var timezone: String
    package var state: String
    package var policy: [String]
    package var holidays: [String]
    package var socket: String
    package var units: Int
    package var officials: Int
    package var obligations: Int
    package var next: [Step]
    /// Ledger rows by state (`sent`, `retry`, `failed`, …).
    package var ledger: [String: Int]
    package var holidayYears: [Int]
    package var provisionalYears: [Int]
    /// On PostgreSQL: which of several dutyd sends; absent on SQLite (this one always sends).
    package var sender: Sender?

    /// Several dutyd on one PostgreSQL database.
    package struct Sender: Codable, Sendable {
        package struct Instance: Codable, Sendable {
            package var name: String
            /// When it last renewed its presence.
            package var seen: String
        }
        /// This instance's name, and whether it is the one that sends.
        package var instance: String
        package var sending: Bool
        /// The sender's term (one more at every takeover), the sender and since when.
        package var term: Int64
        package var holder: String?
        package var since: String?
        /// Every instance seen within three takeover intervals.
        package var instances: [Instance]
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, config, timezone, state, policy, holidays, socket, units, officials, obligations, next,
            ledger, sender
        case startedAt = "started_at"
        case uptimeSeconds = "uptime_seconds"
        case loadedAt = "loaded_at"
        case holidayYears = "holiday_years"
        case provisionalYears = "provisional_years"
    }
}

/// `POST /v1/reload`, `dutyctl reload`: the configuration now in force.
package struct ReloadAnswer: Codable, Sendable {
    package var config: String
    package var loadedAt: String

    enum CodingKeys: String, CodingKey {
        case config
        case loadedAt = "loaded_at"
    }
}
