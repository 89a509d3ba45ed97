import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Logging
import Testing

/// dutyd's scheduler and API in this process, on a `Daemon` fixture's files: the same routes, answers
/// and authorization as the socket, asked without a socket or a child process (`InProcessAPI`). The
/// socket itself, SO_PEERCRED and dutyctl's remote mode are tested end to end in `APITests`.
struct InProcessDaemon {
    let scheduler: Scheduler
    let run: Task<Void, any Error>
    let api: InProcessAPI

    /// Starts the scheduler with no delivery channel, and waits for its first plan: on the real clock,
    /// or from `startAt` on as `dutyd --start-at` does.
    static func start(_ d: Daemon, startAt: Instant? = nil) async throws -> InProcessDaemon {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let clock = SystemClock(offset: startAt.map { $0.microseconds - SystemClock().wall().microseconds } ?? 0)
        let scheduler = Scheduler(
            configPath: d.config,
            clock: clock,
            journal: Journal(mode: .stderr),
            logger: logger,
            channels: { _, _ in [] }
        )
        let run = Task { try await scheduler.run() }
        try await waitUntil("the in-process scheduler's first plan") { scheduler.snapshot != nil }
        let server = APIServer(
            settings: try Settings.load(path: d.config).api,
            scheduler: scheduler,
            logger: logger,
            version: "test"
        )
        return InProcessDaemon(scheduler: scheduler, run: run, api: server.inProcess())
    }

    /// Runs `body` against a daemon on `d`'s files started in process (see `start`), and stops it
    /// afterwards, also when `body` throws.
    static func asking(
        _ d: Daemon,
        startAt: Instant? = nil,
        _ body: (InProcessAPI) async throws -> Void
    ) async throws {
        let daemon = try await start(d, startAt: startAt)
        do {
            try await body(daemon.api)
        } catch {
            try? await daemon.stop()
            throw error
        }
        try await daemon.stop()
    }

    func stop() async throws {
        await scheduler.stop()
        try await run.value
    }
}

