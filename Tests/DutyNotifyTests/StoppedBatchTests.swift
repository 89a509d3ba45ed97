import DutyCalendar
import DutyNotify
import DutyTestScoping
import DutyTestSupport
import Foundation
import Synchronization
import Testing

/// The dispatcher stops a batch (it cancels the perform) when SIGTERM comes or when a delivery that
/// went out cannot be recorded as sent; from then on a channel starts nothing more, so that what
/// goes out unrecorded is the one delivery in flight. Here the stop comes from the report of the
/// first delivery, as the dispatcher's does when the ledger cannot be written.
@Suite(.ownThreads) struct StoppedBatchTests {
    let zone = Zone.named("Asia/Shanghai")!

    static func batch(_ count: Int) -> [(notification: Notice, recipient: Notice.Person?)] {
        (0..<count).map { k in (sampleNotice(unit: "gd.unit\(k)"), nil) }
    }

    /// Delivers `batch` through `channel`, stopping the batch at the first report; the reports told.
    static func stopAtFirstReport(
        _ channel: some Channel,
        _ batch: [(notification: Notice, recipient: Notice.Person?)]
    ) async -> (results: [Delivery], reported: Int) {
        let reported = Mutex(0)
        // A task of its own, as the scheduler's perform is: the report cancels it, not the test.
        let perform = Task {
            await channel.deliver(batch) { items, _ in
                reported.withLock { $0 += items.count }
                withUnsafeCurrentTask { $0?.cancel() }
            }
        }
        let results = await perform.value
        #expect(perform.isCancelled)
        return (results, reported.withLock { $0 })
    }

    @Test("the journal writes no entry after its batch is stopped; the rest is left for the next perform")
    func journal() async {
        let (results, reported) = await Self.stopAtFirstReport(
            JournalChannel(journal: Journal(mode: .stderr), zone: zone),
            Self.batch(5)
        )
        #expect(reported == 1)
        #expect(results == [.sent] + Array(repeating: stoppingDelivery, count: 4))
    }

    @Test("a hook runs no command after its batch is stopped")
    func hook() async throws {
        let folder = scratchDirectory.appendingPathComponent("dutyd-stopped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("hook.sh").path
        try writeExecutable("#!/bin/sh\necho \"$DUTY_UNIT\" >> '\(folder.path)/runs'\n".utf8, to: script)
        var settings = HookSettings(name: "test", command: [script], events: [])
        settings.concurrency = 1
        let (results, reported) = await Self.stopAtFirstReport(
            HookChannel(hook: settings, journal: Journal(mode: .stderr), zone: zone),
            Self.batch(5)
        )
        let runs = try String(contentsOfFile: "\(folder.path)/runs", encoding: .utf8)
        #expect(runs == "gd.unit0\n")
        #expect(reported == 1)
        #expect(results == [.sent] + Array(repeating: stoppingDelivery, count: 4))
    }
}
