import Foundation

extension WorkingDayCalendar {
    /// Reads every `YYYY.json` and `YYYY.ics` in the folders, in order. For one year a JSON file wins
    /// over an ICS file in the same folder, and a later folder wins over an earlier one, so an
    /// administrator's folder listed after the shipped one can correct or add a year. Other files
    /// (LICENSE, NOTICE, schema.json) are ignored.
    package static func load(directories: [String]) throws(CalendarError) -> WorkingDayCalendar {
        var byYear: [Int: HolidaySchedule] = [:]
        for dir in directories {
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: dir)
            } catch {
                throw CalendarError(
                    .invalidHolidayData,
                    "cannot read the holidays folder: it does not exist or is not readable",
                    file: dir
                )
            }
            var found: [Int: HolidaySchedule] = [:]
            for name in names.sorted() {
                let parts = name.split(separator: ".")
                guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]),
                    ["json", "ics"].contains(parts[1].lowercased())
                else { continue }
                let path = (dir as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CalendarError(.invalidHolidayData, "cannot read the file; check its permissions", file: path)
                }
                let isJSON = parts[1].lowercased() == "json"
                let schedule =
                    isJSON
                    ? try HolidaySchedule.parseJSON([UInt8](data), source: path, expectedYear: year)
                    : try HolidaySchedule.parseICS([UInt8](data), source: path, year: year)
                if isJSON || found[year] == nil { found[year] = schedule }
            }
            byYear.merge(found) { _, new in new }
        }
        return WorkingDayCalendar(schedules: Array(byYear.values))
    }
}