@Suite("the API in process", .ownThreads)
struct InProcessAPITests {
    @Test("the OpenAPI file is valid and every answer fits it")
    func openAPI() async throws {
        let spec = try JournalReader.shell("/usr/bin/python3", [APITests.checker, APITests.spec])
        #expect(spec.status == 0, "openapi.yaml: \(spec.err)")
        let d = try Daemon()
        let daemon = try await InProcessDaemon.start(d)
        let client = daemon.api
        /// Every answer, checked against openapi.yaml at the end in one run of the checker.
        var answers: [(method: String, path: String, status: Int, body: Data)] = []
        let at = "at=2026-12-01T10:00:00%2B08:00"
        let gets: [(String, String, Int)] = [
            ("/v1/status", "", 200),
            ("/v1/occurrences/upcoming", "within=400d&\(at)&state[]=all", 200),
            ("/v1/occurrences/overdue", "\(at)&unit=gd.gz&subtree=true", 200),
            ("/v1/report", "year=2026&\(at)", 200),
            ("/v1/summary", "\(at)", 200),
            ("/v1/summary", "unit=gd&depth=2&at=2027-02-01", 200),
            ("/v1/summary", "depth=99", 400),
            ("/v1/explain", "occurrence=semiannual-report/gd.gz/2026-H2&\(at)", 200),
            ("/v1/explain", "occurrence=nonsense", 400),
            ("/v1/ledger", "limit=3&state[]=sent", 200),
            ("/v1/ledger", "state[]=lost", 400),
            ("/v1/events", "unit=gd.sz", 200),
            ("/v1/audit", "", 200),
            ("/v1/bulletin", "period=2026-H2&\(at)", 200),
            ("/v1/bulletin", "period=2026-H2&unit=gd.gz.xcb&\(at)", 200),
            ("/v1/bulletin", "period=H2", 400),
            ("/v1/audit", "limit=0", 400),
            ("/v1/audit/verify", "", 200),
            ("/v1/units", "under=gd.gz", 200),
            ("/v1/unit", "id=gd.gz.xcb", 200),
            ("/v1/unit", "id=nowhere", 422),
            ("/v1/officials", "unit=gd.gz&subtree=true&role=head", 200),
            ("/v1/official", "id=yang.fan", 200),
            ("/v1/units/export", "", 200),
            ("/v1/officials/export", "json=true", 200),
            ("/v1/calendar", "filters[unit]=gd.gz&todo=true", 200),
            ("/v1/occurrences/upcoming", "within=3x", 400),
            ("/v1/occurrences/upcoming", "unit=nowhere", 422),
            ("/v1/report", "", 400),
            ("/v1/policy", "", 200),
            ("/v1/policy", "obligation=semiannual-report", 200),
            ("/v1/policy", "obligation=nonsense", 422),
            ("/v1/calendar/day", "date=2026-02-28", 200),
            ("/v1/calendar/day", "date=2027-10-01", 200),
            ("/v1/calendar/day", "date=2026-02-30", 400),
            ("/v1/calendar/shift", "date=2025-01-31&rule=previous-workday", 200),
            ("/v1/calendar/shift", "date=2025-01-31&rule=sideways", 400),
            ("/v1/calendar/next", "expression=quarterly&count=3", 200),
            ("/v1/calendar/next", "rrule=FREQ=WEEKLY&dtstart=2026-11-29T09:00%2B08:00", 200),
            ("/v1/calendar/next", "expression=2026-11-29T10:00", 422),
            ("/v1/calendar/next", "", 400),
            ("/v1/config/check", "", 200),
            ("/v1/policy/check", "", 200),
            ("/v1/config/template", "", 200),
            ("/v1/config/template", "name=subject.en", 200),
            ("/v1/config/template", "name=nonsense", 400),
            ("/v1/extend", "", 200),
            ("/v1/extend", "pending=true&occurrence=semiannual-report/gd.gz/2026-H2", 200),
        ]
        for (path, query, status) in gets {
            let r = await client.send("GET", path + (query.isEmpty ? "" : "?" + query))
            #expect(r.status == status, "\(path)?\(query): \(String(decoding: r.body, as: UTF8.self))")
            answers.append(("GET", path, r.status, r.body))
        }
        let upcoming = await client.send("GET", "/v1/occurrences/upcoming?within=400d&\(at)")
        let list = try JSONDecoder().decode(OccurrenceList.self, from: upcoming.body)
        #expect(list.occurrences.count > 10)

        let feed = await client.send("GET", "/v1/calendar.ics?filters[unit]=gd.gz")
        #expect(feed.status == 200)
        #expect(String(decoding: feed.body, as: UTF8.self).hasPrefix("BEGIN:VCALENDAR\r\n"))

        let posts: [(String, Int)] = [
            (#"{"occurrence":"semiannual-report/gd.gz/2026-H2","ref":"X-1"}"#, 200),
            (#"{"occurrence":"semiannual-report/gd.gz/2026-H2","on":"2999-01-01"}"#, 400),
            (#"{"occurrence":"nonsense"}"#, 400),
            (#"{"on":"2026-11-01"}"#, 400),
            (#"not json"#, 400),
        ]
        for (path, body, status) in [
            ("/v1/waive", #"{"occurrence":"joint-meeting/gd.gz.xcb/2026-Q4","reason":"合并召开"}"#, 200),
            ("/v1/waive", #"{"occurrence":"joint-meeting/gd.gz.xcb/2026-Q4","reason":" "}"#, 400),
            ("/v1/undo", #"{"occurrence":"joint-meeting/gd.gz.xcb/2026-Q4"}"#, 200),
            ("/v1/undo", #"{"occurrence":"joint-meeting/gd.gz.xcb/2026-Q4"}"#, 422),
            ("/v1/reload", "", 200),
            ("/v1/units/add", #"{"id":"gd.gz.t9","name":"测试","kind":"committee","parent":"gd.gz"}"#, 200),
            ("/v1/units/add", #"{"id":"gd.gz.t9","name":"测试","kind":"committee"}"#, 422),
            ("/v1/units/set", #"{"id":"gd.gz.t9","email":""}"#, 200),
            ("/v1/officials/add", #"{"id":"t.nine","name":"测试","unit":"gd.gz.t9","roles":["clerk"]}"#, 200),
            ("/v1/officials/set", #"{"id":"t.nine","roles":[]}"#, 400),
            ("/v1/officials/remove", #"{"removed":"t.nine"}"#, 200),
            ("/v1/units/remove", #"{"id":"gd.gz.t9"}"#, 200),
            (
                "/v1/units/import",
                #"{"file":"x.csv","data":"aWQsbmFtZSxraW5kLHBhcmVudCxlbWFpbApnZC5nei50OCzmtYvor5UsY29tbWl0dGVlLGdkLmd6LAo="}"#,
                200
            ),
            ("/v1/officials/import", #"{"file":"o.csv","data":"bm9uc2Vuc2UK"}"#, 422),
            // Completions: one line bad, refused whole (422), then the good one recorded with skip_bad.
            (
                "/v1/done/import",
                #"{"file":"d.csv","data":"b2NjdXJyZW5jZSxkYXRlCnNlbWlhbm51YWwtcmVwb3J0L2dkLnN6LzIwMjYtSDIsMjAyNi0xMS0zMApzZW1pYW5udWFsLXJlcG9ydC9nZC5zei8yMDI2LUg5LDIwMjYtMTEtMzAK"}"#,
                422
            ),
            (
                "/v1/done/import",
                #"{"file":"d.csv","data":"b2NjdXJyZW5jZSxkYXRlCnNlbWlhbm51YWwtcmVwb3J0L2dkLnN6LzIwMjYtSDIsMjAyNi0xMS0zMApzZW1pYW5udWFsLXJlcG9ydC9nZC5zei8yMDI2LUg5LDIwMjYtMTEtMzAK","skip_bad":true}"#,
                200
            ),
            ("/v1/events", #"{"kind":"major-situation","unit":"gd.sz","id":"x-1"}"#, 200),
            ("/v1/events", #"{"kind":"major-situation","unit":"nowhere"}"#, 422),
            ("/v1/events/remove", #"{"id":"x-1","unit":"gd.sz"}"#, 200),
            // Extensions (延期): asked, asked again while waiting, approved by the approver, listed.
            (
                "/v1/extend/request",
                #"{"occurrence":"\#(NextYear.semiannualReport("gd.sz"))","until":"\#(NextYear.earlyJulyWeekday)","reason":"会议改期"}"#,
                200
            ),
            (
                "/v1/extend/request",
                #"{"occurrence":"\#(NextYear.semiannualReport("gd.sz"))","until":"\#(NextYear.earlyJulyWeekday)","reason":"again"}"#,
                422
            ),
            ("/v1/extend/request", #"{"occurrence":"semiannual-report/gd.sz/2026-H1","until":"x","reason":"r"}"#, 400),
            ("/v1/extend/approve", #"{"request":"ext-1","by":"yang.fan"}"#, 403),
            ("/v1/extend/approve", #"{"request":"ext-1","by":"sun.wei","note":"同意"}"#, 200),
            ("/v1/extend/deny", #"{"request":"ext-1"}"#, 422),
            ("/v1/extend/deny", #"{"request":"ext-x"}"#, 400),
        ] {
            let r = await client.send("POST", path, body: Data(body.utf8))
            #expect(r.status == status, "\(path) \(body): \(String(decoding: r.body, as: UTF8.self))")
            answers.append(("POST", path, r.status, r.body))
        }
        for (body, status) in posts {
            let r = await client.send("POST", "/v1/done", body: Data(body.utf8))
            #expect(r.status == status, "\(body): \(String(decoding: r.body, as: UTF8.self))")
            answers.append(("POST", "/v1/done", r.status, r.body))
        }
        // The request decided, and the occurrence it moved, fit too.
        for uri in ["/v1/extend", "/v1/occurrences/upcoming?unit=gd.sz&within=900d&state[]=all"] {
            let r = await client.send("GET", uri)
            #expect(r.status == 200 && r.text.contains("ext-1"), "\(uri): \(r.text.prefix(300))")
            answers.append(("GET", String(uri.prefix { $0 != "?" }), r.status, r.body))
        }
        // With a completion and a waiver on record, the occurrences fit too.
        _ = await client.send(
            "POST",
            "/v1/waive",
            body: Data(#"{"occurrence":"joint-meeting/gd.gz.xcb/2026-Q4","reason":"合并"}"#.utf8)
        )
        let recorded = await client.send("GET", "/v1/occurrences/upcoming?within=60d&state[]=done&state[]=waived")
        #expect(recorded.status == 200)
        #expect(String(decoding: recorded.body, as: UTF8.self).contains(#""completion":{"#))
        #expect(String(decoding: recorded.body, as: UTF8.self).contains(#""waiver":{"#))
        answers.append(("GET", "/v1/occurrences/upcoming", recorded.status, recorded.body))
        try APITests.conform(answers)
        try await daemon.stop()
    }

    @Test(
        "upcoming and overdue stream: JSON Lines of the whole answer's rows, in order, then their count; every line fits the OpenAPI file"
    )
    func streamedAnswers() async throws {
        let d = try Daemon()
        let daemon = try await InProcessDaemon.start(d)
        let client = daemon.api
        var lines: [(method: String, path: String, status: Int, body: Data)] = []
        var answers: [(method: String, path: String, status: Int, body: Data)] = []
        for (path, query) in [
            ("/v1/occurrences/upcoming", "within=400d&at=2026-12-01T10:00:00%2B08:00&state[]=all"),
            ("/v1/occurrences/overdue", "at=2027-03-01T10:00:00%2B08:00"),
            ("/v1/occurrences/upcoming", "within=1d&at=2026-12-05T10:00:00%2B08:00&unit=gd.gz"),
        ] {
            let whole = await client.send("GET", path + "?" + query)
            let streamed = await client.send("GET", path + "?" + query, accept: "application/jsonl")
            #expect(whole.status == 200 && streamed.status == 200, "\(whole.text) \(streamed.text)")
            #expect(streamed.contentType == "application/jsonl")
            answers.append(("GET", path, whole.status, whole.body))
            lines.append(("GET", path, streamed.status, streamed.body))
            let list = try JSONDecoder().decode(OccurrenceList.self, from: whole.body)
            let parts = streamed.body.split(separator: UInt8(ascii: "\n"))
            let rows = try parts.dropLast().map { try JSONDecoder().decode(OccurrenceView.self, from: Data($0)) }
            struct End: Decodable { var end: OccurrencesEnding }
            let end = try JSONDecoder().decode(End.self, from: Data(try #require(parts.last))).end
            #expect(rows.map(\.id) == list.occurrences.map(\.id))
            #expect(end.count == rows.count && end.warnings == list.warnings && end.empty == list.empty)
            // By deadline, then obligation, then subject in tree order (a unit before the units below it).
            let org = try Organisation(
                units: DutyStore(path: d.state).units(),
                officials: []
            )
            for (a, b) in zip(rows, rows.dropFirst()) {
                let key = { (v: OccurrenceView) in (v.deadline, v.obligation) }
                #expect(key(a) <= key(b), "\(a.id) before \(b.id)")
                if key(a) == key(b) && a.subjectKind == "unit" && a.period == b.period {
                    #expect(
                        try #require(org.index[a.subject]) < (try #require(org.index[b.subject])),
                        "\(a.id) before \(b.id)"
                    )
                }
            }
        }
        // The lists of units and officials, and the report, stream the same way.
        for (path, key) in [
            ("/v1/units?under=gd.gz", "units"), ("/v1/officials?unit=gd&subtree=true", "officials"),
            ("/v1/report?year=2026&at=2026-12-20T10:00:00%2B08:00", "lines"), ("/v1/ledger?limit=5", "notifications"),
            ("/v1/events", "events"), ("/v1/audit", "changes"),
            ("/v1/bulletin?period=2026&at=2026-12-20T10:00:00%2B08:00", "regions"),
        ] {
            let whole = await client.send("GET", path)
            let streamed = await client.send("GET", path, accept: "application/jsonl")
            #expect(whole.status == 200 && streamed.status == 200)
            let route = String(path.prefix(while: { $0 != "?" }))
            answers.append(("GET", route, whole.status, whole.body))
            lines.append(("GET", route, streamed.status, streamed.body))
            let object = try #require(try JSONSerialization.jsonObject(with: whole.body) as? [String: Any])
            let rows = try #require(object[key] as? [[String: Any]])
            let parts = streamed.body.split(separator: UInt8(ascii: "\n"))
            #expect(parts.count == rows.count + 1 && object["count"] as? Int == rows.count)
            let lastLine = Data(try #require(parts.last))
            #expect(String(decoding: lastLine, as: UTF8.self).hasPrefix(#"{"end":{"#))
            let end = try #require(try JSONSerialization.jsonObject(with: lastLine) as? [String: Any])
            #expect((end["end"] as? [String: Any])?["count"] as? Int == rows.count)
            if key == "units" {
                #expect(rows.first?["id"] as? String == "gd.gz" && rows.first?["depth"] as? Int == 1)
                #expect(rows.contains { $0["id"] as? String == "gd.gz.huadu.xcb" && $0["depth"] as? Int == 3 })
            }
        }
        // The calendar streams in pieces (header, one event each, footer) whose text in order is the
        // `.ics` feed, itself written as it is made.
        let calendarQuery = "filters[unit]=gd&filters[subtree]=true&filters[at]=2026-12-01T10:00:00%2B08:00"
        let pieces = await client.send("GET", "/v1/calendar?" + calendarQuery, accept: "application/jsonl")
        let feed = await client.send("GET", "/v1/calendar.ics?" + calendarQuery)
        #expect(pieces.status == 200 && feed.status == 200, "\(pieces.text) \(feed.text)")
        #expect(feed.contentType == "text/calendar; charset=utf-8")
        lines.append(("GET", "/v1/calendar", pieces.status, pieces.body))
        let pieceLines = pieces.body.split(separator: UInt8(ascii: "\n"))
        let texts = try pieceLines.dropLast().map { try JSONDecoder().decode(CalendarPiece.self, from: Data($0)).ics }
        struct CalendarEnd: Decodable { var end: CalendarEnding }
        let calendarEnd = try JSONDecoder().decode(CalendarEnd.self, from: Data(try #require(pieceLines.last))).end
        // DTSTAMP is the moment of each question.
        let unstamped = { (text: String) in
            text.split(separator: "\r\n").filter { !$0.hasPrefix("DTSTAMP:") }.joined(separator: "\r\n")
        }
        #expect(unstamped(texts.joined()) == unstamped(feed.text))
        #expect(texts.first?.hasPrefix("BEGIN:VCALENDAR\r\n") == true && texts.last == "END:VCALENDAR\r\n")
        #expect(texts.dropFirst().dropLast().allSatisfy { $0.hasPrefix("BEGIN:VEVENT\r\n") })
        #expect(calendarEnd.count == texts.count - 2 && calendarEnd.count > 100, "\(calendarEnd.count) events")
        // A mistake is an error answer before any row, in both forms.
        let unknown = await client.send("GET", "/v1/occurrences/upcoming?unit=nowhere", accept: "application/jsonl")
        #expect(unknown.status == 422 && unknown.text.contains("no unit 'nowhere'"), "\(unknown.text)")
        answers.append(("GET", "/v1/occurrences/upcoming", unknown.status, unknown.body))
        try APITests.conform(answers, jsonLines: lines)
        try await daemon.stop()
    }

    @Test("every question of the registry is for the socket's group, every change for the admin groups")
    func accessOfEveryOperation() async throws {
        try TestUsers.user("dutyd-t-reader", groups: ["dutyd-t-read"])
        try TestUsers.user("dutyd-t-admin", groups: ["dutyd-t-read", "dutyd-t-admin"])
        try TestUsers.user("dutyd-t-stranger", groups: [])
        let d = try Daemon(api: "group = \"dutyd-t-read\"\nadmin_groups = [\"dutyd-t-admin\"]")
        let daemon = try await InProcessDaemon.start(d)
        func ids(_ user: String) throws -> (uid: UInt32, gid: UInt32) {
            let entry = try #require(getpwnam(user))
            return (entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        let (reader, admin, stranger) = (
            try ids("dutyd-t-reader"), try ids("dutyd-t-admin"), try ids("dutyd-t-stranger")
        )
        for op in Operations.all {
            let method = op.access == .read ? "GET" : "POST"
            // An empty request: refused for who asks before anything is read of it.
            func ask(_ who: (uid: UInt32, gid: UInt32)) async -> InProcessAPI.Answer {
                await daemon.api.send(
                    method,
                    "/v1/\(op.route)",
                    body: op.access == .write ? Data("{}".utf8) : nil,
                    uid: who.uid,
                    gid: who.gid
                )
            }
            let refused = await ask(stranger)
            #expect(refused.status == 403, "a stranger, \(method) /v1/\(op.route): \(refused.status)")
            #expect(refused.text.contains("dutyd-t-stranger may not"), "\(refused.text)")
            let asReader = await ask(reader)
            if op.access == .read {
                #expect(asReader.status != 403, "a reader, \(method) /v1/\(op.route): \(asReader.text)")
            } else {
                #expect(asReader.status == 403, "a reader, \(method) /v1/\(op.route): \(asReader.status)")
                #expect(asReader.text.contains("usermod -aG dutyd-t-admin dutyd-t-reader"), "\(asReader.text)")
            }
            let asAdmin = await ask(admin)
            #expect(
                asAdmin.status != 403 && asAdmin.status != 404,
                "an admin, \(method) /v1/\(op.route): \(asAdmin.text)"
            )
        }
        #expect(try d.store().records().completions.isEmpty)
        try await daemon.stop()
    }
}
