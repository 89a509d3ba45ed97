import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import Foundation
import Logging
import Synchronization
import Testing

/// The dispatcher's delivery rules on the real example and a real SQLite ledger: catch-up, collapse,
/// restart without duplicates, a delivery cut off by a crash, retries, completion stopping the ladder,
/// and the scheduler noticing a wall clock that jumps.
@Suite("Scheduler and ledger", .ownThreads)
struct SchedulerTests {
    static let occurrence = "unit-situation-report/gd.sz.tsg/2026-H2"
    static let t0 = at("2026-11-29T09:00:00+08:00")
    static let t1 = at("2026-12-21T09:00:00+08:00")

    func states(_ store: DutyStore, _ occurrence: String = occurrence) throws -> [String: LedgerEntry.State] {
        Dictionary(uniqueKeysWithValues: try store.ledger(occurrence: occurrence).map { ($0.step, $0.state) })
    }

    @Test("after downtime each occurrence gets one notice: the latest missed step, the earlier ones collapsed")
    func catchUpAndCollapse() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        // First start on 29 November: the urging of 26 November (no receipt 3 working days after the
        // reminder of 20 November) is the latest missed step; the reminder is folded into it.
        _ = try await fixture.dispatcher(channel, now: Self.t0).perform(at: Self.t0, wall: { Self.t0 })
        #expect(try states(fixture.store()) == ["reminder-30d": .collapsed, "urging": .sent])

