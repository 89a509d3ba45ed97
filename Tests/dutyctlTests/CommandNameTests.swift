import DutyTestScoping
import Foundation
import Testing

/// What every start of dutyctl and dutyd costs. ArgumentParser builds the whole command tree at each
/// start and names a command without `commandName` by `String(describing:)` of its type, which makes
/// the Swift runtime scan every protocol conformance of the (static, 190 MB) binary, several times a
/// command: 35 unnamed commands were half of `dutyctl --version` (14 ms, now 7) and a third of
/// `dutyctl unit ls` (23 ms, now 16), measured with `perf stat`.
@Suite("command names", .ownThreads)
struct CommandNameTests {
    static let sources = DutyctlCalendarTests.repo.appendingPathComponent("Sources")

    @Test("every command of dutyctl and dutyd says its own name (commandName), so no start derives one")
    func everyCommandIsNamed() throws {
        var unnamed: [String] = []
        var seen = 0
        for target in ["dutyctl", "dutyd"] {
            let folder = Self.sources.appendingPathComponent(target)
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift")
            {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                var rest = text[...]
                while let start = rest.range(of: "CommandConfiguration(") {
                    // The arguments, up to the parenthesis that closes the call.
                    var depth = 1
                    var end = start.upperBound
                    while depth > 0 && end < rest.endIndex {
                        if rest[end] == "(" { depth += 1 } else if rest[end] == ")" { depth -= 1 }
                        end = rest.index(after: end)
                    }
                    seen += 1
                    let arguments = rest[start.upperBound..<end]
                    if !arguments.contains("commandName:") {
                        let line = text[..<start.lowerBound].filter { $0 == "\n" }.count + 1
                        unnamed.append("Sources/\(target)/\(file):\(line)")
                    }
                    rest = rest[end...]
                }
            }
        }
        #expect(seen >= 60, "found only \(seen) command configurations; has the layout changed?")
        #expect(unnamed.isEmpty, "commands without commandName: \(unnamed)")
    }
}
