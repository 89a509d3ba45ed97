package import DutyCalendar
import DutyFiles

// `calendar next`: the next times of a calendar expression (as `systemd-analyze calendar` computes
// them) or of an RFC 5545 rule (as python-dateutil does). dutyctl answers it itself; dutyd answers the
// same request at GET /v1/calendar/next in its own zone and clock.

package struct CalendarNextRequest: Codable, Sendable {
    /// A systemd calendar expression; or `rrule` with `dtstart`.
    package var expression: String?
    package var rrule: String?
    package var dtstart: String?
    /// Count from this instant (ISO 8601); default now.
    package var base: String?
    @Default<FiveTimes> package var count: Int
    /// The zone to read local times in; default the configured one.
    package var tz: String?

    package init() {}

    /// The mistakes in the options themselves (64), before anything is computed.
    package var problem: String? {
        if let expression, rrule != nil {
            return "give either a calendar expression or --rrule, not both; '\(shown(expression))' was read as the "
                + "expression: if it is the value of an option, this command has no such option (see --help)"
        }
        if expression == nil && rrule == nil {
            return "give either a calendar expression or --rrule RULE (with --dtstart)"
        }
        if rrule != nil && dtstart == nil { return "--rrule needs --dtstart, the rule's first time" }
        if rrule == nil && dtstart != nil { return "--dtstart goes with --rrule" }
        if count < 1 || count > 100_000 { return "--count must be from 1 to 100000" }
        return nil
    }
}

package struct CalendarNextAnswer: Codable, Sendable {
    /// The expression or rule as systemd (or RFC 5545) writes it.
    package var normalized: String
    /// ISO 8601 with offsets.
    package var next: [String]
    /// What `systemd-analyze calendar` would print, line by line.
    package var lines: [String]
}

extension CalendarNextRequest {
    /// `configured` is the settings' zone, or `nil` when there are no settings (expressions are then
    /// read in UTC, and a DTSTART with an offset runs at that offset).
    package func answer(configured: Zone?, now: Instant = .now) throws -> CalendarNextAnswer {
        if let problem { throw Failure(ExitStatus.usage, problem) }
        var zone = configured
        if let tz {
            guard let z = Zone.named(tz) else {
                throw Failure(
                    ExitStatus.usage,
                    "unknown time zone '\(shown(tz))'; expected an IANA name such as Asia/Shanghai or UTC (see timedatectl list-timezones)"
                )
            }
            zone = z
        }
        let base = try self.base.map { try parseInstant($0, zone: zone ?? .utc, option: "--base") }
        if let expression { return try next(expression, zone: zone ?? .utc, base: base ?? now) }
        return try nextRule(rrule!, dtstart: dtstart!, zone: zone, base: base)
    }

    private func next(_ expression: String, zone: Zone, base: Instant) throws -> CalendarNextAnswer {
        let spec: CalendarSpec
        do { spec = try CalendarSpec.parse(expression, localZone: zone) } catch {
            throw Failure(error, expression: expression)
        }
        let times: [Instant]
        do { times = try spec.next(after: base, count: count, localZone: zone) } catch { throw Failure(error) }
        let shownZone = spec.utc ? Zone.utc : (spec.zone ?? zone)
        return CalendarNextAnswer(
            normalized: spec.normalized,
            next: times.map { $0.format(in: shownZone) },
            lines: [
                "  Original form: \(expression)",
                "Normalized form: \(spec.normalized)",
                "      Time zone: \(shownZone.identifier)",
            ] + elapses(times, in: shownZone)
        )
    }

    /// `zone` is `nil` when no zone was configured: a DTSTART with an offset then runs at that offset.
    private func nextRule(
        _ ruleText: String,
        dtstart: String,
        zone: Zone?,
        base: Instant?
    ) throws
        -> CalendarNextAnswer
    {
        let rule: RecurrenceRule
        do { rule = try RecurrenceRule.parse(ruleText) } catch { throw Failure(error, expression: ruleText) }
        guard let (local, rest) = LocalDateTime.parsePrefix(dtstart) else {
            throw Failure(
                ExitStatus.usage,
                "--dtstart '\(shown(dtstart))' is not a time; expected ISO 8601 such as 2026-11-29T09:00 or 2026-11-29T09:00:00+08:00"
            )
        }
        var start = local
        var ruleZone = zone ?? .utc
        if !rest.isEmpty {
            // An explicit offset fixes the instant; the rule then runs in --tz (or at that offset).
            guard let instant = Instant(iso: dtstart) else {
                throw Failure(ExitStatus.usage, "--dtstart '\(shown(dtstart))' has an offset that is not ±HH:MM or Z")
            }
            if zone == nil {
                ruleZone = Zone.fixed(offsetSeconds: local.localSecond - instant.seconds)
            }
            start = LocalDateTime(localSecond: ruleZone.localSecond(forInstant: instant.seconds))
        }
        let recurrence = Recurrence(rule: rule, start: start, zone: ruleZone)
        do { try recurrence.checkTimesReachable() } catch { throw Failure(error) }
        let found: [Recurrence.Occurrence]
        do {
            found =
                try base.map { after throws(CalendarError) in try recurrence.occurrences(after: after, limit: count) }
                ?? recurrence.occurrences(limit: count)
        } catch { throw Failure(error) }
        return CalendarNextAnswer(
            normalized: rule.description,
            next: found.map(\.formatted),
            lines: [
                "           Rule: \(rule.description)",
                "        DTSTART: \(start) \(ruleZone.identifier)",
            ] + elapses(found.compactMap(\.instant), in: ruleZone)
        )
    }

    /// The times as `systemd-analyze calendar` lists them: `Next elapse`, then `Iter. #2` and on.
    private func elapses(_ times: [Instant], in zone: Zone) -> [String] {
        if times.isEmpty { return ["    Next elapse: never"] }
        return times.enumerated().map { index, time in
            "\(index == 0 ? "    Next elapse" : "       Iter. #\(index + 1)"): \(humanTime(time, zone))"
        }
    }
}

/// `Sun 2026-11-29 09:00:00 +08:00`, as systemd writes a time.
package func humanTime(_ t: Instant, _ zone: Zone) -> String {
    let offset = zone.offset(atSecond: t.seconds)
    let local = LocalDateTime(localSecond: t.seconds + offset, microsecond: t.microsecondOfSecond)
    let clock = local.description.dropFirst(11)
    return "\(local.date.weekday.shortName) \(local.date) \(clock) \(formatOffset(offset))"
}

/// `calendar next EXPRESSION`, in the configured zone unless the request names one, from the
/// caller's clock unless it names a base.
package enum NextElapse: DutyOperation {
    package static let route = "calendar/next"
    package static let access = Access.read
    package static let command = ["calendar", "next"]
    package static func perform(_ r: CalendarNextRequest, _ c: OperationContext) throws -> CalendarNextAnswer {
        try r.answer(configured: c.workspace.settings.timezone, now: c.now)
    }
}
