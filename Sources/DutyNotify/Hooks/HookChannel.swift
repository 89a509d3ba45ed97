package import DutyCalendar
import DutyCore
import Foundation

/// A command from the settings (`[[hook]]`), run per notification, or per recipient digest when its
/// events include `digest`. It gets the event as JSON on stdin and `DUTY_*` environment variables;
/// exit 0 is delivered, 75 (EX_TEMPFAIL) is tried again later, anything else (or a crash) is a
/// permanent failure; a run past its timeout is killed (its whole session) and tried again later.
/// What it prints goes to the journal.
package struct HookChannel: Channel {
    package let hook: HookSettings
    package let journal: Journal
    package let zone: Zone

    package init(hook: HookSettings, journal: Journal, zone: Zone) {
        self.hook = hook
        self.journal = journal
        self.zone = zone
    }

    package var name: String { "hook:\(hook.name)" }
    package var perRecipient: Bool { hook.events.contains("digest") }

    package func accepts(_ event: DutyEvent) -> Bool {
        let kinds = hook.events.subtracting(["digest"])
        return kinds.isEmpty || kinds.contains(event.rawValue)
    }

    /// One run: what goes on stdin, the environment, and which batch items it stands for.
    struct Run: Sendable {
        var input: [UInt8]
        var environment: [String: String]
        var items: [Int]
        var occurrence: String
    }

    package func deliver(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        report: @escaping DeliveryReport
    ) async -> [Delivery] {
        var runs: [Run] = []
        if perRecipient {
            for members in digests(batch) {
                let person = batch[members[0]].recipient
                let items = DigestView.ordered(members.map { batch[$0].notification })
                let event = HookEvent.Digest(
                    event: "digest",
                    hook: hook.name,
                    recipient: person.map(HookEvent.Person.init),
                    items: items.map { HookEvent(notice: $0, zone: zone) }
                )
                var env = baseEnvironment("digest")
                env["DUTY_RECIPIENT"] = person?.id ?? ""
                env["DUTY_RECIPIENT_NAME"] = person?.name ?? ""
                env["DUTY_RECIPIENT_EMAIL"] = person?.email ?? ""
                env["DUTY_COUNT"] = "\(items.count)"
                runs.append(Run(input: HookEvent.encode(event), environment: env, items: members, occurrence: ""))
            }
        } else {
            for (i, item) in batch.enumerated() {
                let n = item.notification
                var env = baseEnvironment(n.event.rawValue)
                env["DUTY_OCCURRENCE"] = n.occurrence
                env["DUTY_OBLIGATION"] = n.obligation
                env["DUTY_UNIT"] = n.unit
                env["DUTY_PERIOD"] = n.period
                env["DUTY_STEP"] = n.step
                env["DUTY_DEADLINE"] = n.deadline.format(in: zone)
                env["DUTY_DAYS_LEFT"] = "\(n.daysLeft)"
                env["DUTY_COLOUR"] = n.colour.rawValue
                env["DUTY_RECIPIENTS"] = n.recipients.map(\.id).joined(separator: " ")
                if let o = n.official { env["DUTY_OFFICIAL"] = o }
                runs.append(
                    Run(
                        input: HookEvent.encode(HookEvent(notice: n, zone: zone, hook: hook.name)),
                        environment: env,
                        items: [i],
                        occurrence: n.occurrence
                    )
                )
            }
        }
        var results = [Delivery](repeating: .transient("not run"), count: batch.count)
        let outcomes = await runAll(runs) { run, delivery in
            report(runs[run].items, runs[run].items.map { _ in delivery })
        }
        for (r, d) in zip(runs, outcomes) { for i in r.items { results[i] = d } }
        return results
    }

    func baseEnvironment(_ event: String) -> [String: String] {
        ["DUTY_HOOK": hook.name, "DUTY_EVENT": event]
    }

    /// Runs at most `concurrency` at once; results in the order of `runs`. `finished` is told of each
    /// run as it ends. Once the task is cancelled no run starts (those under way are stopped by the
    /// runner).
    func runAll(_ runs: [Run], finished: (Int, Delivery) -> Void = { _, _ in }) async -> [Delivery] {
        var results = [Delivery](repeating: stoppingDelivery, count: runs.count)
        await withTaskGroup(of: (Int, Delivery).self) { group in
            var next = 0
            func start() {
                guard next < runs.count, !Task.isCancelled else { return }
                let k = next
                let run = runs[k]
                next += 1
                group.addTask { (k, await self.run(run)) }
            }
            for _ in 0..<min(hook.concurrency, runs.count) { start() }
            while let (k, d) = await group.next() {
                results[k] = d
                finished(k, d)
                start()
            }
        }
        return results
    }

    func run(_ r: Run) async -> Delivery {
        let outcome = await CommandRunner.run(
            hook.command,
            environment: r.environment,
            credentials: hook.credentials,
            input: r.input,
            timeout: hook.timeout
        )
        let d: Delivery
        let status: String
        switch outcome.status {
        case .exited(0):
            d = .sent
            status = "exited 0"
        case .exited(75):
            d = .transient("hook \(hook.name) exited 75 (try again later)")
            status = "exited 75"
        case .exited(let code):
            d = .permanent("hook \(hook.name) exited \(code)")
            status = "exited \(code)"
        case .signalled(let s):
            d = .permanent("hook \(hook.name) was killed by signal \(s)")
            status = "killed by signal \(s)"
        case .timedOut:
            d = .transient("hook \(hook.name) did not finish within \(hook.timeout) s and was stopped")
            status = "timed out after \(hook.timeout) s"
        case .couldNotStart(let why):
            d = .permanent("hook \(hook.name): \(why); check command in [[hook]]")
            status = "could not start"
        case .outOfResources(let why):
            d = .transient("hook \(hook.name): \(why)")
            status = "could not start now"
        }
        let output = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if !output.isEmpty || d != .sent {
            var fields: [(String, String)] = [
                ("DUTY_HOOK", hook.name), ("DUTY_HOOK_STATUS", status),
                ("DUTY_EVENT", r.environment["DUTY_EVENT"] ?? ""),
            ]
            if !r.occurrence.isEmpty { fields.append(("DUTY_OCCURRENCE", r.occurrence)) }
            if let rc = r.environment["DUTY_RECIPIENT"] { fields.append(("DUTY_RECIPIENT", rc)) }
            journal.send(
                JournalEntry(
                    "hook \(hook.name) \(status)" + (output.isEmpty ? "" : ": \(output)"),
                    priority: d == .sent ? .info : .warning,
                    fields: fields
                )
            )
        }
        return d
    }
}
