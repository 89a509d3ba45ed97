import DutyCalendar
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation

// The calendar engine's speed on 100,000 varied inputs per figure (BENCH_N to change), best of three.

func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

func expression(_ r: inout SplitMix) -> String {
    var parts: [String] = []
    if r.chance(0.3) { parts.append(r.pick(["Mon..Fri", "Sat,Sun", "Mon,Wed,Fri", "Tue..Thu", "Fri"])) }
    let month = r.chance(0.4) ? "*" : r.pick(["06,12", "01..03", "\(pad(r.int(1...12)))", "01/3", "03/2", "10..12"])
    let day: String
    if r.chance(0.25) {
        day = "~" + r.pick(["01", "02", "03", "07/1", "01..03"])
    } else {
        day = "-" + r.pick(["*", "01", "15", "\(pad(r.int(1...28)))", "01,15", "01..07", "28..31", "10/5", "30", "31"])
    }
    let year = r.chance(0.2) ? r.pick(["2027..2030", "2026/2", "2028"]) + "-" : (r.chance(0.5) ? "*-" : "")
    parts.append(year + month + day)
    parts.append(r.pick(["09:00", "00:00", "17:45", "09..17:00", "*:0/15", "08,12:30", "23:59:59", "00/6:00"]))
    if r.chance(0.5) {
        parts.append(r.pick(["Asia/Shanghai", "UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]))
    }
    return parts.joined(separator: " ")
}

func rule(_ r: inout SplitMix) -> String {
    let freq = r.pick(["YEARLY", "YEARLY", "MONTHLY", "MONTHLY", "WEEKLY", "DAILY"])
    var p = ["FREQ=\(freq)"]
    if r.chance(0.3) { p.append("INTERVAL=\(r.pick([2, 3, 6]))") }
    if freq == "YEARLY" && r.chance(0.5) { p.append("BYMONTH=\(r.pick(["6,12", "1,4,7,10", "\(r.int(1...12))"]))") }
    if freq != "WEEKLY" && r.chance(0.4) {
        p.append("BYMONTHDAY=\(r.pick(["-1", "1,15", "20", "28", "-2,-1", "10,20,30"]))")
    }
    if r.chance(0.4) {
        if freq == "MONTHLY" || freq == "YEARLY", r.chance(0.5) {
            p.append("BYDAY=\(r.pick(["1MO", "-1FR", "2TU", "1SU,-1SU"]))")
        } else {
            p.append("BYDAY=\(r.pick(["MO,TU,WE,TH,FR", "SA,SU", "MO", "TU,TH"]))")
            if freq == "MONTHLY" && r.chance(0.5) { p.append("BYSETPOS=\(r.pick(["-1", "1", "1,-1"]))") }
        }
    }
    return p.joined(separator: ";")
}

func calendarBench(holidays: String) throws {
    let count = Int(ProcessInfo.processInfo.environment["BENCH_N"] ?? "") ?? 100_000
    var rng = SplitMix(state: 2026)
    // OnCalendar: parse 100,000 varied expressions, then 8 elapses of each from varied bases.
    let expressions = (0..<count).map { _ in expression(&rng) }
    let bases = (0..<count).map { _ in Instant(seconds: 1_767_225_600 + rng.int(0...(4 * 365 * 86_400))) }
    let localZones = ["UTC", "Asia/Shanghai", "America/New_York"].map { Zone.named($0)! }
    var specs: [CalendarSpec] = []
    let parseNs = best {
        let clock = ContinuousClock()
        var parsed: [CalendarSpec] = []
        parsed.reserveCapacity(count)
        let d = clock.measure { for e in expressions { parsed.append(try! CalendarSpec.parse(e)) } }
        specs = parsed
        return (d, count)
    }
    var sink = 0
    let onCalendarNs = best {
        let clock = ContinuousClock()
        var instants = 0
        let d = clock.measure {
            for (i, s) in specs.enumerated() {
                let got = (try? s.next(after: bases[i], count: 8, localZone: localZones[i % 3])) ?? []
                instants += got.count
                sink &+= got.last?.seconds ?? 0
            }
        }
        return (d, instants)
    }

    // RRULE: 100,000 varied rules from varied starts, 10 occurrences each. A random combination can name
    // days that never occur together (BYDAY=2TU;BYMONTHDAY=-1); such a rule yields nothing and is
    // recognised only after 400 × INTERVAL years, so it is timed apart, per rule.
    let zones: [Zone?] = [nil, Zone.named("Asia/Shanghai"), Zone.named("America/New_York")]
    var recurrences: [Recurrence] = []
    var emptyRules: [Recurrence] = []
    while recurrences.count < count {
        let start = LocalDateTime(
            date: CivilDate(daysSinceEpoch: 20_000 + rng.int(0...2000)),
            hour: rng.int(0...23),
            minute: rng.pick([0, 30])
        )
        let r = Recurrence(
            rule: try! RecurrenceRule.parse(rule(&rng)),
            start: start,
            zone: zones[recurrences.count % 3]
        )
        if r.occurrences(limit: 1).isEmpty { emptyRules.append(r) } else { recurrences.append(r) }
    }
    let emptyNs = best(1) {
        let clock = ContinuousClock()
        let sample = emptyRules.prefix(200)
        let d = clock.measure { for r in sample { sink &+= r.occurrences(limit: 10).count } }
        return (d, sample.count)
    }
    let rruleNs = best {
        let clock = ContinuousClock()
        var instants = 0
        let d = clock.measure {
            for r in recurrences {
                let got = r.occurrences(limit: 10)
                instants += got.count
                sink &+= got.count
            }
        }
        return (d, instants)
    }

    // Working days: shift 100,000 varied deadlines over 2023–2027 by a varied rule.
    let workdays = try WorkingDayCalendar.load(directories: [holidays])
    let deadlines = (0..<count).map { _ in CivilDate(daysSinceEpoch: 19_358 + rng.int(0...(5 * 365))) }
    let rules = (0..<count).map { _ in rng.pick([ShiftRule.previousWorkday, .nextWorkday, .previousWorkday]) }
    let shiftNs = best {
        let clock = ContinuousClock()
        let d = clock.measure {
            for i in 0..<count { sink &+= workdays.shift(deadlines[i], rule: rules[i]).date.day }
        }
        return (d, count)
    }
    let workdayAddNs = best {
        let clock = ContinuousClock()
        let d = clock.measure {
            for i in 0..<count { sink &+= workdays.adding(workingDays: -(i % 10 + 1), to: deadlines[i]).date.day }
        }
        return (d, count)
    }

    report("calendar.oncalendar.parse_ns", parseNs, "ns")
    report("calendar.oncalendar.ns_per_instant", onCalendarNs, "ns")
    report("calendar.rrule.ns_per_instant", rruleNs, "ns")
    report("calendar.rrule.empty_rule_us", emptyNs / 1000, "us")
    report("calendar.workday_shift.ns_per_op", shiftNs, "ns")
    report("calendar.workday_add.ns_per_op", workdayAddNs, "ns")
    if sink == 42 { print("") }
}
