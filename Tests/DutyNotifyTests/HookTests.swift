import DutyCalendar
import DutyCore
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

func sampleNotice(
    unit: String = "gd.sz.tsg",
    event: DutyEvent = .overdue,
    daysLeft: Int = -3,
    colour: Occurrence.Colour = .red,
    recipients: [Notice.Person] = [
        Notice.Person(id: "wang.jianguo", name: "王建国", email: "wang.jianguo@example.org", role: "secretary", unit: "gd")
    ]
) -> Notice {
    var n = Notice(
        occurrence: "unit-situation-report/\(unit)/2026-H2",
        obligation: "unit-situation-report",
        title: "意识形态工作情况报告",
        article: "第九条",
        unit: unit,
        unitName: "深圳市图书馆",
        official: nil,
        officialName: nil,
        period: "2026-H2",
        step: event == .reminder ? "reminder-7d" : event.rawValue,
        event: event,
        scheduledAt: Instant(iso: "2026-12-18T09:00:00+08:00")!,
        deadlineDate: CivilDate(year: 2026, month: 12, day: 31)!.adding(days: daysLeft < 0 ? -40 : 0),
        deadline: Instant(iso: "2026-12-31T23:59:59+08:00")!,
        daysLeft: daysLeft,
        provisional: false,
        recipients: recipients
    )
    n.colour = colour
    return n
}

/// Hook commands: exit 0 delivered, 75 later, anything else never; a hang is stopped at its timeout
/// with everything it started; the JSON on stdin parses.
@Suite(.ownThreads) struct HookTests {
    let folder: URL
    let zone = Zone.named("Asia/Shanghai")!
    let journal = Journal(mode: .stderr)

    init() throws {
        folder = scratchDirectory.appendingPathComponent("dutyd-hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A shell script hook; `$OUT` is the test's folder.
    func hook(
        _ script: String,
        events: Set<String> = [],
        timeout: Double = 10,
        concurrency: Int = 4
    ) throws -> HookChannel {
        let path = folder.appendingPathComponent("hook-\(UUID().uuidString).sh").path
        try writeExecutable("#!/bin/sh\nOUT='\(folder.path)'\n\(script)\n".utf8, to: path)
        var h = HookSettings(name: "test", command: [path, "--flag"], events: events)
        h.timeout = timeout
        h.concurrency = concurrency
        return HookChannel(hook: h, journal: journal, zone: zone)
    }

    @Test func exitStatusesAndTheJSONOnStdin() async throws {
        let ok = try hook(
            "cat > \"$OUT/in-$DUTY_STEP.json\"; env | grep ^DUTY_ | sort > \"$OUT/env-$DUTY_STEP\"; echo \"$1\"; exit 0"
        )
        let n = sampleNotice()
        #expect(await ok.deliver([(n, nil)]) == [.sent])
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("in-overdue.json")))
            as! [String: Any]
        #expect(json["event"] as? String == "overdue")
        #expect(json["occurrence"] as? String == "unit-situation-report/gd.sz.tsg/2026-H2")
        #expect(json["deadline"] as? String == "2026-12-31T23:59:59+08:00")
        #expect(json["days_left"] as? Int == -3)
        #expect(json["colour"] as? String == "red")
        #expect(json["done_command"] as? String == "dutyctl done unit-situation-report/gd.sz.tsg/2026-H2")
        let recipients = json["recipients"] as! [[String: Any]]
        #expect(recipients.first?["name"] as? String == "王建国")
        let env = try String(contentsOf: folder.appendingPathComponent("env-overdue"), encoding: .utf8)
        #expect(env.contains("DUTY_EVENT=overdue\n"))
        #expect(env.contains("DUTY_HOOK=test\n"))
        #expect(env.contains("DUTY_OCCURRENCE=unit-situation-report/gd.sz.tsg/2026-H2\n"))
        #expect(env.contains("DUTY_RECIPIENTS=wang.jianguo\n"))
        #expect(env.contains("DUTY_DAYS_LEFT=-3\n"))

        let later = try hook("cat >/dev/null; exit 75")
        guard case .transient = await later.deliver([(n, nil)])[0] else {
            Issue.record("75 is transient")
            return
        }
        let never = try hook("cat >/dev/null; echo 'no such gateway' >&2; exit 1")
        guard case .permanent(let why) = await never.deliver([(n, nil)])[0] else {
            Issue.record("1 is permanent")
            return
        }
        #expect(why.contains("exited 1"))
        let missing = HookChannel(
            hook: HookSettings(name: "gone", command: ["/nonexistent/sms-send"]),
            journal: journal,
            zone: zone
        )
        guard case .permanent = await missing.deliver([(n, nil)])[0] else {
            Issue.record("a missing program is permanent")
            return
        }
    }

