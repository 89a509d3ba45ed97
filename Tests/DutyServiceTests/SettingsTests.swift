import DutyCalendar
import Testing

@testable import DutyService

@Suite("Settings file")
struct SettingsTests {
    @Test("reads the documented keys and resolves relative paths against the file's folder")
    func reads() throws {
        let s = try Settings.parse(
            """
            timezone = "Asia/Shanghai"
            state = "state/dutyd.sqlite"
            policy = ["policy"]
            holidays = "holidays/cn"
            send_at = "08:30"
            track_from = 2026-11-29

            [api]
            socket = "/run/dutyd/api.sock"

            [email]
            transport = "none"

            [[hook]]
            name = "sms"
            command = ["/bin/true"]
            """,
            path: "/etc/example/dutyd.toml"
        )
        #expect(s.timezone.identifier == "Asia/Shanghai")
        #expect(s.state == "/etc/example/state/dutyd.sqlite")
        #expect(s.policy == ["/etc/example/policy"])
        #expect(s.holidays == ["/etc/example/holidays/cn"])
        #expect(s.sendAtHour == 8 && s.sendAtMinute == 30)
        #expect(s.trackFrom == CivilDate(year: 2026, month: 11, day: 29))
    }

    @Test(
        "a bad file names the line and what was expected",
        arguments: [
            ("timezon = \"Asia/Shanghai\"", "x.toml:1:1:", "unknown setting 'timezon'"),
            ("\n\ntimezone = \"Mars/Olympus\"", "x.toml:3:1:", "unknown zone"),
            ("send_at = \"9am\"", "x.toml:1:1:", "HH:MM"),
            ("timezone = ", "x.toml:1:12:", "expected a value"),
            ("timezone = Asia/Shanghai", "x.toml:1:12:", "a string needs quotes"),
            ("[api]\nsocket = \"/run/a\"\n[api]", "x.toml:3:1:", "table [api] is already defined at line 1"),
            ("[email]\nsmtp_hots = \"x\"", "x.toml:2:1:", "in [email]"),
        ]
    )
    func rejects(_ text: String, _ place: String, _ words: String) {
        let error = #expect(throws: ConfigError.self) { try Settings.parse(text, path: "x.toml") }
        #expect(error?.description.hasPrefix(place) == true, "\(error?.description ?? "")")
        #expect(error?.description.contains(words) == true, "\(error?.description ?? "")")
    }

    @Test("a missing file says how to make one")
    func missing() {
        let error = #expect(throws: ConfigError.self) { try Settings.load(path: "/nonexistent/dutyd.toml") }
        #expect(error?.description.contains("--config") == true)
    }
}
