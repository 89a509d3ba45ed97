/// A small JSON reader that remembers where every value stood, so that a bad holiday file is reported
/// as `2027.json:12:21: expected a date YYYY-MM-DD` rather than "The data couldn't be read".
package indirect enum JSONValue: Sendable {
    case object([(key: String, value: JSONNode)])
    case array([JSONNode])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
}

/// A JSON value and its 1-based line and column.
package struct JSONNode: Sendable {
    package var value: JSONValue
    package var line: Int
    package var column: Int

    package subscript(key: String) -> JSONNode? {
        if case .object(let members) = value { return members.first { $0.key == key }?.value }
        return nil
    }

    package var kind: String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        }
    }
}

/// Parse failures carry line and column; the caller adds the file name.
package struct JSONSyntaxError: Error, Sendable {
    package var message: String
    package var line: Int
    package var column: Int
}

package enum JSONDocument {
    /// Parses UTF-8 JSON (a leading byte-order mark is skipped).
    package static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
        var p = JSONParser(bytes: bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.i = 3 }
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        if p.i < bytes.count {
            throw p.error("unexpected '\(p.char)' after the JSON value; expected the end of the file")
        }
        return v
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    let counter = TextPosition.Counter()

    init(bytes: [UInt8]) { self.bytes = bytes }

    var column: Int { counter.column(of: i, lineStart: lineStart, in: bytes[...]) }
    var char: String {
        guard i < bytes.count else { return "end of file" }
        var j = i + 1
        while j < bytes.count && bytes[j] & 0xC0 == 0x80 { j += 1 }
        return String(decoding: bytes[i..<j], as: UTF8.self)
    }
    func error(_ m: String) -> JSONSyntaxError { JSONSyntaxError(message: m, line: line, column: column) }

    mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A:
                i += 1
                line += 1
                lineStart = i
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONNode {
        if depth > 64 { throw error("nesting deeper than 64 levels") }
        let (l, c) = (line, column)
        guard i < bytes.count else { throw error("unexpected end of file; expected a value") }
        func node(_ v: JSONValue) -> JSONNode { JSONNode(value: v, line: l, column: c) }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, JSONNode)] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") {
                i += 1
                return node(.object([]))
            }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw error("expected a member name in double quotes, found '\(char)'")
                }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else {
                    throw error("expected ':' after the member name, found '\(char)'")
                }
                i += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of file; expected ',' or '}'") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return node(.object(members.map { (key: $0.0, value: $0.1) }))
                }
                throw error("expected ',' or '}', found '\(char)'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONNode] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") {
                i += 1
                return node(.array([]))
            }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of file; expected ',' or ']'") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return node(.array(items))
                }
                throw error("expected ',' or ']', found '\(char)'")
            }
        case UInt8(ascii: "\""):
            return node(.string(try string()))
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for (word, v) in [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)]
            where bytes[i...].starts(with: Array(word.utf8)) {
                i += word.utf8.count
                return node(v)
            }
            throw error("unexpected '\(char)'; expected a value")
        default:
            let s = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > s, let d = Double(String(decoding: bytes[s..<i], as: UTF8.self)) else {
                i = s
                throw error(
                    "unexpected '\(char)'; expected a value (object, array, string, number, true, false or null)"
                )
            }
            return node(.number(d))
        }
    }

    /// The value of the four hex digits at `k`, `nil` unless all four are there (no sign, no space).
    func hex4(at k: Int) -> UInt32? {
        guard k + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for c in bytes[k..<(k + 4)] {
            switch c {
            case 0x30...0x39: v = v << 4 | UInt32(c - 0x30)
            case 0x41...0x46: v = v << 4 | UInt32(c - 0x37)
            case 0x61...0x66: v = v << 4 | UInt32(c - 0x57)
            default: return nil
            }
        }
        return v
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b < 0x20 { throw error("control character in a string; expected '\\\"' to close it") }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { break }
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard let v = hex4(at: i + 1) else { throw error("expected four hex digits after \\u") }
                    var scalar = v
                    i += 4
                    // A high surrogate takes the low one that follows it; a lone half of a pair is
                    // not a character and reads as U+FFFD, as decoders do.
                    if (0xD800..<0xDC00).contains(v), i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"),
                        bytes[i + 2] == UInt8(ascii: "u"), let lo = hex4(at: i + 3), (0xDC00..<0xE000).contains(lo)
                    {
                        scalar = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                        i += 6
                    }
                    let character = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(character)).utf8))
                default: out.append(bytes[i])
                }
                i += 1
                continue
            }
            out.append(b)
            i += 1
        }
        throw error("unterminated string; expected '\"'")
    }
}
