import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

/// What the API does with the requests users and scripts send, asked in process (`InProcessDaemon`):
/// changes seen by the next question and audited, mistakes refused with what was expected and the exit
/// status dutyctl ends with, numbers from outside bounded, the daemon's one clock, reloads.
@Suite("the API's requests, in process", .ownThreads)
struct InProcessRequestTests {
    /// An answer's JSON object.
    static func object(_ a: InProcessAPI.Answer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: a.body) as? [String: Any], "\(a.text)")
    }

    /// The occurrences of an `upcoming` or `overdue` answer, as JSON objects.
    static func occurrences(_ a: InProcessAPI.Answer) throws -> [[String: Any]] {
        try #require(try object(a)["occurrences"] as? [[String: Any]], "\(a.text)")
    }

    /// Expects the API's error body, `{"error", "exit_status"}`, with the HTTP status of that exit
    /// status and a message that contains every one of `saying`.
    static func expectError(
        _ a: InProcessAPI.Answer,
        _ status: DutyOperations.ExitStatus,
        http: Int? = nil,
        saying: [String],
        _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(a.status == http ?? status.httpStatus, "\(what): \(a.status) \(a.text)", sourceLocation: sourceLocation)
        let body = try object(a)
        #expect(
            body["exit_status"] as? Int == Int(status.rawValue),
            "\(what): \(a.text)",
            sourceLocation: sourceLocation
        )
        let message = body["error"] as? String ?? ""
        for part in saying {
            #expect(message.contains(part), "\(what): '\(message)' lacks '\(part)'", sourceLocation: sourceLocation)
        }
    }

    @Test(
        "one clock: under a shifted clock (dutyd --start-at), a change without a date happens on the daemon's day, as its questions do"
    )
    func changesUseTheDaemonsClock() async throws {
        let d = try Daemon()
        let shifted = try #require(Instant(iso: "2026-08-10T10:00:00+08:00", zone: .utc))
        let began = Date()
        try await InProcessDaemon.asking(d, startAt: shifted) { api in
            let done = await api.send(
                "POST",
                "/v1/done",
                body: Data(#"{"occurrence":"semiannual-report/gd.gz/2026-H2"}"#.utf8)
            )
            #expect(done.status == 200, "\(done.text)")
            #expect(try Self.object(done)["done_on"] as? String == "2026-08-10", "\(done.text)")
            let completion = try #require(try d.store().records().completions.first)
            #expect(completion.on.description == "2026-08-10")
            // Recorded at the daemon's clock: 10:00 on the shifted day plus the time the test has
            // taken so far (a minute and more when the whole suite loads the machine).
            let elapsed = Int(Date().timeIntervalSince(began).rounded(.up)) + 1
            #expect(
                completion.recordedAt.seconds >= shifted.seconds
                    && completion.recordedAt.seconds <= shifted.seconds + elapsed,
                "\(completion.recordedAt), \(elapsed) s after the start at \(shifted)"
            )
            let added = await api.send(
                "POST",
                "/v1/units/add",
                body: Data(#"{"id":"gd.new","name":"新单位","kind":"unit","parent":"gd"}"#.utf8)
            )
            #expect(added.status == 200, "\(added.text)")
            #expect(try d.store().unit("gd.new")?.addedOn.description == "2026-08-10")
            // A question without an `at` is asked at the daemon's moment: nothing listed is due before
            // 10 August, and the report just done is done.
            let upcoming = await api.send("GET", "/v1/occurrences/upcoming?within=200d&unit=gd.gz&state[]=all")
            let list = try Self.occurrences(upcoming)
            let h2 = try #require(list.first { $0["id"] as? String == "semiannual-report/gd.gz/2026-H2" })
            #expect(h2["state"] as? String == "done", "\(h2)")
            let deadlines = list.compactMap { $0["deadline"] as? String }
            #expect(deadlines.count == list.count && !deadlines.contains { $0 < "2026-08-10" }, "\(deadlines)")
        }
    }

    @Test(
        "a change through the API is in the next question and in the audit trail as the asking user's; undo takes it back"
    )
    func changesAreSeenAndAudited() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            let id = "semiannual-report/gd.sz/2026-H2"
            let at = "at=2026-12-01T10:00:00%2B08:00"
            func state() async throws -> String {
                let r = await api.send("GET", "/v1/explain?occurrence=\(id)&\(at)")
                #expect(r.status == 200, "\(r.text)")
                return try JSONDecoder().decode(ExplainAnswer.self, from: r.body).occurrence.state
            }
            let before = try await state()
            #expect(before == "open" || before == "late", "\(before)")
            let done = await api.send(
                "POST",
                "/v1/done",
                body: Data(#"{"occurrence":"\#(id)","on":"2026-11-30","ref":"深宣〔2026〕9号"}"#.utf8)
            )
            #expect(done.status == 200, "\(done.text)")
            #expect(try await state() == "done")
            // The audit trail has it, as this process's user, through the API.
            let audit = await api.send("GET", "/v1/audit?occurrence=\(id)")
            let rows = try #require(try Self.object(audit)["changes"] as? [[String: Any]], "\(audit.text)")
            let user = String(cString: getpwuid(getuid()).pointee.pw_name)
            #expect(rows.count == 1, "\(audit.text)")
            #expect(rows.first?["who"] as? String == user && rows.first?["how"] as? String == "api", "\(audit.text)")
            #expect(rows.first?["action"] as? String == "done", "\(audit.text)")
            let undo = await api.send("POST", "/v1/undo", body: Data(#"{"occurrence":"\#(id)"}"#.utf8))
            #expect(undo.status == 200, "\(undo.text)")
            #expect(try await state() == before)
            let after = await api.send("GET", "/v1/audit?occurrence=\(id)")
            #expect((try Self.object(after)["changes"] as? [[String: Any]])?.count == 2, "\(after.text)")
            // The chain is whole after both.
            let verify = await api.send("GET", "/v1/audit/verify")
            #expect(verify.status == 200, "\(verify.text)")
        }
    }

    @Test(
        "a body that is not the operation's request is 400 with what was expected, for every change, and changes nothing"
    )
    func malformedBodies() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            let store = try d.store()
            let auditBefore = try store.verifyAudit().rows
            let changes = Operations.all.filter { $0.access == .write }
            #expect(changes.count >= 15, "\(changes.count) changes")
            for op in changes {
                for (body, what) in [
                    ("not json", "text"), ("[1,2]", "a list"), (#"{"occurrence": 5, "id": true}"#, "wrong types"),
                    (String(repeating: "[", count: 10_000), "10,000 brackets"),
                ] {
                    let r = await api.send("POST", "/v1/\(op.route)", body: Data(body.utf8))
                    try Self.expectError(r, .usage, saying: ["in JSON"], "\(op.route) with \(what)")
                }
            }
            // Nothing was recorded by any of them.
            #expect(try store.verifyAudit().rows == auditBefore)
        }
    }

    @Test(
        "numbers and names from outside are bounded: each refused with the parameter and what it takes, messages short"
    )
    func boundedParameters() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            let long = String(repeating: "x", count: 100_000)
            let cases: [(String, DutyOperations.ExitStatus, [String])] = [
                ("/v1/occurrences/upcoming?within=100000000d", .usage, ["within"]),
                ("/v1/occurrences/upcoming?within=-5d", .usage, ["within"]),
                ("/v1/occurrences/upcoming?at=99999-01-01", .usage, ["at"]),
                ("/v1/occurrences/upcoming?unit=\(long)", .dataError, ["no unit"]),
                ("/v1/explain?occurrence=\(long)", .usage, []),
                ("/v1/report?year=99999", .usage, ["year"]),
                ("/v1/report?year=-1", .usage, ["year"]),
                ("/v1/ledger?limit=1000000000000", .usage, ["limit"]),
                ("/v1/audit?limit=-3", .usage, ["limit"]),
                ("/v1/summary?depth=-1", .usage, ["depth"]),
                ("/v1/calendar/next?expression=daily&count=1000000000", .usage, ["count"]),
                ("/v1/calendar/day?date=\(long)", .usage, []),
                ("/v1/bulletin?period=\(long)", .usage, ["period"]),
            ]
            for (uri, status, saying) in cases {
                let r = await api.send("GET", uri)
                try Self.expectError(r, status, saying: saying, String(uri.prefix(80)))
                // A 100,000-character value is quoted by its start, not whole.
                #expect(r.body.count < 2_000, "\(uri.prefix(80)): \(r.body.count) bytes of error")
            }
        }
    }

    @Test("a path that is no route is 404, and a route asked with the other method 405, each as an error body")
    func unknownRoutes() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            for (method, uri, status) in [
                ("GET", "/v1/nothing", 404), ("GET", "/v2/status", 404), ("GET", "/", 404),
                ("POST", "/v1/occurrences/upcoming", 405), ("GET", "/v1/done", 405), ("DELETE", "/v1/units", 405),
            ] {
                let r = await api.send(method, uri, body: method == "POST" ? Data("{}".utf8) : nil)
                try Self.expectError(
                    r,
                    .usage,
                    http: status,
                    saying: [status == 404 ? "no route" : "this route takes"],
                    "\(method) \(uri)"
                )
                if status == 405 {
                    #expect(
                        r.allow == (method == "GET" ? "POST" : "GET"),
                        "\(method) \(uri): Allow \(r.allow ?? "none")"
                    )
                }
            }
        }
    }

    @Test("an event recorded through the API starts its deadline in the next question; removing it takes it away")
    func eventsStartDeadlines() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            // Recorded on Friday 25 September 2026: "1 day after", then the next working day. The National
            // Day holiday runs 1–8 October, so Saturday 26 September (not a make-up day this year) moves it
            // to Monday 28 September.
            let recorded = await api.send(
                "POST",
                "/v1/events",
                body: Data(#"{"kind":"major-situation","unit":"gd.sz","on":"2026-09-25","id":"sz-1"}"#.utf8)
            )
            #expect(recorded.status == 200, "\(recorded.text)")
            let query = "/v1/occurrences/upcoming?unit=gd.sz&within=30d&at=2026-09-25T12:00:00%2B08:00"
            let list = try Self.occurrences(await api.send("GET", query))
            let triggered = list.filter { $0["obligation"] as? String == "major-situation-report" }
            #expect(triggered.count == 1, "\(list.map { $0["id"] ?? "" })")
            #expect((triggered.first?["deadline"] as? String)?.hasPrefix("2026-09-28") == true, "\(triggered)")
            let removed = await api.send("POST", "/v1/events/remove", body: Data(#"{"id":"sz-1","unit":"gd.sz"}"#.utf8))
            #expect(removed.status == 200, "\(removed.text)")
            let again = try Self.occurrences(await api.send("GET", query))
            #expect(!again.contains { $0["obligation"] as? String == "major-situation-report" })
            // An event of a kind no obligation knows, or at a unit that does not exist, is refused.
            let unknown = await api.send(
                "POST",
                "/v1/events",
                body: Data(#"{"kind":"nonsense","unit":"gd.sz","on":"2026-09-25"}"#.utf8)
            )
            try Self.expectError(unknown, .usage, saying: ["nonsense", "major-situation"], "unknown kind")
        }
    }

    @Test(
        "a reload with a broken policy is refused naming its file and line, and the old policy answers on; a good one is taken"
    )
    func reloads() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            let broken = d.folder.appendingPathComponent("policy/zz-broken.toml")
            try
                "[obligation.extra]\ntitle = \"额外\"\nschedule = \"*-13-01\"\napplies_to = { kinds = [\"committee\"] }\nperiod = \"year\"\n"
                .write(
                    to: broken,
                    atomically: true,
                    encoding: .utf8
                )
            let refused = await api.send("POST", "/v1/reload")
            try Self.expectError(
                refused,
                .config,
                http: 422,
                saying: ["zz-broken.toml:3:1", "month 13", "previous one stays in force"],
                "broken policy"
            )
            let old = await api.send("GET", "/v1/policy?obligation=semiannual-report")
            #expect(old.status == 200, "\(old.text)")
            #expect((await api.send("GET", "/v1/policy?obligation=extra")).status == 422)
            try
                "[obligation.extra]\ntitle = \"额外\"\nschedule = \"*-12-01\"\napplies_to = { kinds = [\"committee\"] }\nperiod = \"year\"\n"
                .write(to: broken, atomically: true, encoding: .utf8)
            let taken = await api.send("POST", "/v1/reload")
            #expect(taken.status == 200, "\(taken.text)")
            let new = await api.send("GET", "/v1/policy?obligation=extra")
            #expect(new.status == 200 && new.text.contains("额外"), "\(new.text)")
            // Both reloads are in the audit trail with their outcome.
            let audit = try Self.object(await api.send("GET", "/v1/audit"))
            let reloads = (audit["changes"] as? [[String: Any]] ?? []).filter {
                ($0["action"] as? String)?.hasPrefix("reload") == true
            }
            #expect(reloads.count == 2, "\(reloads)")
        }
    }

    @Test("status tells the version, configuration, store, organisation, the next steps in order and the holiday years")
    func status() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            let r = await api.send("GET", "/v1/status")
            #expect(r.status == 200, "\(r.text)")
            let s = try JSONDecoder().decode(StatusView.self, from: r.body)
            #expect(s.version == "test" && s.pid == getpid())
            #expect(s.config == d.config && s.state == d.state && s.timezone == "Asia/Shanghai")
            #expect(
                s.units == 32 && s.officials > 0 && s.obligations > 10,
                "\(s.units) \(s.officials) \(s.obligations)"
            )
            #expect(s.holidayYears.contains(2026) && !s.holidayYears.contains(2027))
            #expect(s.provisionalYears.first == 2027)
            #expect(s.next.count == 5 && s.next.map(\.at) == s.next.map(\.at).sorted(), "\(s.next.map(\.at))")
            // A change is in the next status: the organisation counted again.
            let added = await api.send(
                "POST",
                "/v1/units/add",
                body: Data(#"{"id":"gd.extra","name":"新单位","kind":"unit","parent":"gd"}"#.utf8)
            )
            #expect(added.status == 200, "\(added.text)")
            let after = try JSONDecoder().decode(StatusView.self, from: (await api.send("GET", "/v1/status")).body)
            #expect(after.units == 33)
        }
    }

    @Test("receipt through the API: given once, on time or late by the day it was due, and shown on the occurrence")
    func receipt() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            // A unit's situation report asks for receipt within 3 working days of its first notice.
            let id = "unit-situation-report/gd.gz.jyj/2026-H2"
            let ack = await api.send("POST", "/v1/ack", body: Data(#"{"occurrence":"\#(id)","by":"yang.fan"}"#.utf8))
            #expect(ack.status == 200, "\(ack.text)")
            let answer = try JSONDecoder().decode(AckAnswer.self, from: ack.body)
            #expect(answer.receivedBy == "yang.fan" && answer.state.hasPrefix("received"), "\(ack.text)")
            let again = await api.send("POST", "/v1/ack", body: Data(#"{"occurrence":"\#(id)"}"#.utf8))
            try Self.expectError(again, .dataError, saying: ["already"], "a second receipt")
            let explained = await api.send("GET", "/v1/explain?occurrence=\(id)")
            let view = try JSONDecoder().decode(ExplainAnswer.self, from: explained.body).occurrence
            #expect(view.receipt?.by == "yang.fan", "\(explained.text.prefix(400))")
        }
    }

    @Test(
        "an import through the API is all or nothing: one bad line refuses the file naming its line and column, and changes nothing"
    )
    func importsAreAllOrNothing() async throws {
        let d = try Daemon()
        try await InProcessDaemon.asking(d) { api in
            func post(_ csv: String) async -> InProcessAPI.Answer {
                let data = Data(csv.utf8).base64EncodedString()
                return await api.send(
                    "POST",
                    "/v1/units/import",
                    body: Data(#"{"file":"new-units.csv","data":"\#(data)"}"#.utf8)
                )
            }
            let store = try d.store()
            let before = try store.units()
            // The third line names a parent that is neither in the store nor in the file.
            let bad = """
                id,name,kind,parent,email
                gd.n1,新单位一,unit,gd,n1@example.org
                gd.n2,新单位二,unit,gd.nowhere,
                gd.n3,新单位三,unit,gd,
                """
            try Self.expectError(
                await post(bad),
                .dataError,
                saying: ["new-units.csv:3", "gd.nowhere"],
                "a bad parent"
            )
            #expect(try store.units().map(\.id) == before.map(\.id))
            // A kind the policy does not know, at its column.
            let kind = "id,name,kind,parent,email\ngd.n1,新单位一,spaceship,gd,\n"
            try Self.expectError(
                await post(kind),
                .dataError,
                saying: ["new-units.csv:2:", "spaceship"],
                "an unknown kind"
            )
            #expect(try store.units().count == before.count)
            // The good lines alone go in, and the next question knows them.
            let good = await post("id,name,kind,parent,email\ngd.n1,新单位一,unit,gd,n1@example.org\n")
            #expect(good.status == 200, "\(good.text)")
            let unit = await api.send("GET", "/v1/unit?id=gd.n1")
            #expect(unit.status == 200 && unit.text.contains("新单位一"), "\(unit.text)")
        }
    }
}
