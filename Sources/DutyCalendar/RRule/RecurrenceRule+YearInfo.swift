/// The per-year tables dateutil's `_iterinfo` keeps: month of each day, day of month (counted from
/// the start and from the end), weekday, week-number and nth-weekday masks.
struct YearInfo {
    var year = Int.min
    var month = Int.min
    var yearLength = 365
    var nextYearLength = 365
    var yearStart = 0
    var yearWeekday = 0
    var monthRange: [Int] = YearInfo.range365
    var leap = false
    var weekNumberMask: [Bool] = []
    /// The days BYDAY's ordinals (2TU, -1FR) pick in this period, when there are ordinals.
    var nthWeekdayDays: [Int] = []
    var hasNthWeekday = false

    /// This year's tables (the 365- or 366-day version).
    var monthTable: [Int8] = YearInfo.month365
    var mdayTable: [Int8] = YearInfo.mday365
    var nmdayTable: [Int8] = YearInfo.nmday365

    @inline(__always) func weekday(_ i: Int) -> Int { (yearWeekday + i) % 7 }
    @inline(__always) func monthOf(_ i: Int) -> Int { Int(monthTable[i]) }
    @inline(__always) func monthDay(_ i: Int) -> Int { Int(mdayTable[i]) }
    @inline(__always) func negativeMonthDay(_ i: Int) -> Int { Int(nmdayTable[i]) }

    mutating func rebuild(year y: Int, month m: Int, _ e: RecurrenceExpander) {
        if y != year {
            leap = CivilDate.isLeapYear(y)
            yearLength = leap ? 366 : 365
            nextYearLength = CivilDate.isLeapYear(y + 1) ? 366 : 365
            yearStart = CivilDate.daysFromCivil(year: y, month: 1, day: 1)
            yearWeekday = Weekday(daysSinceEpoch: yearStart).rawValue - 1
            monthRange = leap ? YearInfo.range366 : YearInfo.range365
            monthTable = leap ? YearInfo.month366 : YearInfo.month365
            mdayTable = leap ? YearInfo.mday366 : YearInfo.mday365
            nmdayTable = leap ? YearInfo.nmday366 : YearInfo.nmday365
            if !e.byWeekNo.isEmpty { buildWeekNumbers(y, e) }
        }
        if !e.byNWeekday.isEmpty && (m != month || y != year) {
            var ranges: [(Int, Int)] = []
            if e.freq == .yearly {
                if !e.byMonth.isEmpty {
                    for mo in 1...12 where e.byMonth[mo] { ranges.append((monthRange[mo - 1], monthRange[mo])) }
                } else {
                    ranges = [(0, yearLength)]
                }
            } else if e.freq == .monthly {
                ranges = [(monthRange[m - 1], monthRange[m])]
            }
            nthWeekdayDays.removeAll(keepingCapacity: true)
            hasNthWeekday = !ranges.isEmpty
            if !ranges.isEmpty {
                for (first, endExclusive) in ranges {
                    let last = endExclusive - 1
                    for (wd, n) in e.byNWeekday {
                        var i: Int
                        if n < 0 {
                            i = last + (n + 1) * 7
                            i -= floorMod(weekday(i) - wd, 7)
                        } else {
                            i = first + (n - 1) * 7
                            i += floorMod(7 - weekday(i) + wd, 7)
                        }
                        if first <= i && i <= last { nthWeekdayDays.append(i) }
                    }
                }
            }
        }
        year = y
        month = m
    }

