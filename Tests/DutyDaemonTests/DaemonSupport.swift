import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyNotify
import DutyOperations
import DutyQueries
import DutyStore
import DutyTestSupport
import Foundation
import Logging
import Synchronization

/// A channel that keeps what it was given and answers as told: the scheduler tests look at what the
/// dispatcher decided. The journal channel itself is tested against the real journald in dutydTests.
final class RecordingChannel: Channel {
    let name: String
    let perRecipient: Bool
    private let state = Mutex<(delivered: [Notice], answer: Delivery)>(([], .sent))
    /// Called before each batch is delivered (a test looks at the ledger then).
    let onDeliver = Mutex<(@Sendable () -> Void)?>(nil)

    init(name: String = "journal", perRecipient: Bool = false) {
        self.name = name
        self.perRecipient = perRecipient
    }

    var delivered: [Notice] { state.withLock { $0.delivered } }
    func answer(_ d: Delivery) { state.withLock { $0.answer = d } }
    func clear() { state.withLock { $0.delivered.removeAll() } }

    func deliver(
        _ batch: [(notification: Notice, recipient: Notice.Person?)],
        report: @escaping DeliveryReport
    ) async -> [Delivery] {
        onDeliver.withLock { $0 }?()
        return state.withLock { s in
            s.delivered.append(contentsOf: batch.map(\.notification))
            return Array(repeating: s.answer, count: batch.count)
        }
    }
}

/// A wall clock the test sets and a steady clock the test advances: sleepers wake when steady time
/// reaches them, and the wall clock can jump on its own, as NTP or an administrator makes it.
final class ManualClock: SchedulerClock {
    private struct State {
        var wall: Instant
        var steady: Double = 0
        var next = 0
        var sleepers: [Int: (until: Double, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var requested: [Double] = []
    }
    private let state: Mutex<State>

    init(_ wall: Instant) { state = Mutex(State(wall: wall)) }

    func now() -> Instant { state.withLock { $0.wall } }
    /// Every sleep the scheduler asked for, in seconds.
    var requested: [Double] { state.withLock { $0.requested } }
    var sleeping: Int { state.withLock { $0.sleepers.count } }

    func sleep(seconds: Double) async throws {
        let id = state.withLock { s -> Int in
            s.next += 1
            return s.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                state.withLock { s in
                    s.requested.append(seconds)
                    s.sleepers[id] = (s.steady + seconds, c)
                }
            }
        } onCancel: {
            let c = state.withLock { $0.sleepers.removeValue(forKey: id)?.continuation }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Both clocks move on by `seconds`; sleepers whose time has come wake.
    func advance(by seconds: Double) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.steady += seconds
            s.wall = Instant(microseconds: s.wall.microseconds + Int(seconds * 1_000_000))
            let ready = s.sleepers.filter { $0.value.until <= s.steady }
            for k in ready.keys { s.sleepers.removeValue(forKey: k) }
            return ready.map(\.value.continuation)
        }
        for c in due { c.resume() }
    }

    /// Only the wall clock moves.
    func jump(by seconds: Int) {
        state.withLock { $0.wall = Instant(microseconds: $0.wall.microseconds + seconds * 1_000_000) }
    }

    /// Waits until the scheduler is asleep (it has finished what it was doing); fails after 120 s (a
    /// proof, so a long bound costs nothing when it comes: the full suite on two cores can keep the
    /// scheduler's tasks waiting for tens of seconds).
    func waitForSleeper() async throws {
        try await waitUntil("the scheduler to sleep", poll: 0.001) { sleeping > 0 }
    }
}

/// The example configuration in a temporary folder, with its own state store, every unit tracked from
/// 1 January 2026 so that the year's duties are all live.
struct DaemonFixture {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let folder: URL
    let configPath: String

    /// `extraUnits` generated units under 番禺区委, each with a clerk; `settings` is added to the
    /// settings file (an `[email]` table, hooks).
    init(policy: String? = nil, extraUnits: Int = 0, settings extra: String = "") throws {
        folder = scratchDirectory.appendingPathComponent("dutyd-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let policyPath = policy ?? Self.repo.appendingPathComponent("config/policy").path
        let settings = """
            timezone = "Asia/Shanghai"
            state = "\(folder.path)/dutyd.sqlite"
            policy = ["\(policyPath)"]
            holidays = ["\(Self.repo.appendingPathComponent("config/holidays/cn").path)"]
            track_from = "2026-01-01"

            """ + extra
        configPath = folder.appendingPathComponent("dutyd.toml").path
        try settings.write(toFile: configPath, atomically: true, encoding: .utf8)
        let workspace = try Workspace.load(try Settings.load(path: configPath))
        let store = try workspace.openStore()
        let (unitsCSV, officialsCSV) = try exampleOrganisationCSV(extraUnits: extraUnits)
        let units = try OrganisationCSV.units(
            Array(unitsCSV.utf8),
            file: "units.csv",
            policy: workspace.policy,
            addedOn: CivilDate(iso: "2026-11-01")!
        )
        _ = try store.importUnits(units.map(\.value), replace: false)
        let officials = try OrganisationCSV.officials(
            Array(officialsCSV.utf8),
            file: "officials.csv",
            policy: workspace.policy
        )
        _ = try store.importOfficials(officials.map(\.value), replace: false)
    }

    func dispatcher(_ channel: RecordingChannel, now: Instant) throws -> Dispatcher {
        let workspace = try Workspace.load(try Settings.load(path: configPath))
        return try Dispatcher(
            workspace: workspace,
            store: try workspace.openStore(),
            channels: [channel],
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
            now: now
        )
    }

    func store() throws -> DutyStore {
        try DutyStore(path: folder.appendingPathComponent("dutyd.sqlite").path)
    }
}

func at(_ iso: String) -> Instant { Instant(iso: iso)! }
