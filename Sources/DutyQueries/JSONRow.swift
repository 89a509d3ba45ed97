/// A row of a long answer that writes its own JSON: byte for byte what `JSONOutput` (Foundation's
/// encoder, keys sorted, slashes as they are) gives, at several times its speed. Foundation's encoder
/// spent three quarters of a national question's time (a province: 34,000 rows, 87 MB, 1.6 s of
/// 2.2 s); `JSONRowTests` holds the two to the same bytes.
package protocol JSONRow: Encodable {
    func writeJSON(to out: inout JSONBytes)
}

/// JSON being written, as bytes.
package struct JSONBytes {
    package var bytes: [UInt8] = []

    package init() { bytes.reserveCapacity(4096) }

    /// `"key":` after a `{` or a `,`.
    @inline(__always)
    mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string: quotes, backslashes and control characters escaped as Foundation escapes them
    /// (`\b \t \n \f \r`, others `\u00xx`); slashes and non-ASCII text as they are.
    mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            var start = 0
            for (i, b) in utf8.enumerated() where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                bytes.append(UInt8(ascii: "\\"))
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(b)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(hex[Int(b >> 4)])
                    bytes.append(hex[Int(b & 15)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func int(_ value: Int) {
        var text = String(value)
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func bool(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func array<T>(_ values: [T], _ each: (inout JSONBytes, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            each(&self, v)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    mutating func open() { bytes.append(UInt8(ascii: "{")) }
    mutating func close() { bytes.append(UInt8(ascii: "}")) }
}

extension OccurrenceView: JSONRow {
    // Keys in the order the sorted encoder writes them: by their bytes.
    package func writeJSON(to out: inout JSONBytes) {
        out.open()
        out.key("article", first: true)
        out.string(article)
        if let colour {
            out.key("colour")
            out.string(colour)
        }
        if let completion {
            out.key("completion")
            completion.writeJSON(to: &out)
        }
        out.key("days_left")
        out.int(daysLeft)
        out.key("deadline")
        out.string(deadline)
        out.key("deadline_date")
        out.string(deadlineDate)
        if let extended {
            out.key("extended")
            out.open()
            out.key("from", first: true)
            out.string(extended.from)
            out.key("request")
            out.string(extended.request)
            out.close()
        }
        out.key("id")
        out.string(id)
        out.key("liability")
        out.open()
        out.key("important", first: true)
        out.strings(liability.important)
        out.key("main")
        out.strings(liability.main)
        out.close()
        out.key("obligation")
        out.string(obligation)
        out.key("period")
        out.string(period)
        out.key("provisional")
        out.bool(provisional)
        if let receipt {
            out.key("receipt")
            out.open()
            var first = true
            if let at = receipt.at {
                out.key("at", first: true)
                out.string(at)
                first = false
            }
            if let by = receipt.by {
                out.key("by", first: first)
                out.string(by)
                first = false
            }
            out.key("due", first: first)
            out.string(receipt.due)
            if let how = receipt.how {
                out.key("how")
                out.string(how)
            }
            out.key("state")
            out.string(receipt.state)
            out.close()
        }
        out.key("responsible")
        out.array(responsible) { $1.writeJSON(to: &$0) }
        out.key("rule_date")
        out.string(ruleDate)
        out.key("state")
        out.string(state)
        out.key("steps")
        out.array(steps) { out, step in
            out.open()
            out.key("at", first: true)
            out.string(step.at)
            out.key("kind")
            out.string(step.kind)
            out.key("name")
            out.string(step.name)
            out.key("provisional")
            out.bool(step.provisional)
            out.key("recipients")
            out.array(step.recipients) { $1.writeJSON(to: &$0) }
            out.close()
        }
        out.key("subject")
        out.string(subject)
        out.key("subject_kind")
        out.string(subjectKind)
        out.key("subject_name")
        out.string(subjectName)
        out.key("title")
        out.string(title)
        out.key("unit")
        out.string(unit)
        out.key("unit_name")
        out.string(unitName)
        if let waiver {
            out.key("waiver")
            out.open()
            out.key("by", first: true)
            out.string(waiver.by)
            out.key("reason")
            out.string(waiver.reason)
            out.key("recorded_at")
            out.string(waiver.recordedAt)
            out.close()
        }
        out.key("weekday")
        out.string(weekday)
        out.close()
    }
}

extension PersonView {
    func writeJSON(to out: inout JSONBytes) {
        out.open()
        var first = true
        if let email {
            out.key("email", first: true)
            out.string(email)
            first = false
        }
        if let id {
            out.key("id", first: first)
            out.string(id)
            first = false
        }
        out.key("name", first: first)
        out.string(name)
        out.key("relation")
        out.string(relation)
        if let role {
            out.key("role")
            out.string(role)
        }
        out.key("unit")
        out.string(unit)
        out.close()
    }
}

extension CompletionView {
    func writeJSON(to out: inout JSONBytes) {
        out.open()
        out.key("by", first: true)
        out.string(by)
        out.key("late")
        out.bool(late)
        if let note {
            out.key("note")
            out.string(note)
        }
        out.key("on")
        out.string(on)
        out.key("recorded_at")
        out.string(recordedAt)
        if let reference {
            out.key("reference")
            out.string(reference)
        }
        out.close()
    }
}

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
