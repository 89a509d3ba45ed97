import CProcess
package import DutyCalendar
package import DutyCore
package import DutyOperations
package import DutyQueries
package import DutyStore
import Foundation

/// The planner and the records the running daemon keeps between changes, shared by the scheduler
/// and the API's questions. One copy of the organisation: at a million units a planner holds about
/// 700 MB, and a second one for the questions doubled dutyd's memory. Each is made again only when
/// its part of the store changed (`DutyStore.revisions`): a question reads the revision table first,
/// so it sees every change committed before it (read your writes) and pays nothing when none was.
package final class StateCache: @unchecked Sendable {
    package let workspace: Workspace
    package let store: DutyStore
    /// One lock per part, each serialising its making: questions that arrive together after a change
    /// wait for one planner rather than each building its own, and a question that needs only the
    /// planner does not wait for the records being read or the year being counted.
    private let plannerLock = NSLock()
    private let recordsLock = NSLock()
    private let tallyLock = NSLock()
    // Guarded by `plannerLock`.
    private var planner: (revision: Int, value: Planner)?
    // Guarded by `recordsLock`.
    private var records: (revision: Int, value: DutyRecords)?
    /// The year's tally for `summary`, at the revisions it was counted on. Guarded by `tallyLock`.
    private var tally: (revisions: [Revision: Int], value: YearTally)?

    package init(workspace: Workspace, store: DutyStore) {
        self.workspace = workspace
        self.store = store
    }

    /// The planner over the organisation at this revision (`revisions[.organisation]`).
    package func planner(revision: Int) throws(StoreError) -> Planner {
        plannerLock.lock()
        defer { plannerLock.unlock() }
        if let planner, planner.revision == revision { return planner.value }
        // Let go of the old one first (the questions under way and the scheduler may still hold it
        // until they are done with it; then it is freed).
        let replacing = planner != nil
        planner = nil
        let made = try workspace.planner(store)
        planner = (revision, made)
        // What the old organisation held goes back to the system (glibc keeps freed memory
        // otherwise: after a national import dutyd stayed at 1.5 GiB instead of 0.7).
        if replacing { StateCache.returnFreedMemory() }
        return made
    }

    /// The records at this revision (`revisions[.records]`).
    package func records(revision: Int) throws(StoreError) -> DutyRecords {
        recordsLock.lock()
        defer { recordsLock.unlock() }
        if let records, records.revision == revision { return records.value }
        records = nil
        let read = try store.records()
        records = (revision, read)
        return read
    }

    /// The year's tally at `at` on the store at `revisions`: counted again only when the store changed,
    /// `at` is in another year, or an occurrence changed state or colour since (`YearTally.validUntil`).
    package func yearTally(revisions: [Revision: Int], at: Instant) throws -> YearTally {
        let planner = try planner(revision: revisions[.organisation] ?? 0)
        let records = try records(revision: revisions[.records] ?? 0)
        tallyLock.lock()
        defer { tallyLock.unlock() }
        if let tally, tally.revisions == revisions, tally.value.validFrom <= at, at < tally.value.validUntil,
            tally.value.year == planner.zone.day(of: at).year
        {
            return tally.value
        }
        tally = nil
        let counted = try YearTally(planner: planner, records: records, at: at)
        tally = (revisions, counted)
        return counted
    }

    /// Gives the memory freed since the last time back to the system (`malloc_trim(3)`).
    package static func returnFreedMemory() {
        _ = duty_return_freed_memory()
    }
}
