extension LocalDateTime {
    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]]` (a space may stand for `T`) and the basic
    /// form `YYYYMMDDTHHMMSS`. Returns the wall-clock time and the rest of the string (an offset or `Z`).
    package static func parsePrefix(_ text: String) -> (LocalDateTime, rest: Substring)? {
        let b = Array(text.utf8)
        var i = 0
        func num(_ n: Int) -> Int? {
            guard i + n <= b.count, let v = digits(b[i..<(i + n)]) else { return nil }
            i += n
            return v
        }
        func eat(_ c: Character) -> Bool {
            if i < b.count && b[i] == c.asciiValue! {
                i += 1
                return true
            }
            return false
        }
        guard let y = num(4) else { return nil }
        let extended = eat("-")
        guard let mo = num(2), !extended || eat("-"), let d = num(2), let date = CivilDate(year: y, month: mo, day: d)
        else { return nil }
        var t = LocalDateTime(date: date)
        if i < b.count && (b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t")) {
            i += 1
            guard let h = num(2), h < 24 else { return nil }
            let colon = eat(":")
            guard let mi = num(2), mi < 60 else { return nil }
            t.hour = h
            t.minute = mi
            if (colon && eat(":")) || (!colon && i < b.count && b[i] >= 48 && b[i] <= 57) {
                guard let s = num(2), s < 60 else { return nil }
                t.second = s
                if eat(".") || eat(",") {
                    var frac = 0
                    var n = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if n < 6 {
                            frac = frac * 10 + Int(b[i] - 48)
                            n += 1
                        }
                        i += 1
                    }
                    guard n > 0 else { return nil }
                    while n < 6 {
                        frac *= 10
                        n += 1
                    }
                    t.microsecond = frac
                }
            }
        }
        let rest = String(decoding: b[i...], as: UTF8.self)
        return (t, Substring(rest))
    }
}

extension Instant {
    /// Parses ISO 8601: `2026-11-29T00:00:00Z`, `2026-11-29T08:00:00+08:00`, `2026-11-29` and
    /// `2026-11-29T08:00` (local time in `zone`, a DST gap moving forward); `@EPOCH` seconds too.
    /// `nil` for anything else, and for an `@EPOCH` outside the years 1 to 9999.
    package init?(iso text: String, zone: Zone = .utc) {
        if text.hasPrefix("@") {
            guard let s = Int(text.dropFirst()), Instant.representableSeconds.contains(s) else { return nil }
            self.init(seconds: s)
            return
        }
        guard let (local, rest) = LocalDateTime.parsePrefix(text) else { return nil }
        let offset: Int?
        if rest.isEmpty {
            offset = nil
        } else if rest == "Z" || rest == "z" {
            offset = 0
        } else {
            let r = Array(rest.utf8)
            guard r[0] == UInt8(ascii: "+") || r[0] == UInt8(ascii: "-") else { return nil }
            let body = r[1...].filter { $0 != UInt8(ascii: ":") }
            guard body.count == 2 || body.count == 4, let v = digits(body[...]) else { return nil }
            let minutes = body.count == 2 ? v * 60 : (v / 100) * 60 + v % 100
            offset = (r[0] == UInt8(ascii: "-") ? -1 : 1) * minutes * 60
        }
        let seconds = offset.map { local.localSecond - $0 } ?? zone.instant(forLocalSecond: local.localSecond)
        self.init(microseconds: seconds * 1_000_000 + local.microsecond)
    }
}
