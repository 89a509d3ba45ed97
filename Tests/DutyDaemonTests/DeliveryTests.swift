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

/// Email through the dispatcher, to a real SMTP server (python3-aiosmtpd, STARTTLS and AUTH), on the
/// example organisation: one digest per address per send window, nothing twice, retries per recipient.
@Suite(.serialized, .ownThreads) struct DeliveryTests {
    func dispatcher(_ fixture: DaemonFixture, now: Instant) throws -> Dispatcher {
        try Scheduler.load(
            configPath: fixture.configPath,
            journal: Journal(mode: .stderr),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            now: now,
            channels: { settings, _ in [try settings.emailChannel(now: { SystemClock().wall() })!] }
        )
    }

    /// How many notifications a digest holds, from its subject.
    static func itemCount(_ subject: String) -> Int {
        if subject.hasPrefix("【督办提醒】"), let n = Int(subject.dropFirst(6).prefix { $0.isNumber }) { return n }
        return 1
    }

    static func sentRows(_ store: DutyStore) throws -> [LedgerEntry] {
        try store.ledger().filter {
            $0.channel == "email" && $0.state == .sent && !$0.occurrence.hasPrefix("@bulletin/")
        }
    }

    @Test func oneDigestPerAddressPerSendWindowAndTheFiftyUnitRecipientGetsOne() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let fixture = try DaemonFixture(extraUnits: 50, settings: server.emailSettings())
        let zone = Zone.named("Asia/Shanghai")!
        let store = try fixture.store()
        var day = CivilDate(year: 2026, month: 12, day: 1)!
        let d = try dispatcher(fixture, now: zone.instant(on: day, second: 9 * 3600 + 30))
        var seen = 0
        var sentBefore = 0
        var yangFan: [CivilDate: [ReceivedMail]] = [:]
        var bulletins = 0
        while day <= CivilDate(year: 2027, month: 1, day: 12)! {
            let now = zone.instant(on: day, second: 9 * 3600 + 30)
            try d.refresh(now: now)
            _ = try await d.perform(at: now, wall: { now })
            let added = try server.messages(after: seen)
            // The half-year bulletin (7 January) is a message of its own, beside the digest.
            let new = added.filter { $0.parsed.subject?.hasPrefix("【通报】") != true }
            bulletins += added.count - new.count
            seen += added.count
            let sent = try Self.sentRows(store).count
            // One message per address in this window, and the subjects account for every row sent.
            let addresses = new.flatMap(\.rcpt_tos)
            #expect(Set(addresses).count == addresses.count, "\(day): an address got two messages")
            #expect(new.map { Self.itemCount($0.parsed.subject ?? "") }.reduce(0, +) == sent - sentBefore, "\(day)")
            sentBefore = sent
            yangFan[day] = new.filter { $0.rcpt_tos == ["yang.fan@example.org"] }
            day = day.adding(days: 1)
        }
        #expect(sentBefore > 100)
        #expect(bulletins > 0)
        // The parent region's propaganda head (广州市委宣传部, above 番禺区) gets the 7-days-late
        // escalation of all 50 units, in one message.
        // (The first window, a catch-up over the year, holds their first-half escalations too.)
        let window = try #require(yangFan[CivilDate(year: 2026, month: 12, day: 28)!])
        #expect(window.count == 1)
        let big = try #require(window.first)
        #expect(Self.itemCount(big.parsed.subject ?? "") >= 50)
        let body = try #require(big.parsed.body)
        #expect(big.parsed.to_names == ["杨帆"])
        #expect(big.parsed.subject?.hasPrefix("【督办提醒】") == true)
        #expect(body.hasPrefix("杨帆：\n\n2026年12月28日 周一，以下"))
        for n in 0..<50 { #expect(body.contains("番禺区第\(n)基层党组织："), "unit \(n) missing") }
        #expect(body.contains("逾期升级：主体责任"))
        #expect(body.contains("dutyctl done unit-situation-report/gd.gz.panyu.u7/2026-H2"))
        // Red before yellow before blue.
        let red = body.range(of: "■ 红色")?.lowerBound
        let yellow = body.range(of: "■ 黄色")?.lowerBound
        let blue = body.range(of: "■ 蓝色")?.lowerBound
        if let red, let yellow { #expect(red < yellow) }
        if let yellow, let blue { #expect(yellow < blue) }
        if let red, let blue { #expect(red < blue) }
        #expect(red != nil)
    }

    @Test func aRerunSendsNothingAndMessageIDsAreStable() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let now = at("2026-12-31T09:00:30+08:00")
        var ids: [[String]] = []
        for _ in 0..<2 {
            let fixture = try DaemonFixture(settings: server.emailSettings())
            let before = try server.messageCount()
            let d = try dispatcher(fixture, now: now)
            let s = try await d.perform(at: now, wall: { now })
            #expect(s.sent > 0 && s.failed == 0 && s.retrying == 0)
            let new = try server.messages(after: before)
            #expect(!new.isEmpty)
            ids.append(new.compactMap(\.parsed.message_id).sorted())
            // Again at the same instant, and after a restart: nothing.
            let again = try await d.perform(at: now, wall: { now })
            #expect(again.total == 0)
            let restarted = try dispatcher(fixture, now: now)
            #expect(try await restarted.perform(at: now, wall: { now }).total == 0)
            #expect(try server.messageCount() == before + new.count)
            // A single notification's subject, decoded.
            if let one = new.first(where: { Self.itemCount($0.parsed.subject ?? "") == 1 }) {
                #expect(one.parsed.subject?.hasPrefix("【") == true)
                #expect(one.parsed.subject?.contains("截止") == true)
            }
        }
        #expect(ids[0] == ids[1])
        #expect(Set(ids[0]).count == ids[0].count)
    }

    @Test func fourFiftyOneIsRetriedLaterAndFiveFiftyFailsOnlyThatRecipient() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let fixture = try DaemonFixture(settings: server.emailSettings())
        let store = try fixture.store()
        // 深圳图书馆's clerk has a mailbox the server refuses for good.
        var clerk = try #require(try store.officials().first { $0.unit == "gd.sz.tsg" && $0.roles.contains("clerk") })
        clerk.email = "reject.clerk@example.org"
        try store.updateOfficial(clerk)
        let now = at("2026-12-31T09:00:30+08:00")
        let d = try dispatcher(fixture, now: now)

        server.set("tempfail", true)
        let first = try await d.perform(at: now, wall: { now })
        #expect(first.sent == 0 && first.retrying > 0)
        #expect(try server.messages().isEmpty)
        let waiting = try store.ledger().filter { $0.channel == "email" && $0.state == .retry }
        #expect(waiting.count == first.retrying)
        #expect(
            waiting.allSatisfy {
                ($0.error ?? "").contains("451") && $0.nextAttemptAt! >= Instant(seconds: now.seconds + 60)
            }
        )
        // Not before the backoff.
        let early = Instant(seconds: now.seconds + 30)
        #expect(try await d.perform(at: early, wall: { early }).total == 0)

        server.set("tempfail", false)
        let later = Instant(seconds: now.seconds + 61)
        let second = try await d.perform(at: later, wall: { later })
        #expect(second.failed >= 1)
        #expect(second.sent == first.retrying - second.failed)
        let rows = try store.ledger().filter { $0.channel == "email" }
        let refused = rows.filter { $0.recipient == clerk.id && $0.state != .collapsed }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.state == .failed && ($0.error ?? "").contains("550") })
        #expect(rows.filter { $0.state == .sent }.allSatisfy { $0.attempts == 2 })
        #expect(try server.messages().allSatisfy { !$0.rcpt_tos.contains("reject.clerk@example.org") })
        // Others of the same unit got theirs.
        #expect(rows.contains { $0.state == .sent && $0.occurrence.contains("gd.sz.tsg") })
        // A permanent failure is never tried again.
        let much = Instant(seconds: now.seconds + 86_400)
        #expect(try await d.perform(at: much, wall: { much }).failed == 0)
    }

    @Test func aServerThatStopsAnsweringIsRetriedLater() async throws {
        let server = try MailServer()
        defer { server.stop() }
        let fixture = try DaemonFixture(settings: server.emailSettings(timeout: "1s"))
        let store = try fixture.store()
        let now = at("2026-12-31T09:00:30+08:00")
        let d = try dispatcher(fixture, now: now)
        server.set("hang", true)
        let started = Date()
        let first = try await d.perform(at: now, wall: { now })
        #expect(Date().timeIntervalSince(started) < 120)  // not the server's hour; loose on purpose
        #expect(first.sent == 0 && first.retrying > 0)
        #expect(
            try store.ledger().filter { $0.channel == "email" && $0.state == .retry }
                .allSatisfy { ($0.error ?? "").contains("did not answer in time") }
        )
        server.set("hang", false)
        let later = Instant(seconds: now.seconds + 120)
        let second = try await d.perform(at: later, wall: { later })
        #expect(second.sent == first.retrying)
        #expect(try server.messageCount() > 0)
    }
}
