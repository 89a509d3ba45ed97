import DutyTestScoping
import DutyTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Progress of a long answer on standard error: on a terminal only, never mixed into the answer.
@Suite("Progress of long answers", .ownThreads)
struct ProgressTests {
    @Test("a long answer to a file counts its rows on a terminal's standard error, and not on a pipe's")
    func progressOnTerminalsOnly() throws {
        let d = try Daemon(extraUnits: 3000)
        let dutyctl = Products.program("dutyctl").path
        let out = d.folder.appendingPathComponent("answer.jsonl").path
        // Drawn from the start (not after a second: this answer may take less on a fast machine).
        let command =
            "DUTYCTL_PROGRESS_AFTER_MS=0 '\(dutyctl)' upcoming --within 1830d --state all --config '\(d.config)' > '\(out)'"
        // `script` gives the command a terminal for its standard error (and its own output goes to the
        // file): the progress line is drawn there.
        let onTerminal = try JournalReader.shell("script", ["-qec", command, "/dev/null"])
        #expect(onTerminal.status == 0, "\(onTerminal.err)")
        #expect(
            onTerminal.out.contains(" rows, ") && onTerminal.out.contains("/s — done in "),
            "\(onTerminal.out.prefix(500))"
        )
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        // The table's count line, "N occurrence(s)", and the progress's last count agree.
        let counted = try #require(
            lines.last(where: { $0.hasSuffix(" occurrence(s)") }).flatMap { Int($0.split(separator: " ")[0]) }
        )
        #expect(counted > 10_000)
        let digits = Array(String(counted))
        var grouped = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { grouped += "," }
            grouped.append(c)
        }
        #expect(onTerminal.out.contains(grouped + " rows, "), "\(grouped) in \(onTerminal.out.suffix(300))")
        let rows = lines.count
        // Standard error on a pipe: no progress, only the answer's warnings.
        let onPipe = try Daemon.run(
            "dutyctl",
            ["upcoming", "--within", "1830d", "--state", "all", "--config", d.config],
            environment: ["DUTYCTL_PROGRESS_AFTER_MS": "0"]
        )
        #expect(onPipe.status == 0 && !onPipe.err.contains(" rows, "), "\(onPipe.err.prefix(300))")
        #expect(onPipe.out.split(separator: "\n").count == rows)
    }

    @Test("a large import through dutyd shows how much of the file has gone on a terminal, and nothing on a pipe")
    func importProgress() throws {
        let d = try Daemon()
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        // 60,000 units: about 6 MiB of request, sent in 1 MiB pieces.
        var csv = "id,name,kind,parent,email\n"
        for i in 0..<60_000 { csv += "gd.t\(i),测试单位第\(i)号党组织,unit,gd,t\(i)@example.org\n" }
        let file = d.folder.appendingPathComponent("big.csv").path
        try csv.write(toFile: file, atomically: true, encoding: .utf8)
        let dutyctl = Products.program("dutyctl").path
        let onTerminal = try JournalReader.shell(
            "script",
            ["-qec", "'\(dutyctl)' unit import '\(file)' --socket '\(d.socket)'", "/dev/null"]
        )
        #expect(onTerminal.status == 0, "\(onTerminal.out)")
        #expect(onTerminal.out.contains("sending 1.0 of "), "\(onTerminal.out.prefix(400))")
        #expect(
            onTerminal.out.contains("MiB (100 %)") && onTerminal.out.contains("; dutyd is checking and storing it…")
        )
        #expect(
            onTerminal.out.contains("60000 unit(s) added") || onTerminal.out.contains("60000"),
            "\(onTerminal.out.suffix(300))"
        )
        // Again on a pipe (the units are there now: updated, not added): no progress.
        let onPipe = try Daemon.run("dutyctl", ["unit", "import", file, "--socket", d.socket])
        #expect(
            onPipe.status == 0 && !onPipe.err.contains("sending") && !onPipe.out.contains("sending"),
            "\(onPipe.err)"
        )
        #expect(APITests.stop(p) == 0)
    }
}
