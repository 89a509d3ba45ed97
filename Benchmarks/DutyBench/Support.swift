import DutyCalendar
import DutyCore
import DutyDaemon
import DutyFiles
import DutyOperations
import DutyQueries
import DutyStore
import Foundation

/// A small seeded generator, so every run measures the same inputs.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[int(0...(xs.count - 1))] }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) / 10_000 < p }
}

func best(_ runs: Int = 3, _ body: () -> (Duration, Int)) -> Double {
    var bestNs = Double.infinity
    for _ in 0..<runs {
        let (d, n) = body()
        let ns = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
        bestNs = min(bestNs, ns / Double(max(n, 1)))
    }
    return bestNs
}

func report(_ name: String, _ value: Double, _ unit: String) {
    print("bench \(name) \(value < 10 ? String(format: "%.2f", value) : String(Int(value.rounded()))) \(unit)")
}

/// Imports `folder`'s units.csv and officials.csv into `store`, as `dutyctl unit import` and
/// `dutyctl official import` do.
func importOrganisation(from folder: String, into store: DutyStore, policy: Policy, addedOn: CivilDate) throws {
    _ = try store.importUnits(
        try OrganisationCSV.units(
            Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/units.csv"))),
            file: "units.csv",
            policy: policy,
            addedOn: addedOn
        ).map(\.value),
        replace: false
    )
    _ = try store.importOfficials(
        try OrganisationCSV.officials(
            Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/officials.csv"))),
            file: "officials.csv",
            policy: policy
        ).map(\.value),
        replace: false
    )
}
