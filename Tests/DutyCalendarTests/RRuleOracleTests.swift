import DutyCalendar
import DutyTestScoping
import Testing

/// Every recorded python-dateutil expansion is reproduced, except where `Resources/README.md` decides
/// otherwise: local times in a DST gap are skipped and not counted, and rules RFC 5545 forbids are
/// refused even where dateutil accepts them.
@Suite("RRULE expansion matches python-dateutil", .ownThreads)
struct RRuleOracleTests {
    @Test("the oracle file is there and complete")
    func oracleLoaded() { #expect(Oracles.rrule.count == 180) }

    @Test("rule", arguments: Oracles.rrule)
    func rule(_ r: RRuleRecord) throws { try Self.check(r) }

    /// python-dateutil reads only the transitions listed in the zone file, which end in 2037, and then
    /// keeps standard time for ever; from 2038 on only the wall-clock time is compared.
    static func comparable(_ times: [String]) -> [String] {
        times.map { $0 < "2038" ? $0 : String($0.prefix(19)) }
    }

    static func check(_ r: RRuleRecord) throws {
        if r.error || r.rfc_valid == false {
            #expect(throws: CalendarError.self) { try Recurrence.parse(ical: r.ical) }
            return
        }
        let recurrence = try Recurrence.parse(ical: r.ical)
        let got = recurrence.occurrences(limit: 10).map(\.formatted)
        var expected = r.first ?? []
        if r.nonexistent_local == true, let zone = recurrence.zone {
            expected.removeAll { s in
                guard let (local, _) = LocalDateTime.parsePrefix(s) else { return false }
                return zone.strictInstant(forLocalSecond: local.localSecond) == nil
            }
            #expect(Self.comparable(Array(got.prefix(expected.count))) == Self.comparable(expected))
            #expect(expected.count < (r.first ?? []).count, "the record has a time in a gap")
        } else if recurrence.zone != nil {
            #expect(Self.comparable(got) == Self.comparable(expected))
        } else {
            #expect(got == expected)
        }
    }
}

/// 2000 generated rules (every FREQ from YEARLY to MINUTELY, BYxxx parts RFC 5545 allows, four zones)
/// expanded by this machine's python-dateutil through `Tests/tools/rrule-oracle.py`.
@Suite("RRULE expansion matches python-dateutil on generated rules", .ownThreads)
struct RRuleGeneratedTests {
    static let records = Oracles.lines("rrule-generated", as: RRuleRecord.self)

    @Test("the generated file is there")
    func loaded() { #expect(Self.records.count == 2000) }

    @Test("generated rule", arguments: records)
    func rule(_ r: RRuleRecord) throws { try RRuleOracleTests.check(r) }
}
