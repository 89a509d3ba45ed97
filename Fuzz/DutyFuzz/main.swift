// dutyd-fuzz TARGET [libFuzzer options] [CORPUS…]: feeds libFuzzer's inputs to one of dutyd's
// parsers. Built only by `make fuzz` (Package.swift declares this target when DUTYD_FUZZ=1), with
// coverage instrumentation and AddressSanitizer, linked with libFuzzer's library without its main.
//
// A parser may refuse an input with its error; it must never trap, crash or run away. libFuzzer
// writes an input that does to crash-<sha1> and exits non-zero.
import DutyCalendar
import DutyCore
import DutyFiles
import DutyOperations
import DutyQueries
import Foundation

/// Every parser that reads what someone else wrote, by the name `make fuzz` uses.
let targets: [String: ([UInt8]) -> Void] = [
    "toml": { bytes in _ = try? TOMLParser.parse(bytes: bytes) },
    "settings": { bytes in _ = try? Settings.parse(bytes: bytes, path: "dutyd.toml") },
    "policy": { bytes in _ = try? PolicyFiles.parse(bytes: [(file: "policy.toml", bytes: bytes)], zone: shanghai) },
    "csv": { bytes in
        _ = try? CSV.parse(bytes, file: "units.csv")
        _ = try? OrganisationCSV.units(bytes, file: "units.csv", policy: shippedPolicy, addedOn: today)
        _ = try? OrganisationCSV.officials(bytes, file: "officials.csv", policy: shippedPolicy)
        _ = try? CompletionCSV.read(bytes, file: "done.csv")
    },
    "holiday-json": { bytes in _ = try? HolidaySchedule.parseJSON(bytes, source: "2026.json", expectedYear: 2026) },
    "holiday-ics": { bytes in _ = try? HolidaySchedule.parseICS(bytes, source: "2026.ics", year: 2026) },
    "oncalendar": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        // Parsed, and the next elapse asked for: the search must end for anything that parses.
        if let spec = try? CalendarSpec.parse(text, localZone: shanghai) {
            _ = try? spec.next(after: Instant(seconds: 1_765_000_000), count: 3, localZone: shanghai)
        }
    },
    "rrule": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let rule = try? RecurrenceRule.parse(text) {
            let start = LocalDateTime(localSecond: 1_765_000_000, microsecond: 0)
            _ = try? Recurrence(rule: rule, start: start, zone: shanghai)
                .occurrences(after: Instant(seconds: 1_765_000_000), limit: 10)
        }
        if let recurrence = try? Recurrence.parse(ical: text) { _ = recurrence.occurrences(limit: 10) }
    },
    "duration": { bytes in _ = try? DutyDuration.parse(String(decoding: bytes, as: UTF8.self)) },
    "instant": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = Instant(iso: text, zone: shanghai)
        _ = CivilDate(iso: text)
        _ = try? ShiftRule.parse(text)
    },
    "requests": { bytes in
        // What the API decodes from a request body, with the decoder it uses.
        let data = Data(bytes)
        let decoder = JSONDecoder()
        _ = try? decoder.decode(OccurrencesRequest.self, from: data)
        _ = try? decoder.decode(ReportRequest.self, from: data)
        _ = try? decoder.decode(CalendarRequest.self, from: data)
        _ = try? decoder.decode(DoneRequest.self, from: data)
        _ = try? decoder.decode(ExplainRequest.self, from: data)
        _ = try? decoder.decode(LedgerRequest.self, from: data)
        _ = try? decoder.decode(EventRequest.self, from: data)
        _ = try? decoder.decode(ImportRequest.self, from: data)
        _ = try? decoder.decode(WaiveRequest.self, from: data)
        _ = try? decoder.decode(UndoRequest.self, from: data)
    },
]

let shanghai = Zone.named("Asia/Shanghai")!
let today = CivilDate(year: 2026, month: 12, day: 5)!
nonisolated(unsafe) var shippedPolicy: Policy = {
    let file = "config/policy/ideology-responsibility.toml"
    let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))).map { [UInt8]($0) } ?? []
    return (try? PolicyFiles.parse(bytes: [(file: file, bytes: bytes)], zone: shanghai))
        ?? { fatalError("run dutyd-fuzz from the repository's top folder (it reads \(file))") }()
}()

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

nonisolated(unsafe) var chosen: (([UInt8]) -> Void)?

var arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets[arguments[1]] else {
    FileHandle.standardError.write(
        Data(
            "usage: dutyd-fuzz TARGET [libFuzzer options] [CORPUS…]; targets: \(targets.keys.sorted().joined(separator: " "))\n"
                .utf8
        )
    )
    exit(64)
}
chosen = target
_ = shippedPolicy
arguments.remove(at: 1)
var argc = Int32(arguments.count)
var cStrings = arguments.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        chosen?(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
exit(status)
