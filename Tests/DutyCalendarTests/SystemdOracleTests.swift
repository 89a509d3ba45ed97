import DutyCalendar
import DutyTestScoping
import Testing

/// Every recorded `systemd-analyze calendar` answer is reproduced: the normalized form, the next eight
/// elapses (to the second, as systemd prints them) and every rejection.
@Suite("OnCalendar expressions match systemd 252", .ownThreads)
struct SystemdOracleTests {
    @Test("the oracle file is there and complete")
    func oracleLoaded() {
        #expect(Oracles.systemd.count == 268)
    }

    @Test("expression", arguments: Oracles.systemd)
    func expression(_ r: SystemdRecord) throws {
        if r.error && r.error_kind == "parse" {
            #expect(throws: CalendarError.self) { try CalendarSpec.parse(r.expr, localZone: Zone.named(r.tz)!) }
            return
        }
        let spec = try CalendarSpec.parse(r.expr, localZone: Zone.named(r.tz)!)
        let base = try #require(Instant(iso: r.base ?? "2026-11-29T00:00:00Z"))
        let local = try #require(Zone.named(r.tz))
        if r.error {
            #expect(r.error_kind == "next-elapse")
            let error = #expect(throws: CalendarError.self) { try spec.next(after: base, count: 8, localZone: local) }
            #expect(error?.code == .noElapse)
            return
        }
        #expect(spec.normalized == r.normalized)
        let got = try spec.next(after: base, count: 8, localZone: local)
        let wholeSeconds = got.map { Instant(seconds: $0.seconds) }
        #expect(wholeSeconds.map(\.utcString) == r.next)
        #expect(wholeSeconds.map { $0.format(in: local) } == r.next_local)
        #expect(got.isEmpty == (r.never ?? false))
    }
}

/// 3000 generated expressions (valid, broken, in five zones and twelve bases) answered by this
/// machine's `systemd-analyze` through `Tests/tools/systemd-oracle.py`: the grammar, not the examples.
@Suite("OnCalendar expressions match systemd 252 on generated cases", .ownThreads)
struct SystemdGeneratedTests {
    static let records = Oracles.lines("systemd-calendar-generated", as: SystemdRecord.self)

    @Test("the generated file is there")
    func loaded() { #expect(Self.records.count == 3000) }

    @Test("generated expression", arguments: records)
    func expression(_ r: SystemdRecord) throws {
        if r.error && r.error_kind == "parse" {
            #expect(throws: CalendarError.self) { try CalendarSpec.parse(r.expr, localZone: Zone.named(r.tz)!) }
            return
        }
        let spec = try CalendarSpec.parse(r.expr, localZone: Zone.named(r.tz)!)
        if let normalized = r.normalized { #expect(spec.normalized == normalized) }
        let base = try #require(Instant(iso: r.base ?? ""))
        let local = try #require(Zone.named(r.tz))
        if r.error {
            #expect(throws: CalendarError.self) { try spec.next(after: base, count: 8, localZone: local) }
            return
        }
        let got = try spec.next(after: base, count: 8, localZone: local)
        #expect(got.map { Instant(seconds: $0.seconds).utcString } == r.next)
    }
}
