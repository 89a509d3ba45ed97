package import DutyCalendar
package import DutyNotify
import Foundation

/// The daemon's settings, `/etc/dutyd/dutyd.toml` (docs/design.md, Files). Relative paths resolve
/// against the folder of the file. Unknown keys are refused, so a typo (`timezon =`) is caught
/// instead of silently falling back to a default.
///
/// Defaults: `timezone` UTC, `state` /var/lib/dutyd/dutyd.sqlite, `policy` /etc/dutyd/policy.d,
/// `holidays` /usr/share/dutyd/holidays/cn, `send_at` 09:00, `track_from` unset (a unit's tracking
/// starts when it is added).
package struct Settings: Sendable {
    package static let defaultPath = "/etc/dutyd/dutyd.toml"

    /// The file the settings came from; `nil` for built-in defaults.
    package var file: String?
    package var timezone: Zone = .utc
    package var state = "/var/lib/dutyd/dutyd.sqlite"
    /// Where the settings file writes `state` (line, column), for messages about it.
    package var statePlace: (line: Int?, column: Int?) = (nil, nil)

    /// Whether `state` names a PostgreSQL database (`postgresql://…`, `postgres://…` or libpq's
    /// `key=value` form) rather than a SQLite file.
    package static func isDatabase(_ state: String) -> Bool {
        state.hasPrefix("postgresql://") || state.hasPrefix("postgres://")
            || (!state.hasPrefix("/") && !state.hasPrefix(".") && state.contains("="))
    }
    package var policy = ["/etc/dutyd/policy.d"]
    package var holidays = ["/usr/share/dutyd/holidays/cn"]
    package var sendAtHour = 9
    package var sendAtMinute = 0
    package var trackFrom: CivilDate?
    /// `[email]`; transport `none` when the table is absent.
    package var email = EmailSettings()
    /// `[[hook]]`, in the order written.
    package var hooks: [HookSettings] = []
    /// `[api]`: the control socket and who may change state through it.
    package var api = APISettings()
    /// `[web]`: the officials' pages; `nil` when not served.
    package var web: WebSettings?
    /// `[metrics] listen`: a TCP address that serves `/metrics` besides the API socket; `nil` when not.
    package var metrics: MetricsSettings?
    /// `takeover`: on PostgreSQL, how soon a standing-by dutyd takes over sending from one that
    /// stopped renewing its lease (seconds).
    package var takeover: Double = 15
    /// `instance`: this dutyd's name among several on one PostgreSQL database (host:pid unless set).
    package var instance: String?

    package init() {}

    /// The keys docs/design.md documents, by table, and the few added since (email language, ca_file, helo,
    /// timeouts; hook concurrency). The `[api]` keys are accepted now and used by the API.
    package static let knownKeys: [String: Set<String>] = [
        "": [
            "timezone", "state", "policy", "holidays", "send_at", "track_from", "api", "email", "hook", "web",
            "takeover", "instance", "metrics",
        ],
        "metrics": ["listen"],
        "web": ["listen", "base_url", "secret_file", "link_lifetime", "trust_user_header"],
        "api": ["socket", "admin_groups", "group", "enabled", "question_timeout", "idle_timeout"],
        "email": [
            "transport", "from", "smtp_host", "smtp_port", "tls", "username", "password_file", "sendmail", "templates",
            "language", "ca_file", "helo", "timeout", "session_timeout",
        ],
        "hook": ["name", "command", "events", "timeout", "concurrency", "credentials"],
    ]

    /// Reads and checks a settings file.
    package static func load(path: String) throws(ConfigError) -> Settings {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(
                path,
                nil,
                nil,
                exists
                    ? "cannot read the settings file; check its permissions"
                    : "no settings file here; create it (see config/dutyd.toml in the source) or pass --config PATH"
            )
        }
        return try parse(bytes: Array(data), path: path)
    }

    package static func parse(_ text: String, path: String) throws(ConfigError) -> Settings {
        try parse(bytes: Array(text.utf8), path: path)
    }

    package static func parse(bytes: [UInt8], path: String) throws(ConfigError) -> Settings {
        let table: TOMLTable
        do {
            table = try TOMLParser.parse(bytes: bytes)
        } catch {
            throw ConfigError(path, error.line, error.column, error.message)
        }
        let locator = KeyLocator(table)
        func fail(_ key: String, _ message: String) -> ConfigError {
            let (l, c) = locator.find(key)
            return ConfigError(path, l, c, message)
        }
        try checkKeys(table, table: "", path: path, locator: locator)

        var s = Settings()
        s.file = path
        let base = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : ((base.isEmpty ? "." : base) as NSString).appendingPathComponent(p)
        }
        func stringList(_ key: String) throws(ConfigError) -> [String]? {
            guard let v = table[key] else { return nil }
            if let one = v.string { return [one] }
            if let arr = v.array {
                var out: [String] = []
                for item in arr {
                    guard let str = item.string else {
                        throw fail(key, "\(key): expected a path or a list of paths in quotes")
                    }
                    out.append(str)
                }
                return out
            }
            throw fail(key, "\(key): expected a path or a list of paths in quotes")
        }
        if let v = table["timezone"] {
            guard let name = v.string else {
                throw fail("timezone", "timezone: expected a zone name in quotes, such as \"Asia/Shanghai\"")
            }
            guard let zone = Zone.named(name) else {
                throw fail(
                    "timezone",
                    "timezone: unknown zone \"\(name)\"; expected an IANA name such as \"Asia/Shanghai\" (see timedatectl list-timezones)"
                )
            }
            s.timezone = zone
        }
        if let v = table["state"] {
            guard let p = v.string else {
                throw fail("state", "state: expected a file path or a postgresql:// connection string in quotes")
            }
            s.state = Settings.isDatabase(p) ? p : resolve(p)
            s.statePlace = locator.find("state")
        }
        if let n = table["takeover"] {
            guard let v = Settings.seconds(n, maximum: 600), v >= 2 else {
                throw fail("takeover", "takeover: expected a time from 2s to 10min, such as \"15s\"")
            }
            s.takeover = v
        }
        if let v = table["instance"] {
            guard let name = v.string, !name.isEmpty, name.count <= 100,
                name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.:@".contains($0) })
            else {
                throw fail(
                    "instance",
                    "instance: expected a name of up to 100 letters, digits and - _ . : @ in quotes, such as \"dutyd-a\""
                )
            }
            s.instance = name
        }
        if let list = try stringList("policy") { s.policy = list.map(resolve) }
        if let list = try stringList("holidays") { s.holidays = list.map(resolve) }
        if let v = table["send_at"] {
            guard let t = v.string, t.count == 5, let h = Int(t.prefix(2)), let m = Int(t.suffix(2)),
                t.dropFirst(2).first == ":",
                (0..<24).contains(h), (0..<60).contains(m)
            else { throw fail("send_at", "send_at: expected a local time \"HH:MM\" in quotes, such as \"09:00\"") }
            (s.sendAtHour, s.sendAtMinute) = (h, m)
        }
        if let v = table["track_from"] {
            if let d = v.date, d.isLocalDate, let y = d.year, let m = d.month, let day = d.day,
                let date = CivilDate(year: y, month: m, day: day)
            {
                s.trackFrom = date
            } else if let t = v.string, let date = CivilDate(iso: t) {
                s.trackFrom = date
            } else {
                throw fail("track_from", "track_from: expected a date such as \"2026-11-29\"")
            }
        }
        if let api = table["api"]?.table { s.api = try parseAPI(api, path: path, resolve: resolve) }
        if let email = table["email"]?.table { s.email = try parseEmail(email, path: path, resolve: resolve) }
        if let hooks = table["hook"]?.array { s.hooks = try parseHooks(hooks, path: path) }
        if let web = table["web"]?.table { s.web = try parseWeb(web, path: path, resolve: resolve) }
        if let metrics = table["metrics"]?.table { s.metrics = try parseMetrics(metrics, path: path) }
        return s
    }

    private static func checkKeys(
        _ table: TOMLTable,
        table name: String,
        at prefix: String = "",
        path: String,
        locator: KeyLocator
    ) throws(ConfigError) {
        let known = knownKeys[name] ?? []
        for key in table.keys where !known.contains(key) {
            let (l, c) = locator.find(prefix.isEmpty ? key : "\(prefix).\(key)")
            let where_ = name.isEmpty ? "" : " in [\(name)]"
            throw ConfigError(
                path,
                l,
                c,
                "unknown setting '\(key)'\(where_); expected one of \(known.sorted().joined(separator: ", "))"
            )
        }
        for sub in ["api", "email", "web", "metrics"] where name.isEmpty {
            if let t = table[sub] {
                guard let inner = t.table else {
                    throw ConfigError(path, locator.find(sub).0, 1, "\(sub): expected a table [\(sub)]")
                }
                try checkKeys(inner, table: sub, at: sub, path: path, locator: locator)
            }
        }
        if name.isEmpty, let hooks = table["hook"] {
            guard let list = hooks.array else {
                throw ConfigError(path, locator.find("hook").0, 1, "hook: expected [[hook]] tables")
            }
            for (n, h) in list.enumerated() {
                guard let t = h.table else {
                    throw ConfigError(path, locator.find("hook").0, 1, "hook: expected [[hook]] tables")
                }
                try checkKeys(t, table: "hook", at: "hook.\(n)", path: path, locator: locator)
            }
        }
    }
}

/// A bad settings file or setting: exit status 78 (EX_CONFIG).
package struct ConfigError: Error, Sendable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?
    package var message: String

    package init(_ file: String, _ line: Int?, _ column: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { placed(message, file: file, line: line, column: column) }
}

/// Finds where a key is written, for error messages: a dotted path such as `email.smtp_port` or
/// `hook.1.timeout`.
struct KeyLocator {
    let document: TOMLTable
    init(_ document: TOMLTable) { self.document = document }

    func find(_ path: String) -> (Int?, Int?) {
        guard let p = document.locate(path) else { return (nil, nil) }
        return (p.line, p.column)
    }
}
