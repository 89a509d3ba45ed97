/// Where each key and array element of a TOML file is written, by dotted path, for error messages:
/// TOMLKit keeps no positions, and "line 14, column 9" is what an administrator needs.
///
/// Paths join table names, keys and array indices with dots: `obligation.semiannual-report.schedule`,
/// `defaults.ladder.1.after` (the second `[[defaults.ladder]]` or the second element of
/// `ladder = [...]`). The scanner runs after TOMLKit has accepted the file, so it trusts the syntax.
struct TOMLPositions {
    private(set) var positions: [String: (line: Int, column: Int)] = [:]

    init(text: String) {
        var s = Scanner(Array(text.utf8))
        var prefix: [String] = []
        var arrayTables: [String: Int] = [:]
        while !s.atEnd {
            s.skipBlankAndComments()
            guard !s.atEnd else { break }
            if s.peek == UInt8(ascii: "[") {
                let double = s.peek(1) == UInt8(ascii: "[")
                s.advance(double ? 2 : 1)
                let (line, column) = (s.line, s.column)
                var path = s.keyPath()
                s.skipTo(UInt8(ascii: "]"))
                s.advance(double ? 2 : 1)
                if double {
                    let joined = path.joined(separator: ".")
                    let n = arrayTables[joined, default: 0]
                    arrayTables[joined] = n + 1
                    record(joined, line, column)
                    path.append(String(n))
                }
                record(path.joined(separator: "."), line, column)
                prefix = path
                continue
            }
            let (line, column) = (s.line, s.column)
            let before = s.i
            let key = s.keyPath()
            if s.i == before {
                s.skipToLineEnd()
                s.advance(1)
                continue
            }
            let path = (prefix + key).joined(separator: ".")
            record(path, line, column)
            s.skipSpaces()
            if s.peek == UInt8(ascii: "=") { s.advance(1) }
            value(&s, path)
            s.skipToLineEnd()
        }
    }

    private mutating func record(_ path: String, _ line: Int, _ column: Int) {
        if positions[path] == nil { positions[path] = (line, column) }
    }

    private mutating func value(_ s: inout Scanner, _ path: String) {
        s.skipSpaces()
        guard let c = s.peek else { return }
        switch c {
        case UInt8(ascii: "{"):
            s.advance(1)
            while !s.atEnd {
                s.skipBlankAndComments()
                if s.peek == UInt8(ascii: "}") {
                    s.advance(1)
                    return
                }
                if s.peek == UInt8(ascii: ",") {
                    s.advance(1)
                    continue
                }
                let (line, column) = (s.line, s.column)
                let key = s.keyPath().joined(separator: ".")
                record(path + "." + key, line, column)
                s.skipSpaces()
                if s.peek == UInt8(ascii: "=") { s.advance(1) }
                value(&s, path + "." + key)
            }
        case UInt8(ascii: "["):
            s.advance(1)
            var index = 0
            while !s.atEnd {
                s.skipBlankAndComments()
                if s.peek == UInt8(ascii: "]") {
                    s.advance(1)
                    return
                }
                if s.peek == UInt8(ascii: ",") {
                    s.advance(1)
                    continue
                }
                record(path + ".\(index)", s.line, s.column)
                value(&s, path + ".\(index)")
                index += 1
            }
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            s.skipString()
        default:
            while let c = s.peek, c != UInt8(ascii: ","), c != UInt8(ascii: "]"), c != UInt8(ascii: "}"),
                c != UInt8(ascii: "\n"), c != UInt8(ascii: "#")
            {
                s.advance(1)
            }
        }
    }

    /// The position of `path`, or of its nearest ancestor that has one.
    func locate(_ path: String) -> (line: Int, column: Int)? {
        var p = Substring(path)
        while true {
            if let hit = positions[String(p)] { return hit }
            guard let dot = p.lastIndex(of: ".") else { return nil }
            p = p[..<dot]
        }
    }
}

/// A byte cursor that counts lines and columns (columns in characters, not bytes).
private struct Scanner {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var column = 1

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }
    func peek(_ k: Int) -> UInt8? { i + k < bytes.count ? bytes[i + k] : nil }

    mutating func advance(_ n: Int) {
        for _ in 0..<n where i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
    }

    mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance(1) }
    }

    mutating func skipBlankAndComments() {
        while let c = peek {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                advance(1)
            } else if c == UInt8(ascii: "#") {
                while let d = peek, d != UInt8(ascii: "\n") { advance(1) }
            } else {
                return
            }
        }
    }

    mutating func skipToLineEnd() {
        var inString = false
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                skipString()
                continue
            }
            if c == UInt8(ascii: "#") && !inString {
                while let d = peek, d != UInt8(ascii: "\n") { advance(1) }
                return
            }
            inString = false
            advance(1)
        }
    }

    mutating func skipTo(_ target: UInt8) {
        while let c = peek, c != target {
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") { skipString() } else { advance(1) }
        }
    }

    /// Skips a basic, literal or multi-line string.
    mutating func skipString() {
        guard let q = peek else { return }
        if peek(1) == q && peek(2) == q {
            advance(3)
            while !atEnd {
                if peek == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") {
                    advance(2)
                } else if peek == q && peek(1) == q && peek(2) == q {
                    advance(3)
                    while peek == q { advance(1) }
                    return
                } else {
                    advance(1)
                }
            }
            return
        }
        advance(1)
        while let c = peek, c != UInt8(ascii: "\n") {
            if c == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") {
                advance(2)
                continue
            }
            advance(1)
            if c == q { return }
        }
    }

    /// A dotted key: bare, "basic" or 'literal' parts.
    mutating func keyPath() -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { return parts }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                let start = i + 1
                skipString()
                parts.append(String(decoding: bytes[start..<max(start, i - 1)], as: UTF8.self))
            } else {
                let start = i
                while let d = peek, isBare(d) { advance(1) }
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            }
            skipSpaces()
            if peek == UInt8(ascii: ".") {
                advance(1)
                continue
            }
            return parts
        }
    }

    private func isBare(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "_")
    }
}
