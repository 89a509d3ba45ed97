import Foundation

/// Next year's first half-year, whose deadlines (30 June) are always months ahead of the wall clock:
/// what the tests that need a deadline still open (an extension request) use, whatever day they run.
package enum NextYear {
    package static let year = Calendar(identifier: .gregorian).component(.year, from: Date()) + 1

    /// `semiannual-report/UNIT/YYYY-H1`.
    package static func semiannualReport(_ unit: String) -> String { "semiannual-report/\(unit)/\(year)-H1" }

    /// A weekday in early July of that year (no Chinese holiday falls then).
    package static let earlyJulyWeekday: String = {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let day = (6...12).first {
            !utc.isDateInWeekend(utc.date(from: DateComponents(year: year, month: 7, day: $0))!)
        }!
        return "\(year)-07-\(day < 10 ? "0" : "")\(day)"
    }()

    /// A weekend day in early July of that year.
    package static let earlyJulyWeekend: String = {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let day = (6...12).first {
            utc.isDateInWeekend(utc.date(from: DateComponents(year: year, month: 7, day: $0))!)
        }!
        return "\(year)-07-\(day < 10 ? "0" : "")\(day)"
    }()
}