    private mutating func buildWeekNumbers(_ y: Int, _ e: RecurrenceExpander) {
        weekNumberMask = [Bool](repeating: false, count: yearLength + 7)
        let wkst = e.wkst
        var no1wkst = floorMod(7 - yearWeekday + wkst, 7)
        let firstwkst = no1wkst
        let wyearlen: Int
        if no1wkst >= 4 {
            no1wkst = 0
            wyearlen = yearLength + floorMod(yearWeekday - wkst, 7)
        } else {
            wyearlen = yearLength - no1wkst
        }
        let numweeks = wyearlen / 7 + (wyearlen % 7) / 4
        for var n in e.byWeekNo {
            if n < 0 { n += numweeks + 1 }
            if !(0 < n && n <= numweeks) { continue }
            var i: Int
            if n > 1 {
                i = no1wkst + (n - 1) * 7
                if no1wkst != firstwkst { i -= 7 - firstwkst }
            } else {
                i = no1wkst
            }
            for _ in 0..<7 {
                weekNumberMask[i] = true
                i += 1
                if weekday(i) == wkst { break }
            }
        }
        if e.byWeekNo.contains(1) {
            var i = no1wkst + numweeks * 7
            if no1wkst != firstwkst { i -= 7 - firstwkst }
            if i < yearLength {
                for _ in 0..<7 {
                    weekNumberMask[i] = true
                    i += 1
                    if weekday(i) == wkst { break }
                }
            }
        }
        if no1wkst != 0 {
            var lnumweeks: Int
            if !e.byWeekNo.contains(-1) {
                let lyearweekday =
                    Weekday(daysSinceEpoch: CivilDate.daysFromCivil(year: y - 1, month: 1, day: 1)).rawValue - 1
                var lno1wkst = floorMod(7 - lyearweekday + wkst, 7)
                let lyearlen = CivilDate.daysInYear(y - 1)
                if lno1wkst >= 4 {
                    lno1wkst = 0
                    lnumweeks = 52 + floorMod(lyearlen + floorMod(lyearweekday - wkst, 7), 7) / 4
                } else {
                    lnumweeks = 52 + floorMod(yearLength - no1wkst, 7) / 4
                }
            } else {
                lnumweeks = -1
            }
            if e.byWeekNo.contains(lnumweeks) {
                for i in 0..<no1wkst { weekNumberMask[i] = true }
            }
        }
    }

    /// Whether a BYxxx part strikes day `i` of the period.
    @inline(__always)
    func excludes(_ i: Int, _ e: RecurrenceExpander) -> Bool {
        if !e.byMonth.isEmpty && !e.byMonth[monthOf(i)] { return true }
        if !e.byWeekNo.isEmpty && !weekNumberMask[i] { return true }
        if let w = e.byWeekday, !w[weekday(i)] { return true }
        if hasNthWeekday && !nthWeekdayDays.contains(i) { return true }
        if e.hasMonthDay && !e.byMonthDay[monthDay(i)] && !e.byNMonthDay[-negativeMonthDay(i)] {
            return true
        }
        if e.hasYearDay {
            let (a, b) =
                i < yearLength ? (i + 1, -yearLength + i) : (i + 1 - yearLength, -nextYearLength + i - yearLength)
            if !e.byYearDay[366 + a] && !(b >= -366 && e.byYearDay[366 + b]) { return true }
        }
        return false
    }

    static let range366 = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366]
    static let range365 = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
    private static let lengths366 = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    private static let lengths365 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// Month of each day of the year, then 7 days of the next January.
    static let month366: [Int8] = table(lengths366) { month, _, _ in month }
    static let month365: [Int8] = table(lengths365) { month, _, _ in month }
    static let mday366: [Int8] = table(lengths366) { _, day, _ in day }
    static let mday365: [Int8] = table(lengths365) { _, day, _ in day }
    static let nmday366: [Int8] = table(lengths366) { _, day, len in day - len - 1 }
    static let nmday365: [Int8] = table(lengths365) { _, day, len in day - len - 1 }

    private static func table(_ lengths: [Int], _ f: (Int, Int, Int) -> Int) -> [Int8] {
        var t: [Int8] = []
        for (m, len) in lengths.enumerated() {
            for d in 1...len { t.append(Int8(f(m + 1, d, len))) }
        }
        for d in 1...7 { t.append(Int8(f(1, d, 31))) }
        return t
    }
}
