extension WorkingDayCalendar {
    /// A holiday file as read from a folder: its name (`2026.json`, `2026.ics`), the path that error
    /// messages name, and its bytes. Reading folders is the caller's (DutyService's `load(directories:)`);
    /// this target only parses.
    package struct HolidayFile: Sendable {
        package var name: String
        package var path: String
        package var bytes: [UInt8]

        package init(name: String, path: String, bytes: [UInt8]) {
            self.name = name
            self.path = path
            self.bytes = bytes
        }
    }

    /// The year and kind of a holiday file by its name, or `nil` for other files (LICENSE, NOTICE,
    /// schema.json), which are ignored.
    package static func holidayYear(fileName: String) -> (year: Int, isJSON: Bool)? {
        let parts = fileName.split(separator: ".")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]),
            ["json", "ics"].contains(parts[1].lowercased())
        else { return nil }
        return (year, parts[1].lowercased() == "json")
    }

    /// The calendar from the files of several folders, in order. For one year a JSON file wins over
    /// an ICS file in the same folder, and a later folder wins over an earlier one, so an
    /// administrator's folder listed after the shipped one can correct or add a year.
    package static func load(folders: [[HolidayFile]]) throws(CalendarError) -> WorkingDayCalendar {
        var byYear: [Int: HolidaySchedule] = [:]
        for files in folders {
            var found: [Int: HolidaySchedule] = [:]
            for file in files.sorted(by: { $0.name < $1.name }) {
                guard let (year, isJSON) = holidayYear(fileName: file.name) else { continue }
                let schedule =
                    isJSON
                    ? try HolidaySchedule.parseJSON(file.bytes, source: file.path, expectedYear: year)
                    : try HolidaySchedule.parseICS(file.bytes, source: file.path, year: year)
                if isJSON || found[year] == nil { found[year] = schedule }
            }
            byYear.merge(found) { _, new in new }
        }
        return WorkingDayCalendar(schedules: Array(byYear.values))
    }
}