        // Down until 21 December 09:00: the 7-day and 1-day reminders fell due meanwhile.
        channel.clear()
        let summary = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        #expect(
            try states(fixture.store())
                == [
                    "reminder-30d": .collapsed, "urging": .sent, "reminder-7d": .collapsed, "reminder-1d": .collapsed,
                    "due": .sent,
                ]
        )
        let notices = channel.delivered.filter { $0.occurrence == Self.occurrence }
        #expect(notices.count == 1)
        #expect(notices.first?.step == "due")
        #expect(notices.first?.event == .due)
        #expect(notices.first?.collapsed == ["reminder-7d", "reminder-1d"])
        #expect(notices.first?.daysLeft == 0)
        #expect(notices.first?.recipients.map(\.id) == ["lv.qiang"])
        // No occurrence is told twice, and nothing is sent that is not due yet.
        let keys = channel.delivered.map { "\($0.occurrence) \($0.step)" }
        #expect(Set(keys).count == keys.count)
        #expect(Set(channel.delivered.map(\.occurrence)).count == channel.delivered.count)
        #expect(channel.delivered.allSatisfy { $0.scheduledAt <= Self.t1 && $0.scheduledAt > Self.t0 })
        #expect(summary.sent == channel.delivered.count)
        #expect(summary.collapsed > 0)
    }

    @Test("a restart or a second run at the same moment sends nothing already sent and nothing not yet due")
    func restartWithoutDuplicates() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        _ = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        let first = channel.delivered.count
        #expect(first > 0)
        let ledger = try fixture.store().ledger()

        channel.clear()
        let again = try fixture.dispatcher(channel, now: Self.t1)
        #expect(try await again.perform(at: Self.t1, wall: { Self.t1 }).total == 0)
        // Ten minutes later nothing new is due (the next steps are at 09:00 on later days).
        let later = at("2026-12-21T09:10:00+08:00")
        #expect(try await again.perform(at: later, wall: { later }).total == 0)
        #expect(channel.delivered.isEmpty)
        #expect(try fixture.store().ledger() == ledger)

        // At the next step time only that time's steps go out.
        let next = try #require(again.nextStep(after: later)).at
        #expect(next > later)
        _ = try await fixture.dispatcher(channel, now: next).perform(at: next, wall: { next })
        #expect(!channel.delivered.isEmpty)
        #expect(channel.delivered.allSatisfy { $0.scheduledAt == next })
    }

    @Test("a delivery cut off by a crash (row left 'sending') is delivered again once, never lost")
    func sendingRowIsDeliveredAgain() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        _ = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        let store = try fixture.store()
        var row = try #require(store.ledger(occurrence: Self.occurrence).first { $0.step == "due" })
        row.state = .sending
        row.sentAt = nil
        try store.writeLedger([row])

        channel.clear()
        let summary = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        #expect(summary.sent == 1)
        #expect(channel.delivered.map(\.occurrence) == [Self.occurrence])
        let after = try #require(store.ledger(occurrence: Self.occurrence).first { $0.step == "due" })
        #expect(after.state == .sent)
        #expect(after.attempts == 2)
    }

    @Test(
        "a batch is ledgered 'pending' before any of it goes out, each chunk 'sending' until a bound; a process stopped after that finds the batch in the ledger and sends each once"
    )
    func pendingBatch() async throws {
        let fixture = try DaemonFixture()
        let store = try fixture.store()
        let channel = RecordingChannel()
        let seen = Mutex<[LedgerEntry]>([])
        channel.onDeliver.withLock { $0 = { seen.withLock { if $0.isEmpty { $0 = (try? store.ledger()) ?? [] } } } }
        let dispatcher = try fixture.dispatcher(channel, now: Self.t1)
        dispatcher.chunkSize = 1
        let first = try await dispatcher.perform(at: Self.t1, wall: { Self.t1 })
        #expect(first.sent > 1)
        // When the first delivery began, the whole batch was in the ledger: the first chunk (one row)
        // `sending` until the bound, the rest `pending`, nothing sent yet.
        let before = seen.withLock { $0 }.filter { $0.state != .collapsed }
        #expect(before.count == first.sent)
        #expect(before.filter { $0.state == .sending }.count == 1)
        #expect(before.filter { $0.state == .pending }.count == first.sent - 1)
        for row in before where row.state == .sending {
            #expect(row.sendingUntil == Instant(seconds: Self.t1.seconds + Dispatcher.attemptBound))
        }
        let after = try store.ledger().filter { $0.state != .collapsed }
        #expect(after.allSatisfy { $0.state == .sent && $0.sendingUntil == nil })

        // As if the process had stopped once the batch was ledgered: every row `pending` again.
        try store.writeLedger(
            after.map { row in
                var row = row
                row.state = .pending
                row.attempts = 0
                row.firstAttemptAt = nil
                row.lastAttemptAt = nil
                row.sentAt = nil
                return row
            }
        )
        channel.clear()
        channel.onDeliver.withLock { $0 = nil }
        let again = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        #expect(again.sent == first.sent)
        #expect(channel.delivered.count == first.sent)
        #expect(Set(channel.delivered.map { "\($0.occurrence)/\($0.step)" }).count == first.sent)
        #expect(
            try store.ledger().filter { $0.state != .collapsed }.allSatisfy { $0.state == .sent && $0.attempts == 1 }
        )
        // And once more: nothing.
        channel.clear()
        #expect(try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 }).total == 0)
    }

    @Test("a transient failure is retried after the backoff, not before; a permanent one never")
    func retries() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        channel.answer(.transient("journal busy"))
        let d = try fixture.dispatcher(channel, now: Self.t1)
        let first = try await d.perform(at: Self.t1, wall: { Self.t1 })
        #expect(first.retrying > 0 && first.sent == 0)
        let row = try #require(fixture.store().ledger(occurrence: Self.occurrence).first { $0.step == "due" })
        #expect(row.state == .retry)
        #expect(row.error == "journal busy")
        #expect(row.nextAttemptAt == Instant(seconds: Self.t1.seconds + 60))

        channel.clear()
        channel.answer(.sent)
        let early = Instant(seconds: Self.t1.seconds + 30)
        #expect(try await d.perform(at: early, wall: { early }).total == 0)
        let late = Instant(seconds: Self.t1.seconds + 61)
        let retried = try await d.perform(at: late, wall: { late })
        #expect(retried.sent == first.retrying)
        let done = try #require(fixture.store().ledger(occurrence: Self.occurrence).first { $0.step == "due" })
        #expect(done.state == .sent && done.attempts == 2 && done.sentAt == late)

        // Permanent: recorded as failed and left alone.
        let fixture2 = try DaemonFixture()
        let refusing = RecordingChannel()
        refusing.answer(.permanent("no such mailbox"))
        let d2 = try fixture2.dispatcher(refusing, now: Self.t1)
        _ = try await d2.perform(at: Self.t1, wall: { Self.t1 })
        let never = Instant(seconds: Self.t1.seconds + 86_400)
        refusing.clear()
        _ = try await d2.perform(at: Self.t1, wall: { never })
        #expect(refusing.delivered.isEmpty)
        #expect(try fixture2.store().ledger(occurrence: Self.occurrence).first { $0.step == "due" }?.state == .failed)
    }

    @Test("completing an occurrence stops its remaining steps; the ledger shows what went before")
    func completionStopsTheLadder() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        _ = try await fixture.dispatcher(channel, now: Self.t1).perform(at: Self.t1, wall: { Self.t1 })
        let store = try fixture.store()
        try store.complete(
            Completion(
                occurrence: OccurrenceID(Self.occurrence)!,
                on: CivilDate(iso: "2026-12-23")!,
                recordedAt: Self.t1,
                by: "test"
            ),
            repeatable: false
        )
        channel.clear()
        // The escalation of 28 December is not sent; other units' escalations are.
        let t = at("2026-12-28T09:00:00+08:00")
        let d = try fixture.dispatcher(channel, now: t)
        _ = try await d.perform(at: t, wall: { t })
        #expect(!channel.delivered.contains { $0.occurrence == Self.occurrence })
        #expect(channel.delivered.contains { $0.step == "escalation-1" })
        #expect(try states(store)["escalation-1"] == nil)
    }

    @Test(
        "an event recorded after the steps it starts were due gets the latest of them once, the rest collapsed, in the daemon and in --once"
    )
    func aDeadlineThatArrivesLate() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        let running = try fixture.dispatcher(channel, now: Self.t1)
        _ = try await running.perform(at: Self.t1, wall: { Self.t1 })
        // An hour later a major situation of 1 December is recorded: its report was due on the 2nd, the
        // first escalation went out on the 9th, while nobody knew of it.
        let recorded = at("2026-12-21T10:00:00+08:00")
        _ = try fixture.store().record(
            Event(
                id: "major-situation-2026-12-01",
                kind: "major-situation",
                unit: "gd.sz",
                on: CivilDate(iso: "2026-12-01")!,
                recordedAt: recorded,
                by: "test"
            )
        )
        let occurrence = "major-situation-report/gd.sz/major-situation-2026-12-01"
        channel.clear()
        let now = at("2026-12-21T10:00:01+08:00")
        #expect(try running.refresh(now: now))
        _ = try await running.perform(at: now, wall: { now })
        let told = channel.delivered.filter { $0.occurrence == occurrence }
        #expect(told.map(\.step) == ["escalation-1"])
        #expect(told.first?.collapsed == ["due"])
        #expect(try states(fixture.store(), occurrence) == ["due": .collapsed, "escalation-1": .sent])
        // Once: neither the next wake nor a restart (or `dutyd --once`) tells it again.
        channel.clear()
        let later = at("2026-12-21T10:05:00+08:00")
        _ = try await running.perform(at: later, wall: { later })
        _ = try await fixture.dispatcher(channel, now: later).perform(at: later, wall: { later })
        #expect(!channel.delivered.contains { $0.occurrence == occurrence })

        // The same with `dutyd --once` runs (a fresh dispatcher each time): an event recorded between
        // two runs is caught by the next one.
        _ = try fixture.store().record(
            Event(
                id: "major-situation-2026-12-03",
                kind: "major-situation",
                unit: "gd.gz",
                on: CivilDate(iso: "2026-12-03")!,
                recordedAt: at("2026-12-21T10:20:00+08:00"),
                by: "test"
            )
        )
        let run = at("2026-12-21T10:30:00+08:00")
        _ = try await fixture.dispatcher(channel, now: run).perform(at: run, wall: { run })
        let second = "major-situation-report/gd.gz/major-situation-2026-12-03"
        #expect(channel.delivered.filter { $0.occurrence == second }.map(\.step) == ["escalation-1"])
        // An event recorded on time is not affected: its steps are still ahead.
        #expect(!channel.delivered.contains { $0.scheduledAt > run })
    }

    @Test("undoing a completion sends the step it skipped meanwhile, once; the ladder resumes")
    func undoResumesTheLadder() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        let running = try fixture.dispatcher(channel, now: Self.t1)
        _ = try await running.perform(at: Self.t1, wall: { Self.t1 })
        let store = try fixture.store()
        let id = OccurrenceID(Self.occurrence)!
        try store.complete(
            Completion(occurrence: id, on: CivilDate(iso: "2026-12-21")!, recordedAt: Self.t1, by: "test"),
            repeatable: false
        )
        // While it stands done, the escalation of 28 December is skipped.
        let t = at("2026-12-28T09:00:00+08:00")
        #expect(try running.refresh(now: t))
        _ = try await running.perform(at: t, wall: { t })
        #expect(try states(store)["escalation-1"] == nil)
        // The next morning it turns out to be a mistake: undone, the skipped escalation goes out now.
        let undone = at("2026-12-29T10:00:00+08:00")
        #expect(try store.undo(id, at: undone, by: "test") == .completion(CivilDate(iso: "2026-12-21")!))
        channel.clear()
        let now = at("2026-12-29T10:00:01+08:00")
        #expect(try running.refresh(now: now))
        _ = try await running.perform(at: now, wall: { now })
        #expect(channel.delivered.filter { $0.occurrence == Self.occurrence }.map(\.step) == ["escalation-1"])
        #expect(try states(store)["escalation-1"] == .sent)
        // Once: not again on the next wake, nor after a restart.
        channel.clear()
        let later = at("2026-12-29T10:05:00+08:00")
        _ = try await running.perform(at: later, wall: { later })
        _ = try await fixture.dispatcher(channel, now: later).perform(at: later, wall: { later })
        #expect(!channel.delivered.contains { $0.occurrence == Self.occurrence })
    }

    @Test("the scheduler notices a wall clock that jumps forward and performs what fell due, once")
    func wallClockJump() async throws {
        let fixture = try DaemonFixture()
        let channel = RecordingChannel()
        let start = at("2026-11-29T09:00:05+08:00")
        let clock = ManualClock(start)
        let scheduler = Scheduler(
            configPath: fixture.configPath,
            clock: clock,
            journal: Journal(mode: .stderr),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            channels: { _, _ in [channel] }
        )
        let run = Task { try await scheduler.run() }
        try await clock.waitForSleeper()
        // Nothing is due before 09:00 tomorrow: it sleeps no longer than the cap, not until then.
        #expect(clock.requested.last == Scheduler.idleCap)
        channel.clear()

        // The wall clock jumps 22 days ahead while no steady time passes; on its next wake it catches up.
        clock.jump(by: 22 * 86_400)
        clock.advance(by: Scheduler.idleCap)
        try await Task.sleep(for: .milliseconds(50))
        try await clock.waitForSleeper()
        let now = clock.now()
        let got = channel.delivered
        #expect(got.contains { $0.occurrence == Self.occurrence && $0.step == "due" })
        #expect(Set(got.map(\.occurrence)).count == got.count)
        #expect(got.allSatisfy { $0.scheduledAt > start && $0.scheduledAt <= now })

        // Backwards by a week: nothing is sent again.
        channel.clear()
        clock.jump(by: -7 * 86_400)
        clock.advance(by: Scheduler.idleCap)
        try await Task.sleep(for: .milliseconds(50))
        try await clock.waitForSleeper()
        #expect(channel.delivered.isEmpty)
        #expect(clock.requested.allSatisfy { $0 <= Scheduler.idleCap })

        await scheduler.stop()
        try await run.value
    }
}
