import Foundation

extension Zone {
    /// glibc's `tzname` after `tzset()` for this zone: the abbreviation of the standard-time type and of
    /// the daylight-time type most recently transitioned to in the zone file (`["CST", "CDT"]` for
    /// Asia/Shanghai, `["EST", "EDT"]` for America/New_York). systemd accepts either at the end of a
    /// calendar expression as "this zone, in standard (or daylight) time".
    static func tzname(forZoneFile path: String) -> [String]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let b = [UInt8](data)
        func be32(_ i: Int) -> Int {
            guard i + 4 <= b.count else { return 0 }
            return Int(
                Int32(
                    bitPattern: UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
                )
            )
        }
        guard b.count >= 44, b.starts(with: Array("TZif".utf8)) else { return nil }
        // Header counts: isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt.
        var header = 0
        var timeSize = 4
        func counts(_ h: Int) -> [Int] { (0..<6).map { be32(h + 20 + 4 * $0) } }
        var c = counts(header)
        if b[4] >= UInt8(ascii: "2") {
            // Skip the version 1 block to the 64-bit one.
            let v1 = c[3] * 4 + c[3] + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]
            header = 44 + v1
            timeSize = 8
            guard header + 44 <= b.count else { return nil }
            c = counts(header)
        }
        let (leapcnt, timecnt, typecnt, charcnt) = (c[2], c[3], c[4], c[5])
        let indices = header + 44 + timecnt * timeSize
        let types = indices + timecnt
        let chars = types + typecnt * 6
        guard typecnt > 0, chars + charcnt <= b.count, leapcnt >= 0 else { return nil }
        func abbreviation(_ type: Int) -> String {
            let start = chars + Int(b[types + type * 6 + 5])
            var end = start
            while end < chars + charcnt && b[end] != 0 { end += 1 }
            return String(decoding: b[start..<end], as: UTF8.self)
        }
        func isDST(_ type: Int) -> Int { Int(b[types + type * 6 + 4]) }
        var names: [String?] = [nil, nil]
        var i = timecnt
        while i > 0 {
            i -= 1
            let type = Int(b[indices + i])
            guard type < typecnt else { continue }
            let dst = isDST(type) != 0 ? 1 : 0
            if names[dst] == nil {
                names[dst] = abbreviation(type)
                if names[1 - dst] != nil { break }
            }
        }
        if names[0] == nil { names[0] = abbreviation(0) }
        if names[1] == nil { names[1] = names[0] }
        return [names[0]!, names[1]!]
    }
}
