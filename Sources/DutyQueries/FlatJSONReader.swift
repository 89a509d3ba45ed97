/// A row that can read itself from one line of JSON as its own `writeJSON` writes it, faster than
/// `JSONDecoder`; `nil` for anything else, and the caller then asks `JSONDecoder`, which reads any
/// valid JSON. dutyctl's table of a national answer spent 40 % of its time in `JSONDecoder`.
package protocol JSONLineReadable {
    static func read(jsonLine: ArraySlice<UInt8>) -> Self?
}

/// Reads a flat JSON object: string keys; string, integer, boolean and string-array values.
package struct FlatJSONReader {
    private let bytes: ArraySlice<UInt8>
    private var i: Int

    package init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.i = bytes.startIndex
    }

    private mutating func skipSpace() {
        while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    private mutating func expect(_ c: UInt8) -> Bool {
        skipSpace()
        guard i < bytes.endIndex, bytes[i] == c else { return false }
        i += 1
        return true
    }

    /// Calls `field` with each key, positioned at its value; `field` reads the value or returns false.
    package mutating func object(_ field: (inout FlatJSONReader, String) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        if expect(UInt8(ascii: "}")) { return atEnd() }
        while true {
            guard let key = string(), expect(UInt8(ascii: ":")), field(&self, key) else { return false }
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "}")) && atEnd()
        }
    }

    private mutating func atEnd() -> Bool {
        skipSpace()
        return i == bytes.endIndex
    }

    package mutating func string() -> String? {
        guard expect(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                defer { i += 1 }
                return String(decoding: bytes[start..<i], as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                i = start
                return escapedString()
            }
            if b < 0x20 { return nil }
            i += 1
        }
        return nil
    }

    /// A string with escapes, from `i` just after its opening quote.
    private mutating func escapedString() -> String? {
        var out: [UInt8] = []
        while i < bytes.endIndex {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.endIndex else { return nil }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var v = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(v) {
                        guard i + 1 < bytes.endIndex, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                        else { return nil }
                        i += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(v) else { return nil }
                    out.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            default:
                if b < 0x20 { return nil }
                out.append(b)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.endIndex else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return v
    }

    package mutating func int() -> Int? {
        skipSpace()
        var negative = false
        if i < bytes.endIndex, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var v = 0
        var digits = 0
        while i < bytes.endIndex, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
            guard !o1 && !o2 else { return nil }
            v = a
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -v : v
    }

    package mutating func bool() -> Bool? {
        skipSpace()
        if bytes[i...].starts(with: Array("true".utf8)) {
            i += 4
            return true
        }
        if bytes[i...].starts(with: Array("false".utf8)) {
            i += 5
            return false
        }
        return nil
    }

    package mutating func strings() -> [String]? {
        guard expect(UInt8(ascii: "[")) else { return nil }
        var out: [String] = []
        if expect(UInt8(ascii: "]")) { return out }
        while true {
            guard let s = string() else { return nil }
            out.append(s)
            if expect(UInt8(ascii: ",")) { continue }
            return expect(UInt8(ascii: "]")) ? out : nil
        }
    }
}
