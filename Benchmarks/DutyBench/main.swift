import Foundation

// `make bench`: prints one line per figure, `bench NAME VALUE UNIT`.
//
//   DutyBench calendar [HOLIDAYS]                      the calendar engine (100,000 inputs per figure)
//   DutyBench engine CONFIG [UNITS [WORK]]              import, plan and query a generated organisation
//   DutyBench daemon DUTYD CONFIG [WORK [UNITS [IDLE_SECONDS]]]  the running daemon (after `engine`)
//   DutyBench delivery [WORK]                          digests through a local SMTP server
//   DutyBench api DUTYD CONFIG [WORK [UNITS [SECONDS [CLIENTS]]]]  the API under concurrent clients
//   DutyBench store [WORK]                             the cost of a durable change (FULL) against a ledger row
//   DutyBench national DUTYD DUTYCTL CONFIG [WORK [UNITS [MIX_SECONDS]]]  questions at national scale (after `engine`)
//   DutyBench web DUTYD DUTYCTL CONFIG [WORK [UNITS [SECONDS]]]  the officials' pages at national scale (after `engine`)
//   DutyBench postgres DUTYD CONFIG [WORK [UNITS [DUTYCTL]]]  the state on PostgreSQL: import, start, ledger rate, national questions
//   DutyBench generate UNITS FOLDER                    write the generated organisation as CSV
let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "calendar":
    try calendarBench(holidays: arguments.dropFirst().first ?? "config/holidays/cn")
case "engine":
    let config = arguments.count > 1 ? arguments[1] : "config/dutyd.toml"
    let units = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
    let work = arguments.count > 3 ? arguments[3] : ".build-bench"
    try engineBench(config: config, units: units, work: work)
case "engine-plan" where arguments.count == 4:
    try enginePlanBench(config: arguments[1], state: arguments[2], label: arguments[3])
case "daemon" where arguments.count >= 3:
    try daemonBench(
        dutyd: arguments[1],
        config: arguments[2],
        work: arguments.count > 3 ? arguments[3] : ".build-bench",
        units: arguments.count > 4 ? Int(arguments[4]) ?? 1_000_000 : 1_000_000,
        idleSeconds: arguments.count > 5 ? Int(arguments[5]) ?? 60 : 60
    )
case "api" where arguments.count >= 3:
    try await apiBench(
        dutyd: arguments[1],
        config: arguments[2],
        work: arguments.count > 3 ? arguments[3] : ".build-bench",
        units: arguments.count > 4 ? Int(arguments[4]) ?? 100_000 : 100_000,
        duration: arguments.count > 5 ? Int(arguments[5]) ?? 60 : 60,
        clients: arguments.count > 6 ? Int(arguments[6]) ?? 50 : 50
    )
case "national" where arguments.count >= 4:
    try nationalBench(
        dutyd: arguments[1],
        dutyctl: arguments[2],
        config: arguments[3],
        work: arguments.count > 4 ? arguments[4] : ".build-bench",
        units: arguments.count > 5 ? Int(arguments[5]) ?? 1_000_000 : 1_000_000,
        mixSeconds: arguments.count > 6 ? Int(arguments[6]) ?? 60 : 60
    )
case "records" where arguments.count >= 3:
    try recordsBench(
        dutyctl: arguments[1],
        config: arguments[2],
        work: arguments.count > 3 ? arguments[3] : ".build-bench",
        units: arguments.count > 4 ? Int(arguments[4]) ?? 1_000_000 : 1_000_000,
        count: arguments.count > 5 ? Int(arguments[5]) ?? 500_000 : 500_000
    )
case "web" where arguments.count >= 4:
    try webBench(
        dutyd: arguments[1],
        dutyctl: arguments[2],
        config: arguments[3],
        work: arguments.count > 4 ? arguments[4] : ".build-bench",
        units: arguments.count > 5 ? Int(arguments[5]) ?? 1_000_000 : 1_000_000,
        seconds: arguments.count > 6 ? Int(arguments[6]) ?? 20 : 20
    )
case "delivery":
    try await deliveryBench(work: arguments.count > 1 ? arguments[1] : ".build-bench")
case "store":
    try storeBench(work: arguments.count > 1 ? arguments[1] : ".build-bench")
case "postgres" where arguments.count >= 3:
    try postgresBench(
        dutyd: arguments[1],
        dutyctl: arguments.count > 5 ? arguments[5] : nil,
        config: arguments[2],
        work: arguments.count > 3 ? arguments[3] : ".build-bench",
        units: arguments.count > 4 ? Int(arguments[4]) ?? 1_000_000 : 1_000_000
    )
case "generate" where arguments.count == 3:
    let (u, o) = try NationalOrganisation.write(units: Int(arguments[1]) ?? 1_000_000, to: arguments[2])
    print("wrote \(u) units and \(o) officials to \(arguments[2])/units.csv and officials.csv")
default:
    FileHandle.standardError.write(
        Data(
            "usage: DutyBench calendar [HOLIDAYS] | engine CONFIG [UNITS [WORK]] | daemon DUTYD CONFIG [WORK [UNITS [IDLE_SECONDS]]] | delivery [WORK] | store [WORK] | records DUTYCTL CONFIG [WORK [UNITS [COUNT]]] | national DUTYD DUTYCTL CONFIG [WORK [UNITS [MIX_SECONDS]]] | web DUTYD DUTYCTL CONFIG [WORK [UNITS [SECONDS]]] | api DUTYD CONFIG [WORK [UNITS [SECONDS [CLIENTS]]]] | postgres DUTYD CONFIG [WORK [UNITS [DUTYCTL]]] | generate UNITS FOLDER\n"
                .utf8
        )
    )
    exit(64)
}
