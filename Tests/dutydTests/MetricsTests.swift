import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyStore
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Prometheus metrics from a running dutyd: the text format promtool accepts, the same on the API
/// socket and on `[metrics] listen`, and figures that agree with the ledger and `summary`.
@Suite("Prometheus metrics", .serialized, .ownThreads)
struct MetricsTests {
    static func scrape(_ port: Int, _ path: String = "/metrics") throws -> (status: String, body: String) {
        let r = try JournalReader.shell(
            "curl",
            ["-s", "-w", "\n%{http_code}", "--max-time", "30", "http://127.0.0.1:\(port)\(path)"]
        )
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    /// The value of the sample written exactly `series` (name and labels), if there is one.
    /// One series of `d`'s metrics, scraped on its API socket now (nil when not there or no answer).
    static func scrape(_ d: Daemon, _ series: String) -> Double? {
        guard let r = try? RawClient(socket: d.socket).raw("GET", "/metrics", seconds: 30), r.status == 200 else {
            return nil
        }
        return value(String(decoding: r.body, as: UTF8.self), series)
    }

    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test(
        "scraped on the socket and on [metrics] listen: promtool accepts it, every family has its help, the figures are the ledger's and summary's"
    )
    func scraped() throws {
        let port = try WebTests.freePort()
        let d = try Daemon(settings: "[metrics]\nlisten = \"\(port)\"")
        // At 09:00 on 21 December 2026, the first run sends what fell due since the organisation was
        // tracked (the journal channel), collapsing the earlier steps.
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-21T09:00:05+08:00"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var text = ""
        try waitFor("the first perform in the metrics", seconds: 60, poll: 0.2) {
            text = try Self.scrape(port).body
            return Self.value(text, "dutyd_last_perform_timestamp_seconds") != nil
        }
        // The ledger and the summary, asked now (the counters do not move until the next step).
        let counts = try d.store().ledgerCounts()
        let summary = try Daemon.run("dutyctl", ["summary", "--json", "--socket", d.socket])
        #expect(summary.status == 0, "\(summary.err)")
        text = try Self.scrape(port).body

        // promtool's own check of the format and its conventions.
        let file = d.folder.appendingPathComponent("metrics.txt").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let promtool = try JournalReader.shell("sh", ["-c", "promtool check metrics < '\(file)'"])
        #expect(promtool.status == 0, "promtool: \(promtool.out)\(promtool.err)")
        // Every family named in DutyMetrics is there with its help, but the web's (no [web] here).
        for f in DutyMetrics.families where !f.name.hasPrefix("dutyd_web_") {
            #expect(text.contains("# HELP \(f.name) \(f.help)\n# TYPE \(f.name) \(f.kind.rawValue)"), "\(f.name)")
        }

        #expect(Self.value(text, "dutyd_build_info{version=\"\(dutydVersion)\"}") == 1)
        #expect(Self.value(text, "dutyd_sender") == 1)
        #expect(Self.value(text, "dutyd_perform_failures") == 0)
        let sent = try #require(counts[.sent])
        #expect(sent > 0)
        #expect(Self.value(text, "dutyd_notifications_total{channel=\"journal\",outcome=\"sent\"}") == Double(sent))
        #expect(
            Self.value(text, "dutyd_notifications_total{channel=\"journal\",outcome=\"collapsed\"}")
                == Double(counts[.collapsed] ?? 0)
        )
        #expect(Self.value(text, "dutyd_retry_queue_notifications") == 0)
        #expect(Self.value(text, "dutyd_retry_queue_oldest_age_seconds") == 0)
        #expect(Self.value(text, "dutyd_holidays_published_through_year") == 2026)
        #expect((Self.value(text, "dutyd_holiday_years_provisional") ?? 0) >= 1)
        #expect(Self.value(text, "dutyd_plan_duration_seconds_count").map { $0 >= 1 } == true)
        // The occurrences under the top-level unit are summary's, by state; never one series per unit.
        let answer = try #require(
            try JSONSerialization.jsonObject(with: Data(summary.out.utf8)) as? [String: Any]
        )
        let node = try #require(answer["node"] as? [String: Any])
        let children = try #require(node["children"] as? [[String: Any]])
        let gd = try #require(children.first { $0["unit"] as? String == "gd" }?["tally"] as? [String: Int])
        func occurrences(_ state: String) -> Double {
            text.split(separator: "\n").filter { $0.hasPrefix("dutyd_occurrences{unit=\"gd\",state=\"\(state)\"") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        for state in ["open", "late", "done", "waived"] {
            #expect(occurrences(state) == Double(gd[state] ?? -1), "\(state)")
        }
        #expect(
            Self.value(text, "dutyd_occurrences{unit=\"gd\",state=\"late\",colour=\"red\"}") == Double(gd["red"] ?? -1)
        )
        #expect(!text.contains("unit=\"gd.gz\""))
        // The summary asked through the API is counted by its route.
        #expect(Self.value(text, "dutyd_api_requests_total{route=\"/v1/summary\",status=\"200\"}") == 1)

        // The socket says the same (members of its group may read it); the TCP address has nothing else.
        let viaSocket = try RawClient(socket: d.socket).raw("GET", "/metrics")
        #expect(viaSocket.status == 200)
        #expect(String(decoding: viaSocket.body, as: UTF8.self).contains("dutyd_build_info{version="))
        #expect(try Self.scrape(port, "/v1/status").status == "404")
        #expect(APITests.stop(p) == 0)
        // Each listener is said once, by dutyd with the setting's name: not again by Hummingbird.
        let log = try String(contentsOf: d.log, encoding: .utf8)
        #expect(
            log.contains("metrics on http://127.0.0.1:\(port)/metrics") && log.contains("API listening on"),
            "\(log)"
        )
        #expect(!log.contains("Server started and listening"), "\(log)")
    }

    @Test(
        "under --start-at, mail put off waits its backoff on dutyd's clock (it was tried 16 times in seconds, then given up), and the retry queue's age is reckoned at that clock"
    )
    func retryAgeAtTheDaemonsClock() throws {
        let server = try MailServer()
        defer { server.stop() }
        // Every RCPT gets 451: the batch's mail is put off and waits in the retry queue.
        server.set("tempfail", true)
        let port = try WebTests.freePort()
        let d = try Daemon(settings: server.emailSettings() + "[metrics]\nlisten = \"\(port)\"\n")
        let startAt = try #require(Instant(iso: "2026-12-21T09:00:05+08:00", zone: .utc))
        let launched = Date()
        let p = try APITests.serve(d, log: "stderr", ["--start-at", "2026-12-21T09:00:05+08:00"])
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var text = ""
        do {
            try waitFor("mail put off in the retry queue", seconds: 90, poll: 0.2) {
                text = try Self.scrape(port).body
                return (Self.value(text, "dutyd_retry_queue_notifications") ?? 0) > 0
            }
        } catch {
            let log = (try? String(contentsOf: d.log, encoding: .utf8)) ?? ""
            Issue.record("ledger \((try? d.store().ledgerCounts()) ?? [:]); log: \(log.suffix(2000))")
            throw error
        }
        let scraped = Date()
        let age = try #require(Self.value(text, "dutyd_retry_queue_oldest_age_seconds"))
        let retrying = try d.store().ledger().filter { $0.state == .retry }
        // Put off once, each waiting a minute for its next try on dutyd's clock.
        #expect(retrying.allSatisfy { $0.attempts == 1 }, "\(Set(retrying.map(\.attempts)))")
        let oldest = try #require(retrying.map(\.dueAt.seconds).min())
        // dutyd's moment at the scrape lies between the shifted start plus the time since launch and
        // the same at the scrape; by the wall clock the age would be off by the shift (weeks).
        let earliest = Double(startAt.seconds - oldest)
        let latest = Double(startAt.seconds - oldest) + scraped.timeIntervalSince(launched) + 1
        #expect(age >= earliest - 1 && age <= latest, "age \(age) s, expected \(earliest)–\(latest) s")
        #expect(APITests.stop(p) == 0)
    }

    @Test("the shipped alerting rules pass promtool check rules, and fire when and only when their unit tests say")
    func alertingRules() throws {
        let rules = Daemon.repo.appendingPathComponent("config/prometheus/dutyd-alerts.yml").path
        let check = try JournalReader.shell("promtool", ["check", "rules", rules])
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains("SUCCESS: 6 rules found"), "\(check.out)")
        // The series a dutyd would expose: not sending, no sender, down, deliveries failing, the
        // retry queue, and December without next year's holidays (Tests/tools/*.test.yml).
        let tools = Daemon.repo.appendingPathComponent("Tests/tools").path
        let test = try JournalReader.shell(
            "sh",
            ["-c", "cd '\(tools)' && promtool test rules dutyd-alerts.test.yml dutyd-alerts-december.test.yml"]
        )
        #expect(test.status == 0, "\(test.out)\(test.err)")
    }

    @Test("[metrics] listen holds at most 16 connections: the 17th is closed at once; scrapes go on when they end")
    func connectionsBounded() throws {
        let port = try WebTests.freePort()
        let d = try Daemon(settings: "[metrics]\nlisten = \"\(port)\"")
        let p = try APITests.serve(d, log: "stderr")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try waitFor("the metrics", seconds: 30, poll: 0.1) { try Self.scrape(port).status == "200" }
        let (holder, held) = try WebTests.holdConnections(port, MetricsServer.maximumConnections + 8)
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        // While they are held, a scrape is refused: the connection closes unanswered.
        try waitFor("a scrape past the limit to be refused (\(held) held)", seconds: 30, poll: 0.1) {
            try Self.scrape(port).status == "000"
        }
        kill(holder.processIdentifier, SIGKILL)
        try holder.waitForExit()
        try waitFor("scrapes to be answered again", seconds: 30, poll: 0.1) { try Self.scrape(port).status == "200" }
        #expect(APITests.stop(p) == 0)
    }

    @Test("a [metrics] listen address that is taken stops dutyd at start with exit 78 and what to change")
    func portTaken() throws {
        // A port dutyd's own API test server holds: another dutyd's metrics.
        let port = try WebTests.freePort()
        let first = try Daemon(settings: "[metrics]\nlisten = \"\(port)\"")
        let p = try APITests.serve(first, log: "stderr")
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try waitFor("the first dutyd's metrics", seconds: 30, poll: 0.1) { try Self.scrape(port).status == "200" }
        let second = try Daemon(settings: "[metrics]\nlisten = \"\(port)\"")
        let r = try Daemon.run("dutyd", ["--config", second.config, "--log", "stderr"])
        #expect(r.status == 78, "\(r.err)")
        #expect(r.err.contains("[metrics] listen"), "\(r.err)")
        #expect(APITests.stop(p) == 0)
    }
}
