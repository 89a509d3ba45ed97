import DutyAPI
import DutyNotify
import DutyOperations
import DutyQueries
import Foundation
import Glibc

/// Rows counted on standard error while a long answer goes to a file or a pipe (`12,345 rows,
/// 80,000/s`), redrawn twice a second once a second has passed; only when standard error is a
/// terminal and standard output is not (on a terminal the rows show it themselves), and nothing at
/// all for an answer shorter than a second.
final class Progress: @unchecked Sendable {
    let enabled = isatty(2) == 1 && isatty(1) == 0
    /// How long an answer runs before its progress shows: a second, or `DUTYCTL_PROGRESS_AFTER_MS`.
    private let after: Duration = .milliseconds(
        ProcessInfo.processInfo.environment["DUTYCTL_PROGRESS_AFTER_MS"].flatMap(Int.init).map {
            min(max($0, 0), 60_000)
        }
            ?? 1000
    )
    private var count = 0
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var shown: ContinuousClock.Instant
    private var drawn = false

    init() {
        start = clock.now
        shown = start
    }

    func row() {
        count += 1
        guard enabled, count & 255 == 0 else { return }
        let now = clock.now
        guard now - start >= after, !drawn || now - shown >= .milliseconds(500) else { return }
        shown = now
        draw(end: false)
    }

    func finish(succeeded: Bool) {
        guard enabled && drawn else { return }
        if succeeded { draw(end: true) } else { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    private func draw(end: Bool) {
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int(Double(count) / seconds) : count
        let text =
            "\r\(Self.grouped(count)) rows, \(Self.grouped(rate))/s"
            + (end ? " — done in \(String(format: "%.1f", seconds)) s\n" : "")
        FileHandle.standardError.write(Data(text.utf8))
        drawn = true
    }

    static func grouped(_ n: Int) -> String {
        var digits = Array(String(n))
        var i = digits.count - 3
        while i > 0 {
            digits.insert(",", at: i)
            i -= 3
        }
        return String(digits)
    }
}

/// `{"KEY":[` rows `]}` on standard output as the rows come, one a line (`--json` of a streamed list).
final class JSONListPrinter {
    let key: String
    private(set) var count = 0

    init(key: String) { self.key = key }

    func add(_ bytes: some Collection<UInt8>) {
        count += 1
        Output.write(count == 1 ? "{\"\(key)\":[\n" : ",\n")
        Output.write(bytes)
    }

    func finish() {
        Output.write(count == 0 ? "{\"\(key)\":[]}\n" : "\n]}\n")
        Output.flush()
    }

    /// Ends the list and adds `fields`' keys to the object: `],"total":…}`.
    func finish(with fields: some Encodable) {
        let rest = (try? JSONOutput.encode(fields)) ?? Data("{}".utf8)
        Output.write(count == 0 ? "{\"\(key)\":[]" : "\n]")
        if rest.count > 2 {
            Output.write(",")
            Output.write(rest.dropFirst())
        } else {
            Output.write("}")
        }
        Output.write("\n")
        Output.flush()
    }
}

/// Standard output for long answers: bytes gathered into 64 KiB writes to descriptor 1. Whatever
/// `print` left in C's buffer goes first, so the two never cross; `flush` before printing again.
enum Output {
    nonisolated(unsafe) private static var buffer: [UInt8] = []

    static func write(_ bytes: some Collection<UInt8>) {
        if buffer.isEmpty { fflush(nil) }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 64 * 1024 { flush() }
    }

    static func write(_ text: String) { write(text.utf8) }

    static func flush() {
        var done = 0
        while done < buffer.count {
            let n = buffer[done...].withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            // A closed pipe (`| head`): nothing more to write; SIGPIPE ends us as it ends any filter.
            if n <= 0 { break }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
