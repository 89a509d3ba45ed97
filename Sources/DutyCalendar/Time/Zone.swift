import Foundation
import Synchronization

/// An IANA time zone reduced to what date arithmetic needs: its offset transitions from 1900 to 2500,
/// read once from Foundation's `TimeZone` and cached, then searched in a sorted array.
///
/// ```swift
/// let shanghai = Zone.named("Asia/Shanghai")!
/// shanghai.offset(atSecond: 1_798_732_800)          // 28800
/// shanghai.instant(forLocalSecond: l)               // local wall clock -> UTC seconds
/// ```
///
/// Local times that do not exist (a spring-forward gap) or occur twice (a fall-back overlap) resolve
/// with the offset in force before the transition, as glibc's `mktime` does: 02:30 in New York's gap
/// becomes 03:30 EDT, and 01:30 on the fall-back day is the first (EDT) 01:30.
package final class Zone: Sendable, Hashable, CustomStringConvertible {
    /// The name as the user wrote it (`Asia/Shanghai`, `UTC`).
    package let identifier: String
    /// UTC seconds of each transition, ascending.
    private let transitions: [Int]
    /// The offset in force from `transitions[i]` on.
    private let offsetsAfter: [Int]
    /// Whether the zone database calls the time from `transitions[i]` on daylight-saving time.
    private let dstAfter: [Bool]
    /// The offset before the first transition.
    private let initialOffset: Int
    private let initialDST: Bool
    /// Local seconds where each transition's ambiguous or missing stretch begins and ends.
    private let windowStart: [Int]
    private let windowEnd: [Int]
    /// glibc's `tzname`: the standard and daylight abbreviations (see `tzname(forZoneFile:)`).
    package let abbreviations: [String]

    package static let utc = Zone(identifier: "UTC", fixedOffset: 0)

    /// A zone that is always `offset` seconds east of UTC, named like `+08:00`.
    package static func fixed(offsetSeconds offset: Int) -> Zone {
        offset == 0 ? .utc : Zone(identifier: formatOffset(offset), fixedOffset: offset)
    }

    private init(identifier: String, fixedOffset: Int) {
        self.identifier = identifier
        self.transitions = []
        self.offsetsAfter = []
        self.dstAfter = []
        self.initialOffset = fixedOffset
        self.initialDST = false
        self.windowStart = []
        self.windowEnd = []
        self.abbreviations = [identifier, identifier]
    }

    private init(identifier: String, timeZone: TimeZone) {
        self.identifier = identifier
        let from = Date(timeIntervalSince1970: -2_208_988_800)  // 1900-01-01
        let until = 16_725_225_600.0  // 2500-01-01
        var ts: [Int] = []
        var offs: [Int] = []
        var dst: [Bool] = []
        var cursor = from
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next.timeIntervalSince1970 < until {
            ts.append(Int(next.timeIntervalSince1970.rounded()))
            offs.append(timeZone.secondsFromGMT(for: next))
            dst.append(timeZone.isDaylightSavingTime(for: next))
            cursor = next
        }
        let initial = timeZone.secondsFromGMT(for: from)
        var starts: [Int] = []
        var ends: [Int] = []
        for i in ts.indices {
            let before = i == 0 ? initial : offs[i - 1]
            starts.append(ts[i] + min(before, offs[i]))
            ends.append(ts[i] + max(before, offs[i]))
        }
        self.transitions = ts
        self.offsetsAfter = offs
        self.dstAfter = dst
        self.initialOffset = initial
        self.initialDST = timeZone.isDaylightSavingTime(for: from)
        self.windowStart = starts
        self.windowEnd = ends
        self.abbreviations =
            Zone.tzname(forZoneFile: Zone.zoneDirectory + "/" + identifier) ?? [identifier, identifier]
    }

    static var zoneDirectory: String { ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo" }

    private static let cache = Mutex<[String: Zone]>([:])

    /// The zone of that IANA name, or `nil` when the system's zone database does not know it.
    /// `UTC` (any case) is UTC. Results are cached for the life of the process.
    package static func named(_ name: String) -> Zone? {
        if name.uppercased() == "UTC" { return .utc }
        if let z = cache.withLock({ $0[name] }) { return z }
        guard isPlausibleZoneName(name), let tz = TimeZone(identifier: name) else { return nil }
        let zone = Zone(identifier: name, timeZone: tz)
        cache.withLock { $0[name] = zone }
        return zone
    }

    /// Names as the zone database spells them: `Area/Location`, `UTC`, `Etc/GMT+8`, `EST5EDT`. Foundation
    /// alone would also accept `GMT+8` (with the opposite sign to `Etc/GMT+8`) and other spellings no
    /// tzdata file has; those are refused so that the offset never surprises.
    private static func isPlausibleZoneName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count < 128, !name.hasPrefix("/"), !name.contains("..") else { return false }
        for c in name.utf8 {
            let ok =
                (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 47 || c == 95 || c == 45
                || c == 43
            if !ok { return false }
        }
        if name.hasPrefix("GMT+") || name.hasPrefix("GMT-") { return false }
        return FileManager.default.fileExists(atPath: zoneDirectory + "/" + name)
    }

    /// Whether the offset ever changes between 1900 and 2500.
    package var isFixed: Bool { transitions.isEmpty }

    /// The number of transitions at or before UTC second `s` (0: before the first).
    @inline(__always)
    private func transitionsUpTo(_ s: Int) -> Int {
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if transitions[mid] <= s { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Seconds east of UTC at that UTC second.
    @inline(__always)
    package func offset(atSecond s: Int) -> Int {
        if transitions.isEmpty { return initialOffset }
        let n = transitionsUpTo(s)
        return n == 0 ? initialOffset : offsetsAfter[n - 1]
    }

    /// Whether daylight-saving time is in force at that UTC second (`tm_isdst`).
    @inline(__always)
    package func isDaylightSavingTime(atSecond s: Int) -> Bool {
        if transitions.isEmpty { return initialDST }
        let n = transitionsUpTo(s)
        return n == 0 ? initialDST : dstAfter[n - 1]
    }

    /// How a local second maps to UTC: once, not at all (a gap) or twice (an overlap), with the offsets
    /// before and after the transition concerned.
    package enum LocalResolution {
        case unique(offset: Int)
        case gap(before: Int, after: Int)
        case overlap(before: Int, after: Int)
    }

    @inline(__always)
    package func resolution(forLocalSecond l: Int) -> LocalResolution {
        if transitions.isEmpty { return .unique(offset: initialOffset) }
        let (k, inWindow) = locate(l)
        if k < 0 { return .unique(offset: initialOffset) }
        if !inWindow { return .unique(offset: offsetsAfter[k]) }
        let before = k == 0 ? initialOffset : offsetsAfter[k - 1]
        return offsetsAfter[k] > before
            ? .gap(before: before, after: offsetsAfter[k]) : .overlap(before: before, after: offsetsAfter[k])
    }

    /// Local seconds (wall clock) at that UTC second.
    @inline(__always)
    package func localSecond(forInstant s: Int) -> Int { s + offset(atSecond: s) }

    /// The local day an instant falls on.
    package func day(of instant: Instant) -> CivilDate {
        CivilDate(daysSinceEpoch: floorDivMod(localSecond(forInstant: instant.seconds), 86_400).0)
    }

    /// The instant `second` seconds into local `day` (mktime-style: a skipped time moves forward, a
    /// repeated one is taken the first time). `second` may be 86,400 for the start of the next day.
    package func instant(on day: CivilDate, second: Int = 0) -> Instant {
        Instant(seconds: instant(forLocalSecond: day.daysSinceEpoch * 86_400 + second))
    }

    /// The transition whose gap or overlap holds local second `l`, if any, and the index of the last
    /// transition whose stretch starts at or before `l`.
    @inline(__always)
    private func locate(_ l: Int) -> (index: Int, inWindow: Bool) {
        var lo = 0
        var hi = windowStart.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if windowStart[mid] <= l { lo = mid + 1 } else { hi = mid }
        }
        let k = lo - 1
        return (k, k >= 0 && l < windowEnd[k])
    }

    /// A stretch of local time in which the zone keeps one offset and every local second exists once.
    package struct Period: Sendable {
        /// First local second of the stretch.
        package var localStart: Int
        /// First local second after it.
        package var localEnd: Int
        package var offset: Int
        package var isDST: Bool

        package static let empty = Period(localStart: 1, localEnd: 0, offset: 0, isDST: false)
        @inline(__always) package func contains(_ l: Int) -> Bool { l >= localStart && l < localEnd }
    }

    /// The stretch around local second `l` with a single offset, or `nil` when `l` lies in a gap or
    /// an overlap. Callers cache it to skip the search for the next local times they convert.
    package func period(containingLocal l: Int) -> Period? {
        if transitions.isEmpty {
            return Period(localStart: .min, localEnd: .max, offset: initialOffset, isDST: initialDST)
        }
        let (k, inWindow) = locate(l)
        if inWindow { return nil }
        let end = k + 1 < windowStart.count ? windowStart[k + 1] : .max
        if k < 0 { return Period(localStart: .min, localEnd: end, offset: initialOffset, isDST: initialDST) }
        return Period(localStart: windowEnd[k], localEnd: end, offset: offsetsAfter[k], isDST: dstAfter[k])
    }

    /// The UTC second for local second `l`, resolving gaps and overlaps with the offset in force before
    /// the transition (glibc `mktime` with `tm_isdst = -1`).
    @inline(__always)
    package func instant(forLocalSecond l: Int) -> Int {
        switch resolution(forLocalSecond: l) {
        case .unique(let offset): l - offset
        case .gap(let before, _), .overlap(let before, _): l - before
        }
    }

    /// The UTC second for local second `l`, `nil` when the wall clock skips it (a DST gap). A time that
    /// occurs twice gives the first of the two.
    @inline(__always)
    package func strictInstant(forLocalSecond l: Int) -> Int? {
        switch resolution(forLocalSecond: l) {
        case .unique(let offset): l - offset
        case .gap: nil
        case .overlap(let before, _): l - before
        }
    }

    package var description: String { identifier }

    package static func == (a: Zone, b: Zone) -> Bool { a.identifier == b.identifier }
    package func hash(into h: inout Hasher) { h.combine(identifier) }
}