    @Test func aHangIsStoppedAtItsTimeoutWithWhatItStarted() async throws {
        let h = try hook("sleep 600 & echo $! > \"$OUT/child\"; wait", timeout: 1)
        let started = Date()
        let r = await h.deliver([(sampleNotice(), nil)])
        let took = Date().timeIntervalSince(started)
        guard case .transient(let why) = r[0] else {
            Issue.record("a timeout is transient: \(r)")
            return
        }
        #expect(why.contains("did not finish"))
        // Far less than the hook's 600 s: the timeout stopped it (a loose bound; no timing flake).
        #expect(took < 120)
        let child = Int32(
            try String(contentsOf: folder.appendingPathComponent("child"), encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines
            )
        )!
        // The hook's own child went with it (its session was torn down).
        try await waitUntil("the hook's own child to go with it", seconds: 60) { kill(child, 0) != 0 }
    }

    @Test func concurrencyIsBounded() async throws {
        // Each run holds a slot file for a moment; never more than 2 at once.
        let h = try hook(
            """
            cat >/dev/null
            n=$(ls "$OUT" | grep -c '^slot-'); echo $n >> "$OUT/seen"
            touch "$OUT/slot-$$"; sleep 0.3; rm "$OUT/slot-$$"
            """,
            concurrency: 2
        )
        let batch = (0..<6).map { (sampleNotice(unit: "u\($0)"), Notice.Person?.none) }
        let r = await h.deliver(batch)
        #expect(r == Array(repeating: .sent, count: 6))
        let seen = try String(contentsOf: folder.appendingPathComponent("seen"), encoding: .utf8)
            .split(separator: "\n").compactMap { Int($0) }
        #expect(seen.count == 6)
        #expect(seen.allSatisfy { $0 <= 1 })
    }

    @Test func aDigestHookRunsOncePerRecipientWithTheItemsInOrder() async throws {
        let h = try hook("cat > \"$OUT/digest-$DUTY_RECIPIENT.json\"", events: ["digest"])
        #expect(h.perRecipient)
        let wang = Notice.Person(id: "wang", name: "王", email: "wang@example.org", role: nil, unit: "gd")
        let li = Notice.Person(id: "li", name: "李", email: "li@example.org", role: nil, unit: "gd")
        let batch: [(notification: Notice, recipient: Notice.Person?)] = [
            (sampleNotice(unit: "a", event: .reminder, daysLeft: 20, colour: .blue), wang),
            (sampleNotice(unit: "b", event: .overdue, daysLeft: -2, colour: .red), wang),
            (sampleNotice(unit: "c", event: .due, daysLeft: 0, colour: .yellow), wang),
            (sampleNotice(unit: "d"), li),
        ]
        #expect(await h.deliver(batch) == [.sent, .sent, .sent, .sent])
        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("digest-wang.json")))
            as! [String: Any]
        #expect(json["event"] as? String == "digest")
        let items = json["items"] as! [[String: Any]]
        #expect(items.map { $0["unit"] as! String } == ["b", "c", "a"])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("digest-li.json").path))
        // Events filter: a hook for escalations only takes no reminders.
        let esc = try hook("cat >/dev/null", events: ["escalation"])
        #expect(esc.accepts(.escalation) && !esc.accepts(.reminder))
    }
}
