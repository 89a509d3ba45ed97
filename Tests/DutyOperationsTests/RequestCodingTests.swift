import DutyFiles
import DutyOperations
import DutyQueries
import DutyTestScoping
import Foundation
import Testing

/// An API client sends only what it sets: every request decodes with its defaults for the keys left
/// out, keeps what was sent, and refuses a value of the wrong type.
@Suite("API requests: defaults for keys left out", .ownThreads)
struct RequestCodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func missingKeysTakeTheirDefaults() throws {
        let o = try decode(OccurrencesRequest.self, "{}")
        #expect(o == OccurrencesRequest())
        #expect(!o.overdue && !o.subtree && o.obligation.isEmpty && o.state == nil)
        #expect(try decode(LedgerRequest.self, "{}").limit == 100)
        #expect(try decode(CalendarNextRequest.self, #"{"expression":"daily"}"#).count == 5)
        let c = try decode(CalendarRequest.self, #"{"official":"yang.fan"}"#)
        #expect(c.filters == OccurrencesRequest() && !c.todo && c.official == "yang.fan")
        #expect(try decode(UnitRemoval.self, #"{"id":"gd.gz"}"#).recursive == false)
        let i = try decode(ImportRequest.self, #"{"file":"u.csv","data":"aWQ="}"#)
        #expect(!i.replace && i.data == Data("id".utf8) && i.trackFrom == nil)
    }

    @Test func sentValuesAreKeptAndSurviveARoundTrip() throws {
        var o = OccurrencesRequest()
        o.overdue = true
        o.subtree = true
        o.unit = "gd.gz"
        o.obligation = ["semiannual-report"]
        let json = String(decoding: try JSONEncoder().encode(o), as: UTF8.self)
        // Plain JSON values, not wrapped objects.
        #expect(json.contains(#""overdue":true"#) && json.contains(#""obligation":["semiannual-report"]"#))
        #expect(try decode(OccurrencesRequest.self, json) == o)
        var r = CalendarRequest()
        r.filters.unit = "gd.sz"
        r.todo = true
        let back = try decode(CalendarRequest.self, String(decoding: try JSONEncoder().encode(r), as: UTF8.self))
        #expect(back.filters.unit == "gd.sz" && back.todo)
    }

    @Test func aValueOfTheWrongTypeIsRefused() {
        #expect(throws: DecodingError.self) { try decode(OccurrencesRequest.self, #"{"subtree":"yes"}"#) }
        #expect(throws: DecodingError.self) { try decode(LedgerRequest.self, #"{"limit":"many"}"#) }
        #expect(throws: DecodingError.self) { try decode(ReportRequest.self, "{}") }
    }
}
