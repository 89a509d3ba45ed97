/// A point on the time line: microseconds since 1970-01-01T00:00:00Z (UTC, no leap seconds).
package struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var microseconds: Int

    package init(microseconds: Int) { self.microseconds = microseconds }

    /// 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z, the instants four-digit years can write:
    /// every instant read from outside (`@EPOCH` included) lies here, so no arithmetic on one overflows.
    package static let representableSeconds: ClosedRange<Int> = -62_135_596_800...253_402_300_799
    package init(seconds: Int) { self.microseconds = seconds * 1_000_000 }

    /// Whole seconds since the epoch, rounded down.
    package var seconds: Int { floorDivMod(microseconds, 1_000_000).0 }
    /// The microseconds within the second, 0...999_999.
    package var microsecondOfSecond: Int { floorMod(microseconds, 1_000_000) }

    package static func < (a: Instant, b: Instant) -> Bool { a.microseconds < b.microseconds }

    package var description: String { format(in: .utc) }

    /// ISO 8601 with the zone's offset at that instant: `2026-12-31T00:00:00+08:00`; fractions appear only
    /// when the instant has them (`.500000`).
    package func format(in zone: Zone) -> String {
        let offset = zone.offset(atSecond: seconds)
        let local = LocalDateTime(localSecond: seconds + offset, microsecond: microsecondOfSecond)
        return local.description + formatOffset(offset)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    package var utcString: String {
        LocalDateTime(localSecond: seconds, microsecond: microsecondOfSecond).description + "Z"
    }
}

/// `+08:00`, `-05:00`, `+05:45`; an offset with seconds (old local mean times) prints them too.
package func formatOffset(_ offset: Int) -> String {
    let sign = offset < 0 ? "-" : "+"
    let a = abs(offset)
    var s = "\(sign)\(zeroPadded(a / 3600, 2)):\(zeroPadded(a / 60 % 60, 2))"
    if a % 60 != 0 { s += ":\(zeroPadded(a % 60, 2))" }
    return s
}

/// A wall-clock date and time with no zone attached.
package struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    package var date: CivilDate
    package var hour: Int
    package var minute: Int
    package var second: Int
    package var microsecond: Int

    package init(date: CivilDate, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        self.date = date
        self.hour = hour
        self.minute = minute
        self.second = second
        self.microsecond = microsecond
    }

    /// From seconds since 1970-01-01T00:00:00 on the local clock.
    package init(localSecond s: Int, microsecond: Int = 0) {
        let (days, rest) = floorDivMod(s, 86_400)
        self.init(
            date: CivilDate(daysSinceEpoch: days),
            hour: rest / 3600,
            minute: rest / 60 % 60,
            second: rest % 60,
            microsecond: microsecond
        )
    }

    /// Seconds since 1970-01-01T00:00:00 on the local clock.
    package var localSecond: Int { date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second }

    package static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.localSecond, a.microsecond) < (b.localSecond, b.microsecond)
    }

    /// `2026-12-31T09:00:00` (with `.ffffff` when there are microseconds).
    package var description: String {
        var s = "\(date)T\(zeroPadded(hour, 2)):\(zeroPadded(minute, 2)):\(zeroPadded(second, 2))"
        if microsecond != 0 { s += "." + zeroPadded(microsecond, 6) }
        return s
    }
}
