import ArgumentParser
import DutyAPI
import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

struct Done: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done",
        abstract: "Record that an occurrence was done; its remaining reminders and escalations stop.",
        discussion: """
            Example: dutyctl done semiannual-report/gd.gz/2026-H2 --on 2026-12-20 --ref 穗宣〔2026〕12号
            A quota occurrence (standing-committee-study/gd.gz/2026-c1) counts one more completion in its year \
            each time. Completing an obligation that triggers another (annual-supervision) starts that one's \
            deadline from the day given.

            Many at once: dutyctl done --import done.csv, a CSV (UTF-8, with or without a byte-order mark, as \
            Excel saves it) with the columns occurrence (or obligation, subject and period), date, and \
            optionally reference, note and by. Every line is checked as one done would be; one bad line \
            and nothing is recorded, every bad line named at its line and column. With --skip-bad the good \
            lines are recorded and the bad ones written to --rejected (default FILE.rejected.csv) with \
            their line and why, to mend and import again.
            """
    )

    @Argument(help: ArgumentHelp("obligation/subject/period", valueName: "occurrence")) var occurrence: String?
    @Option(
        name: .customLong("import"),
        help: ArgumentHelp("Record every line of a CSV file (- for standard input).", valueName: "file")
    )
    var importFile: String?
    @Flag(name: .customLong("skip-bad"), help: "With --import: record the good lines, write the bad ones out.")
    var skipBad = false
    @Option(
        help: ArgumentHelp(
            "With --skip-bad: where the bad lines go (default FILE.rejected.csv, - for standard output).",
            valueName: "file"
        )
    )
    var rejected: String?
    @Option(name: .long, help: ArgumentHelp("The day it was done (default today).", valueName: "date")) var on: String?
    @Option(name: .long, help: ArgumentHelp("Reference number of the report or minutes.", valueName: "text")) var ref:
        String?
    @Option(name: .long, help: ArgumentHelp("A note.", valueName: "text")) var note: String?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if (occurrence == nil) == (importFile == nil) {
            throw ValidationError("say what was done: an occurrence, or --import FILE.csv (not both)")
        }
        if importFile != nil && (on != nil || ref != nil || note != nil) {
            throw ValidationError(
                "--on, --ref and --note are columns of the file with --import (date, reference, note)"
            )
        }
        if importFile == nil && (skipBad || rejected != nil) {
            throw ValidationError("--skip-bad and --rejected go with --import")
        }
    }

    func run() throws {
        try running {
            if let importFile {
                try importCompletions(importFile)
                return
            }
            guard let occurrence else { return }
            var r = DoneRequest(occurrence: occurrence)
            r.on = on
            r.ref = ref
            r.note = note
            let answer: DoneAnswer = try global.perform(RecordDone.self, r)
            if global.json {
                printJSON(
                    DoneOutput(
                        occurrence: answer.occurrence,
                        doneOn: answer.doneOn,
                        late: answer.lateDays > 0,
                        starts: answer.starts.map(\.id)
                    )
                )
            } else {
                print(
                    "\(answer.occurrence): done on \(answer.doneOn)"
                        + (answer.lateDays > 0
                            ? ", \(answer.lateDays) day(s) after the deadline \(answer.deadline)"
                            : ", on time")
                )
                printStarts(answer.starts)
            }
        }
    }

    /// `done --import FILE`: all or nothing, or with `--skip-bad` the bad lines written out.
    private func importCompletions(_ file: String) throws {
        var r = DoneImportRequest(file: file, data: Data(try readInput(file)))
        r.skipBad = skipBad
        let base = file == "-" ? "standard-input" : (file.hasSuffix(".csv") ? String(file.dropLast(4)) : file)
        let path = rejected ?? base + ".rejected.csv"
        // Where the bad lines go must take them before anything is recorded: found out afterwards, the
        // good lines would be in and the bad ones nowhere.
        var created = false
        if skipBad && path != "-" {
            let existed = FileManager.default.fileExists(atPath: path)
            guard existed || FileManager.default.createFile(atPath: path, contents: nil),
                FileManager.default.isWritableFile(atPath: path)
            else {
                throw Failure(
                    ExitStatus.usage,
                    "--rejected \(path): cannot write there (\(String(cString: strerror(errno)))); give a file you may write, or - for standard output. Nothing was recorded"
                )
            }
            created = !existed
        }
        let answer: DoneImportAnswer
        do {
            answer = try global.perform(ImportDone.self, r)
        } catch {
            if created { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
        // The empty file made to try the path goes when no line was bad.
        if created && answer.rejected.isEmpty { try? FileManager.default.removeItem(atPath: path) }
        var written: String?
        if !answer.rejected.isEmpty {
            // A byte-order mark, so Excel reads the Chinese; the file's own columns, then where and why.
            var text = "\u{FEFF}" + CSV.line(answer.header + ["line", "error"]) + "\r\n"
            for bad in answer.rejected {
                var fields = bad.fields
                fields += Array(repeating: "", count: max(0, answer.header.count - fields.count))
                text += CSV.line(fields + ["\(bad.line)", bad.error]) + "\r\n"
            }
            if path == "-" {
                FileHandle.standardOutput.write(Data(text.utf8))
            } else {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                } catch {
                    throw Failure(
                        ExitStatus.runtime,
                        "\(answer.recorded) completions were recorded, but the \(answer.rejected.count) bad lines could not be written to \(path): \(error.localizedDescription); run again with --rejected PATH (the recorded ones are refused as done already)"
                    )
                }
                written = path
            }
        }
        if global.json {
            printJSON(answer)
        } else {
            print(
                "recorded \(answer.recorded) completions from \(file)"
                    + (answer.late > 0 ? " (\(answer.late) after their deadline)" : "")
            )
        }
        if let written {
            warn([
                "\(answer.rejected.count) bad lines were not recorded; they are in \(written) with their line and why (mend them there and import that file again)"
            ])
        }
    }

    struct DoneOutput: Encodable {
        var occurrence: String
        var doneOn: String
        var late: Bool
        var starts: [String]

        enum CodingKeys: String, CodingKey {
            case occurrence, late, starts
            case doneOn = "done_on"
        }
    }
}

/// The occurrences a completion or an event starts, one line each.
func printStarts(_ list: [DoneAnswer.Started]) {
    for o in list { print("  starts \(o.id), due \(o.due) \(o.weekday)") }
}
