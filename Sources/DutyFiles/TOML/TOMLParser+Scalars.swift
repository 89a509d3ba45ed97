import DutyCalendar

/// Strings (basic, literal, multi-line, escapes), numbers, dates and times.
extension TOMLTextParser {
    // MARK: Strings

    mutating func basicString() throws(TOMLSyntaxError) -> String {
        let open = position
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek, c != 0x0A, c != 0x0D else {
                throw fail("a string opened at column \(open.column) is not closed on its line; add '\"'")
            }
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") {
                try escape(into: &out)
                continue
            }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                throw fail("a control character in a string; write it as an escape")
            }
            out.append(c)
            i += 1
        }
    }

    /// A multi-line string, `"""` (escapes, and a backslash ending a line trims it) or `'''` (as written).
    mutating func multiline(_ q: UInt8) throws(TOMLSyntaxError) -> String {
        let basic = q == UInt8(ascii: "\"")
        let quotes = String(repeating: Character(Unicode.Scalar(q)), count: 3)
        let open = position
        i += 3
        _ = try lineEnd()  // a newline right after the opening quotes is trimmed
        var out: [UInt8] = []
        while true {
            guard let c = peek else {
                throw fail("a multi-line string opened at line \(open.line) is never closed; add \(quotes)")
            }
            if c == q && peek(1) == q && peek(2) == q {
                i += 3
                // Up to two more quotes belong to the string.
                var extra = 0
                while peek == q && extra < 2 {
                    out.append(q)
                    i += 1
                    extra += 1
                }
                return String(decoding: out, as: UTF8.self)
            }
            if basic && c == UInt8(ascii: "\\") {
                // A backslash at the end of a line trims it and the blanks that follow.
                var k = i + 1
                while k < b.count && (b[k] == 0x20 || b[k] == 0x09) { k += 1 }
                if k < b.count && (b[k] == 0x0A || (b[k] == 0x0D && k + 1 < b.count && b[k + 1] == 0x0A)) {
                    i = k
                    while true {
                        skipSpaces()
                        if try !lineEnd() { break }
                    }
                    continue
                }
                try escape(into: &out)
                continue
            }
            if try lineEnd() {
                out.append(0x0A)
                continue
            }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                throw fail("a control character in a string" + (basic ? "; write it as an escape" : ""))
            }
            out.append(c)
            i += 1
        }
    }

    mutating func escape(into out: inout [UInt8]) throws(TOMLSyntaxError) {
        let at = position
        i += 1
        guard let e = peek else { throw fail("a string ends in the middle of an escape") }
        i += 1
        switch e {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "u") ? 4 : 8
            guard i + n <= b.count, let v = UInt32(String(decoding: b[i..<(i + n)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(v)
            else {
                throw fail("\\\(Character(Unicode.Scalar(e))) needs \(n) hex digits naming a Unicode character", at: at)
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            i += n
        default:
            throw fail(
                "unknown escape '\\\(Character(Unicode.Scalar(e)))'; expected \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX or \\UXXXXXXXX",
                at: at
            )
        }
    }

    mutating func literalString() throws(TOMLSyntaxError) -> String {
        let open = position
        i += 1
        let start = i
        while true {
            guard let c = peek, c != 0x0A, c != 0x0D else {
                throw fail("a string opened at column \(open.column) is not closed on its line; add \"'\"")
            }
            if c == UInt8(ascii: "'") {
                i += 1
                return String(decoding: b[start..<(i - 1)], as: UTF8.self)
            }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a string") }
            i += 1
        }
    }

    // MARK: Numbers, dates and times

    func digit(_ k: Int) -> Bool { k < b.count && b[k] >= 0x30 && b[k] <= 0x39 }

    mutating func numberOrDate(_ at: TOMLPosition) throws(TOMLSyntaxError) -> TOMLNode {
        // A date starts with 4 digits and '-', a time with 2 digits and ':'.
        if digit(i) && digit(i + 1) && digit(i + 2) && digit(i + 3) && peek(4) == UInt8(ascii: "-") {
            return TOMLNode(value: .dateTime(try dateTime()), position: at)
        }
        if digit(i) && digit(i + 1) && peek(2) == UInt8(ascii: ":") {
            return TOMLNode(value: .dateTime(try dateTime()), position: at)
        }
        let start = i
        while let c = peek, Self.isBare(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") { i += 1 }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if text.isEmpty {
            throw fail(
                "expected a value (a string in quotes, a number, true, false, a date, [list] or {table}), found \(found)"
            )
        }
        if let v = Self.integer(text) { return TOMLNode(value: .integer(v), position: at) }
        if let v = Self.float(text) { return TOMLNode(value: .float(v), position: at) }
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if let d = Self.digits(unsigned), !d.hasPrefix("0") {
            throw fail(
                "the number \(text) is too large; TOML integers are from -9223372036854775808 to 9223372036854775807",
                at: at
            )
        }
        throw fail("'\(text)' is not a value; a string needs quotes (\"\(text)\")", at: at)
    }

    /// Digits with single underscores between them.
    static func digits(_ s: Substring, hex: Bool = false) -> String? {
        guard let f = s.first, f != "_", s.last != "_", !s.contains("__") else { return nil }
        let clean = s.filter { $0 != "_" }
        guard !clean.isEmpty, clean.allSatisfy({ hex ? $0.isHexDigit : ($0.isASCII && $0.isNumber) }) else {
            return nil
        }
        return String(clean)
    }

    static func integer(_ text: String) -> Int? {
        var s = Substring(text)
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where s.hasPrefix(prefix) {
            guard let d = digits(s.dropFirst(2), hex: radix == 16) else { return nil }
            return Int(d, radix: radix)
        }
        var negative = false
        if s.first == "+" || s.first == "-" {
            negative = s.first == "-"
            s = s.dropFirst()
        }
        guard let d = digits(s), d == "0" || !d.hasPrefix("0") else { return nil }
        return Int((negative ? "-" : "") + d)
    }

    static func float(_ text: String) -> Double? {
        var s = Substring(text)
        var sign = ""
        if s.first == "+" || s.first == "-" {
            sign = s.first == "-" ? "-" : ""
            s = s.dropFirst()
        }
        if s == "inf" { return sign == "-" ? -.infinity : .infinity }
        if s == "nan" { return .nan }
        var mantissa = s
        var exponent: Substring?
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = s[..<e]
            exponent = s[s.index(after: e)...]
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = digits(parts[0]), whole == "0" || !whole.hasPrefix("0") else { return nil }
        var out = sign + whole
        if parts.count == 2 {
            guard let frac = digits(parts[1]) else { return nil }
            out += "." + frac
        }
        if var e = exponent {
            var esign = ""
            if e.first == "+" || e.first == "-" {
                esign = String(e.first!)
                e = e.dropFirst()
            }
            guard let ed = digits(e) else { return nil }
            out += "e" + esign + ed
        } else if parts.count == 1 {
            return nil
        }
        return Double(out)
    }

    mutating func number(_ n: Int, _ what: String, _ range: ClosedRange<Int>) throws(TOMLSyntaxError) -> Int {
        let at = position
        var v = 0
        for _ in 0..<n {
            guard digit(i) else { throw fail("expected \(n) digits for the \(what), found \(found)") }
            v = v * 10 + Int(b[i] - 0x30)
            i += 1
        }
        guard range.contains(v) else {
            throw fail("\(what) \(v) is out of range; expected \(range.lowerBound)…\(range.upperBound)", at: at)
        }
        return v
    }

    mutating func expect(_ c: Character, _ what: String) throws(TOMLSyntaxError) {
        guard peek == c.asciiValue else { throw fail("expected '\(c)' \(what), found \(found)") }
        i += 1
    }

    mutating func dateTime() throws(TOMLSyntaxError) -> TOMLDateTime {
        let start = i
        var d = TOMLDateTime(text: "")
        if peek(2) != UInt8(ascii: ":") {
            d.year = try number(4, "year", 0...9999)
            try expect("-", "in the date")
            d.month = try number(2, "month", 1...12)
            try expect("-", "in the date")
            let dayAt = position
            d.day = try number(2, "day", 1...31)
            let y = d.year!
            let m = d.month!
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
            let max = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
            if d.day! > max { throw fail("\(y)-\(m < 10 ? "0" : "")\(m) has \(max) days", at: dayAt) }
            // A time follows after 'T', 't' or a space and two digits.
            let sep = peek
            guard sep == UInt8(ascii: "T") || sep == UInt8(ascii: "t") || (sep == 0x20 && digit(i + 1) && digit(i + 2))
            else {
                d.text = String(decoding: b[start..<i], as: UTF8.self)
                return d
            }
            i += 1
        }
        d.hour = try number(2, "hour", 0...23)
        try expect(":", "in the time")
        d.minute = try number(2, "minute", 0...59)
        try expect(":", "in the time (seconds are required: 09:00:00)")
        d.second = try number(2, "second", 0...60)
        if peek == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { throw fail("expected digits after the decimal point") }
            while digit(i) { i += 1 }
        }
        if d.year != nil {
            if peek == UInt8(ascii: "Z") || peek == UInt8(ascii: "z") {
                i += 1
                d.offsetSeconds = 0
            } else if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") {
                let negative = peek == UInt8(ascii: "-")
                i += 1
                let h = try number(2, "offset hour", 0...23)
                try expect(":", "in the offset")
                let m = try number(2, "offset minute", 0...59)
                d.offsetSeconds = (negative ? -1 : 1) * (h * 3600 + m * 60)
            }
        }
        d.text = String(decoding: b[start..<i], as: UTF8.self)
        return d
    }
}
