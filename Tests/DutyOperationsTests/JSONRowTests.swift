import DutyCalendar
import DutyCore
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestScoping
import Foundation
import Testing

/// The rows of long answers write their own JSON (`JSONRow`); it must be Foundation's encoder's, byte
/// for byte, or dutyctl and every API client would read something else from a streamed answer than
/// from a small one.
@Suite("Rows that write their own JSON", .ownThreads)
struct JSONRowTests {
    @Test("every occurrence of the example, full and brief, in every state, writes what JSONEncoder writes")
    func sameBytesAsTheEncoder() throws {
        let (workspace, store) = try ExampleConfigurationTests.load()
        let planner = try workspace.planner(store)
        var q = OccurrenceQuery(at: ExampleConfigurationTests.now)
        q.within = DutyDuration(400, .days)
        q.states = Set(Occurrence.State.allCases)
        let all = try planner.upcoming(q, records: try store.records())
        // A completion with every field (a note with what must be escaped), one with none, a waiver.
        let awkward = "引号\"反斜杠\\斜杠/换行\n制表\t响铃\u{07}\u{1f}\u{7f}"
        try store.complete(
            Completion(
                occurrence: all[0].id,
                on: ExampleConfigurationTests.today,
                recordedAt: ExampleConfigurationTests.now,
                by: "张三",
                reference: "文号〔2026〕1号",
                note: awkward
            ),
            repeatable: false
        )
        try store.complete(
            Completion(
                occurrence: all[1].id,
                on: ExampleConfigurationTests.today,
                recordedAt: ExampleConfigurationTests.now,
                by: "li"
            ),
            repeatable: false
        )
        try store.waive(
            Waiver(occurrence: all[2].id, reason: awkward, recordedAt: ExampleConfigurationTests.now, by: "wang")
        )
        let occurrences = try planner.upcoming(q, records: try store.records())
        #expect(occurrences.count > 100)
        var checked = (full: 0, brief: 0, withCompletion: 0, withWaiver: 0)
        for o in occurrences {
            for now in [ExampleConfigurationTests.now, Instant(iso: "2027-12-01T09:00:00+08:00")!] {
                let full = planner.view(o, now: now)
                let brief = planner.brief(o, now: now)
                for row in [OccurrenceRow.full(full), .brief(brief)] {
                    var out = JSONBytes()
                    row.writeJSON(to: &out)
                    let expected = try JSONOutput.encode(row)
                    #expect(
                        Data(out.bytes) == expected,
                        "\(String(decoding: out.bytes, as: UTF8.self))\n\(String(decoding: expected, as: UTF8.self))"
                    )
                    // And it reads back as what it was.
                    #expect(try JSONDecoder().decode(OccurrenceRow.self, from: Data(out.bytes)).id == row.id)
                }
                checked.full += 1
                checked.brief += 1
                if full.completion != nil { checked.withCompletion += 1 }
                if full.waiver != nil { checked.withWaiver += 1 }
            }
        }
        #expect(checked.withCompletion >= 2 && checked.withWaiver >= 1)
        // Strings with every byte that must be escaped, and text that must not be.
        var awkwardView = planner.view(occurrences[0], now: ExampleConfigurationTests.now)
        var text = ""
        for b in 0..<32 { text.unicodeScalars.append(Unicode.Scalar(UInt8(b))) }
        awkwardView.subjectName = text + "\"\\/\u{7f}\u{2028}中é😀"
        awkwardView.colour = nil
        var out = JSONBytes()
        awkwardView.writeJSON(to: &out)
        #expect(Data(out.bytes) == (try JSONOutput.encode(awkwardView)))
    }

    @Test("a brief row reads back as it was written, escapes included; anything else is left to JSONDecoder")
    func briefRowsReadBack() throws {
        let (workspace, store) = try ExampleConfigurationTests.load()
        let planner = try workspace.planner(store)
        var q = OccurrenceQuery(at: ExampleConfigurationTests.now)
        q.within = DutyDuration(400, .days)
        var briefs = try planner.upcoming(q, records: try store.records()).map {
            planner.brief($0, now: ExampleConfigurationTests.now)
        }
        var awkward = briefs[0]
        var text = ""
        for b in 0..<32 { text.unicodeScalars.append(Unicode.Scalar(UInt8(b))) }
        awkward.subjectName = text + "\"\\/\u{7f}\u{2028}中é😀"
        awkward.responsible = [text, "", "王五"]
        awkward.colour = nil
        awkward.daysLeft = -12
        briefs.append(awkward)
        for brief in briefs {
            var out = JSONBytes()
            brief.writeJSON(to: &out)
            #expect(OccurrenceBrief.read(jsonLine: out.bytes[...]) == brief)
            #expect(try JSONDecoder().decode(OccurrenceBrief.self, from: Data(out.bytes)) == brief)
        }
        // What JSONDecoder reads but the quick reader does not: escaped slashes and \u escapes
        // (other writers), surrogate pairs, spaces. The same value either way.
        let other =
            #"{ "colour":"red", "days_left": -3, "deadline":"2026-12-31T23:59:59+08:00","deadline_date":"2026-12-31","id":"a\/b\u0063/x/2026","obligation":"a","period":"2026","provisional":false,"responsible":["\ud83d\ude00","\u4e2d"],"state":"late","subject":"x","subject_name":"\u00e9","unit":"x","weekday":"Thu" }"#
        let quick = try #require(OccurrenceBrief.read(jsonLine: Array(other.utf8)[...]))
        #expect(quick == (try JSONDecoder().decode(OccurrenceBrief.self, from: Data(other.utf8))))
        #expect(quick.id == "a/bc/x/2026" && quick.responsible == ["😀", "中"] && quick.subjectName == "é")
        // Not read quickly (left to JSONDecoder): a key it does not know, a field missing, a cut line,
        // a raw control character, a lone surrogate, a number too large.
        var line = JSONBytes()
        briefs[0].writeJSON(to: &line)
        let text0 = String(decoding: line.bytes, as: UTF8.self)
        for bad in [
            text0.replacingOccurrences(of: #""weekday""#, with: #""extra":1,"weekday""#),
            text0.replacingOccurrences(of: #","weekday":"\#(briefs[0].weekday)""#, with: ""),
            String(text0.dropLast(3)),
            text0.replacingOccurrences(of: #""subject":""#, with: "\"subject\":\"\u{01}"),
            text0.replacingOccurrences(of: #""subject":""#, with: #""subject":"\ud800"#),
            text0.replacingOccurrences(of: #""days_left":"#, with: #""days_left":99999999999999999999"#),
        ] {
            #expect(OccurrenceBrief.read(jsonLine: Array(bad.utf8)[...]) == nil, "\(bad)")
        }
        // A full row is not a brief one: left to JSONDecoder.
        #expect(
            OccurrenceRow.read(
                jsonLine: Array(
                    try JSONOutput.encode(
                        planner.view(
                            try planner.upcoming(q, records: try store.records())[0],
                            now: ExampleConfigurationTests.now
                        )
                    )
                )[...]
            ) == nil
        )
    }

    @Test("display width: CJK two columns, combining marks none, ASCII one")
    func displayWidths() {
        #expect(displayWidth("gd.gz") == 5)
        #expect(displayWidth("中共广州市委") == 12)
        #expect(displayWidth("e\u{301}") == 1)
        #expect(displayWidth("Ｆ全角\u{200B}") == 6)
    }
}
