import DutyCalendar
import DutyFiles
import DutyTestScoping
import Foundation
import Testing

/// The readers of settings, policy and holiday files are depth-limited and count positions as they
/// go: a file built to exhaust the stack is a syntax error at its place, and a line of 200,000 values
/// reports the right column of its last one.
@Suite("Parser limits", .ownThreads)
struct ParserLimitTests {
    @Test(
        "RRULE: a BYSETPOS no period can reach is refused at once (the fuzzer's endless rule), one that can is kept",
        arguments: [
            ("FREQ=SECONDLY;BYSECOND=10;BYSETPOS=-11", false),
            ("FREQ=MINUTELY;BYSECOND=1,2;BYSETPOS=3", false),
            ("FREQ=HOURLY;BYMINUTE=1,2;BYSECOND=5;BYSETPOS=-3", false),
            ("FREQ=MINUTELY;BYSECOND=1,2;BYSETPOS=2", true),
            ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", true),
            ("FREQ=SECONDLY;BYSECOND=10;BYSETPOS=1,-11", true),
        ]
    )
    func unreachableSetPosition(rule: String, accepted: Bool) throws {
        do {
            let r = try RecurrenceRule.parse(rule)
            #expect(accepted, "\(rule) was taken")
            // What was taken also ends: ten occurrences found quickly.
            let start = LocalDateTime(localSecond: 1_765_000_000, microsecond: 0)
            #expect(Recurrence(rule: r, start: start, zone: nil).occurrences(limit: 10).count == 10)
        } catch {
            #expect(!accepted, "\(rule): \(error)")
            #expect(error.message.contains("can never match"), "\(error.message)")
        }
    }

    @Test("TOML: 50,000 nested lists or inline tables are refused at the first level too deep")
    func tomlNesting() {
        for (open, close) in [("[", "]"), ("{ a = ", "}")] {
            let text = "x = " + String(repeating: open, count: 50_000) + String(repeating: close, count: 50_000)
            do {
                _ = try TOMLParser.parse(text)
                Issue.record("50,000 levels of \(open) were taken")
            } catch {
                #expect(error.line == 1)
                #expect(error.message.contains("nested more than 32 deep"), "\(error.message)")
                // The 33rd opening is where the file says too much.
                #expect(error.column == 5 + 32 * open.count, "\(error)")
            }
        }
        // 32 levels are fine.
        let ok = "x = " + String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect((try? TOMLParser.parse(ok)) != nil)
    }

    @Test("TOML: a dotted key or table header of 50,000 parts is refused")
    func tomlDottedKeys() {
        let key = Array(repeating: "a", count: 50_000).joined(separator: ".")
        for text in ["\(key) = 1", "[\(key)]", "[[\(key)]]"] {
            #expect {
                try TOMLParser.parse(text)
            } throws: { e in
                (e as! TOMLSyntaxError).message.contains("more than 32 parts")
            }
        }
    }

    @Test("TOML: a one-line list of 200,000 items parses, and a mistake at its end has the right column")
    func tomlLongLine() throws {
        let items = (0..<200_000).map { "\"值\($0)\"" }.joined(separator: ",")
        let t = try TOMLParser.parse("x = [\(items)]")
        #expect(t["x"]?.array?.count == 200_000)
        // Columns count characters: 值 is one.
        let bad = "x = [\(items), nope]"
        #expect {
            try TOMLParser.parse(bad)
        } throws: { e in
            let e = e as! TOMLSyntaxError
            return e.line == 1 && e.column == bad.count - 4
        }
    }

    @Test("holiday JSON: lone and broken surrogate pairs read as U+FFFD; nesting past 64 is refused")
    func holidayJSON() throws {
        for escaped in [#"\uD800\u0041"#, #"\uD800"#, #"\uDC00"#, #"\uD800\uD800"#, #"\uDBFF\uE000"#] {
            let node = try JSONDocument.parse(Array(#"["\#(escaped)"]"#.utf8))
            guard case .array(let items) = node.value, case .string(let s) = items[0].value else {
                Issue.record("\(escaped): not a list of one string")
                continue
            }
            #expect(s.unicodeScalars.first == "\u{FFFD}", "\(escaped) → \(s.unicodeScalars.map(\.value))")
        }
        let pair = try JSONDocument.parse(Array(#"["\uD83D\uDE00"]"#.utf8))
        if case .array(let items) = pair.value, case .string(let s) = items[0].value { #expect(s == "😀") }
        for bad in [#"["\u12"]"#, #"["\u+123"]"#, #"["\u 123"]"#] {
            #expect(throws: JSONSyntaxError.self) { try JSONDocument.parse(Array(bad.utf8)) }
        }
        let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        #expect {
            try JSONDocument.parse(Array(deep.utf8))
        } throws: { e in (e as! JSONSyntaxError).message.contains("deeper than 64") }
    }

    @Test("holiday JSON: a one-line array of 200,000 values reports the column of a mistake at its end")
    func holidayJSONLongLine() throws {
        let items = (0..<200_000).map { "\"日\($0)\"" }.joined(separator: ",")
        let node = try JSONDocument.parse(Array("[\(items)]".utf8))
        if case .array(let list) = node.value { #expect(list.count == 200_000) }
        let bad = "[\(items),]"
        #expect {
            try JSONDocument.parse(Array(bad.utf8))
        } throws: { e in
            let e = e as! JSONSyntaxError
            return e.line == 1 && e.column == bad.count
        }
    }
}
