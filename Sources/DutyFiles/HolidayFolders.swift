package import DutyCalendar
import Foundation

extension WorkingDayCalendar {
    /// Reads every `YYYY.json` and `YYYY.ics` in the folders, in order, and builds the calendar from
    /// them (`load(folders:)`: which file wins for a year).
    package static func load(directories: [String]) throws(CalendarError) -> WorkingDayCalendar {
        var folders: [[HolidayFile]] = []
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
            var files: [HolidayFile] = []
            for name in names where holidayYear(fileName: name) != nil {
                let path = (dir as NSString).appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CalendarError(.invalidHolidayData, "cannot read the file; check its permissions", file: path)
                }
                files.append(HolidayFile(name: name, path: path, bytes: [UInt8](data)))
            }
            folders.append(files)
        }
        return try load(folders: folders)
    }
}
