import DutyTestScoping
import DutyTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A change through dutyd is in the very next question, from any client, while others keep asking:
/// the questions read the store's revisions before they answer (`StateCache`).
@Suite("Read your writes", .ownThreads)
struct ReadYourWritesTests {
    @Test("done, undo, waive, an event and an import are in the next question from another client, under load")
    func changesAreSeenAtOnce() throws {
        let d = try Daemon()
        let p = try APITests.serve(d)
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let at = "at=2026-12-01T10:00:00%2B08:00"
        // Four clients asking all the time: the questions a change must not be hidden behind.
        let stop = Atomic<Bool>(false)
        let asked = Atomic<Int>(0)
        let threads = (0..<4).map { k in
            Thread {
                let client = RawClient(socket: d.socket)
                let questions = [
                    "/v1/occurrences/upcoming?within=60d&\(at)", "/v1/summary?unit=gd&depth=2&\(at)",
                    "/v1/occurrences/overdue?\(at)", "/v1/report?year=2026&\(at)",
                ]
                var i = k
                while !stop.load(ordering: .relaxed) {
                    _ = try? client.raw("GET", questions[i % questions.count])
                    asked.add(1, ordering: .relaxed)
                    i += 1
                }
            }
        }
        for t in threads { t.start() }
        defer { stop.store(true, ordering: .relaxed) }
        try waitFor("the load to start") { asked.load(ordering: .relaxed) >= 4 }

        func ask(_ uri: String) throws -> String {
            let r = try RawClient(socket: d.socket).raw("GET", uri)
            #expect(r.status == 200, "\(uri): \(String(decoding: r.body, as: UTF8.self))")
            return String(decoding: r.body, as: UTF8.self)
        }
        func change(_ path: String, _ body: String) throws {
            let r = try RawClient(socket: d.socket).raw("POST", path, body: Data(body.utf8))
            #expect(r.status == 200, "\(path) \(body): \(String(decoding: r.body, as: UTF8.self))")
        }
        let id = "semiannual-report/gd.gz/2026-H2"
        let done = "/v1/occurrences/upcoming?unit=gd.gz&within=60d&\(at)&state[]=done"
        let waived = "/v1/occurrences/upcoming?unit=gd.gz&within=60d&\(at)&state[]=waived"
        func doneCount() throws -> Int {
            let summary = try ask("/v1/summary?unit=gd.gz&depth=0&\(at)")
            let json = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any]
            let tally = (json?["node"] as? [String: Any])?["tally"] as? [String: Any]
            return tally?["done"] as? Int ?? -1
        }
        var misses = 0
        for round in 0..<10 {
            try change("/v1/done", #"{"occurrence":"\#(id)","on":"2026-11-30"}"#)
            if !(try ask(done)).contains(id) { misses += 1 }
            if try doneCount() != 1 { misses += 1 }
            try change("/v1/undo", #"{"occurrence":"\#(id)"}"#)
            if (try ask(done)).contains(id) { misses += 1 }
            if try doneCount() != 0 { misses += 1 }
            try change("/v1/waive", #"{"occurrence":"\#(id)","reason":"合并召开 \#(round)"}"#)
            if !(try ask(waived)).contains(id) { misses += 1 }
            try change("/v1/undo", #"{"occurrence":"\#(id)"}"#)
            if (try ask(waived)).contains(id) { misses += 1 }
        }
        try change("/v1/events", #"{"kind":"major-situation","unit":"gd.sz","id":"rw-1","on":"2026-12-01"}"#)
        let triggered = try ask("/v1/occurrences/upcoming?unit=gd.sz&within=30d&\(at)")
        if !triggered.contains("major-situation-report/gd.sz/rw-1") { misses += 1 }
        // id,name,kind,parent,email / gd.gz.t8,测试,committee,gd.gz,
        let csv = Data("id,name,kind,parent,email\ngd.gz.t8,测试,committee,gd.gz,\n".utf8).base64EncodedString()
        try change("/v1/units/import", #"{"file":"x.csv","data":"\#(csv)"}"#)
        if !(try ask("/v1/units?under=gd.gz")).contains("gd.gz.t8") { misses += 1 }
        if !(try ask("/v1/summary?unit=gd.gz&\(at)")).contains(#""unit":"gd.gz.t8""#) { misses += 1 }
        stop.store(true, ordering: .relaxed)
        #expect(misses == 0, "\(misses) questions did not show the change just made")
        #expect(asked.load(ordering: .relaxed) > 20, "the load asked only \(asked.load(ordering: .relaxed)) questions")
        #expect(APITests.stop(p) == 0)
    }
}
