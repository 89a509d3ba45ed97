import DutyCore
import DutyService
import DutyStore
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// dutyd when things break under it: killed in the middle of a batch, journald gone, a service already
/// holding the state. Each test causes the fault and counts what came out.
@Suite("faults: kill -9, journald absent, the state lock", .serialized)
struct FaultTests {
    @Test("kill -9 at random points of a mail batch: nothing lost, at most one message repeated per kill")
    func killNineDuringMail() throws {
        let server = try MailServer()
        defer { server.stop() }
        let d = try Daemon(extraUnits: 400, settings: server.emailSettings())
        let store = try d.store()
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var lastSent = 0
        // Five kills, each after a random number of further mails has gone out.
        for _ in 0..<5 {
            let p = try Daemon.start("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
            let target = lastSent + Int.random(in: 1...40, using: &generator)
            while p.isRunning, ((try? store.ledgerCounts()[.sent]) ?? 0) ?? 0 < target { usleep(500) }
            guard p.isRunning else {
                p.waitUntilExit()
                break
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            kills += 1
            lastSent = (try store.ledgerCounts()[.sent]) ?? 0
        }
        #expect(kills >= 3, "the batch ended before it could be killed often enough (\(kills) kills)")
        let r = try Daemon.run("dutyd", ["--once", "--now", "2026-12-21T09:00:00+08:00", "--config", d.config])
        #expect(r.status == 0, "\(r.err)")
        let ledger = try store.ledger()
        // Nothing is left half-done: every email row ended sent, or failed for good (a unit without an address).
        let email = ledger.filter { $0.channel == "email" && $0.state != .collapsed }
        #expect(
            !email.isEmpty && email.allSatisfy { $0.state == .sent || $0.state == .failed },
            "\(Set(email.map(\.state)))"
        )
        #expect(email.filter { $0.state == .sent }.count >= lastSent)
        // Every message arrived; the repeats are at most one per kill, and carry the same Message-ID.
        let mails = try server.messages()
        var byID: [String: Int] = [:]
        for m in mails { byID[m.parsed.message_id ?? "?", default: 0] += 1 }
        let duplicates = byID.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= kills, "\(duplicates) messages repeated over \(kills) kills")
        // One message per address with something due: the digests.
        let addresses = Set(mails.flatMap(\.rcpt_tos))
        #expect(addresses.count == byID.count, "\(addresses.count) addresses, \(byID.count) distinct messages")
        print("bench delivery.kill9.duplicates_per_kill_max \(kills == 0 ? 0 : duplicates) over \(kills) kills")
    }

    @Test("journald absent: the journal channel fails and retries instead of recording entries that went nowhere")
    func journaldAbsent() throws {
        try #require(getuid() == 0, "a mount namespace needs root (make test runs as root, as CI does)")
        let d = try Daemon()
        // dutyd in a mount namespace of its own where /run/systemd/journal is an empty folder.
        let dutyd = Daemon.products.appendingPathComponent("dutyd").path
        let r = try JournalReader.shell(
            "/usr/bin/unshare",
            [
                "-m", "/bin/sh", "-c",
                "mount -t tmpfs none /run/systemd/journal && exec \"$0\" --once --now 2026-12-21T09:00:00+08:00 --log journal --config \"$1\"",
                dutyd, d.config,
            ]
        )
        #expect(r.status == 0, "\(r.err)")
        let journal = try d.store().ledger().filter { $0.channel == "journal" && $0.state != .collapsed }
        #expect(!journal.isEmpty)
        #expect(journal.allSatisfy { $0.state == .retry }, "\(Set(journal.map(\.state)))")
        #expect(journal.first?.error?.contains("systemd-journald") == true)
        // Its own messages went to standard error instead of nowhere.
        #expect(r.err.contains("performed what was due"), "\(r.err.suffix(500))")
        // With journald back, the retries go out.
        let again = try Daemon.run(
            "dutyd",
            ["--once", "--now", "2026-12-21T12:00:00+08:00", "--config", d.config]
        )
        #expect(again.status == 0)
        let retried = try d.store().ledger().filter { $0.channel == "journal" && $0.state != .collapsed }
        #expect(
            retried.count == journal.count && retried.allSatisfy { $0.state == .sent },
            "\(Set(retried.map(\.state)))"
        )
    }

    @Test("dutyd --once beside a running dutyd on the same state refuses, naming it")
    func onceBesideTheService() throws {
        let d = try Daemon()
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let r = try Daemon.run("dutyd", ["--once", "--config", d.config])
        #expect(r.status == 1)
        #expect(r.err.contains("pid \(p.processIdentifier)") && r.err.contains("sends what is due itself"), "\(r.err)")
        #expect(APITests.stop(p) == 0)
        #expect(try Daemon.run("dutyd", ["--once", "--config", d.config]).status == 0)
    }
}
