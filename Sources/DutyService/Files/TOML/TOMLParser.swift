import DutyCalendar

/// A strict TOML 1.0 parser that keeps positions and never stops the process on bad input: every
/// mistake is a `TOMLSyntaxError` with line, column and what was expected.
///
/// dutyd used TOMLKit (toml++) before; toml++ 3.4 aborts the process on some malformed files
/// (`roles = ["a",} "b"]`), and a daemon must not die on a reload with a typo.
package enum TOMLParser {
    /// Parses a file's bytes: text that is not UTF-8 (a file saved as GBK) is refused at its line.
    package static func parse(bytes: [UInt8]) throws(TOMLSyntaxError) -> TOMLTable {
        var p = Parser(bytes)
        return try p.document()
    }

    package static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        try parse(bytes: Array(text.utf8))
    }
}

/// Tables while they are being built: headers, dotted keys and arrays of tables add to them.
private final class TableBuilder {
    enum Origin {
        /// Created as the parent of a header or a dotted key; a header may still define it.
        case implicit
        /// Defined by `[header]`.
        case header
        /// Created by a dotted key (`a.b = 1`).
        case dotted
        /// An element of an array of tables (`[[header]]`).
        case arrayElement
        /// `{ … }`: closed once written.
        case inline
    }

    enum Value {
        case node(TOMLNode)
        case table(TableBuilder)
        case tableArray([TableBuilder], TOMLPosition)
    }

    var origin: Origin
    var position: TOMLPosition
    var keys: [String] = []
    var entries: [String: (key: TOMLPosition, value: Value)] = [:]

    init(_ origin: Origin, _ position: TOMLPosition) {
        self.origin = origin
        self.position = position
    }

    func set(_ key: String, _ value: Value, at position: TOMLPosition) {
        if entries[key] == nil { keys.append(key) }
        entries[key] = (position, value)
    }

    func build() -> TOMLTable {
        var t = TOMLTable(position: position)
        for k in keys {
            let (keyPosition, value) = entries[k]!
            let node: TOMLNode
            switch value {
            case .node(let n): node = n
            case .table(let b): node = TOMLNode(value: .table(b.build()), position: b.position)
            case .tableArray(let list, let at):
                node = TOMLNode(
                    value: .array(list.map { TOMLNode(value: .table($0.build()), position: $0.position) }),
                    position: at
                )
            }
            t.keys.append(k)
            t.entries[k] = TOMLTable.Entry(keyPosition: keyPosition, node: node)
        }
        return t
    }
}

private struct Parser {
    let b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    let counter = TextPosition.Counter()
    /// Lists and inline tables open around the cursor.
    var depth = 0

    /// How deep lists and inline tables may nest, and how many parts a dotted key may have: far more
    /// than any settings or policy file needs, and little enough that nothing a file says can exhaust
    /// the stack.
    static let maximumDepth = 32
    static let maximumKeyParts = 32

    init(_ bytes: [UInt8]) { b = bytes }

    // MARK: Positions and errors

    var position: TOMLPosition {
        TOMLPosition(line: line, column: counter.column(of: i, lineStart: lineStart, in: b[...]))
    }

    func fail(_ message: String, at p: TOMLPosition? = nil) -> TOMLSyntaxError {
        let at = p ?? position
        return TOMLSyntaxError(line: at.line, column: at.column, message: message)
    }

    var peek: UInt8? { i < b.count ? b[i] : nil }
    func peek(_ k: Int) -> UInt8? { i + k < b.count ? b[i + k] : nil }

    /// What is at the cursor, for messages.
    var found: String {
        guard let c = peek else { return "the end of the file" }
        switch c {
        case 0x0A, 0x0D: return "the end of the line"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(c)))'"
        default:
            var end = i + 1
            while end < b.count && b[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: b[i..<end], as: UTF8.self))'"
        }
    }

    mutating func newline() {
        line += 1
        lineStart = i
    }

    // MARK: Whitespace, comments, line ends

    mutating func skipSpaces() {
        while let c = peek, c == 0x20 || c == 0x09 { i += 1 }
    }

    mutating func skipComment() throws(TOMLSyntaxError) {
        guard peek == UInt8(ascii: "#") else { return }
        while let c = peek, c != 0x0A {
            if c == 0x0D && peek(1) == 0x0A { break }
            if (c < 0x20 && c != 0x09) || c == 0x7F { throw fail("a control character in a comment") }
            i += 1
        }
    }

    /// Consumes one line end (LF or CRLF); `false` when there is none here.
    mutating func lineEnd() throws(TOMLSyntaxError) -> Bool {
        if peek == 0x0A {
            i += 1
            newline()
            return true
        }
        if peek == 0x0D {
            guard peek(1) == 0x0A else { throw fail("a carriage return must be followed by a line feed") }
            i += 2
            newline()
            return true
        }
        return false
    }

    /// Spaces, comments and line ends, as between array elements.
    mutating func skipBlank() throws(TOMLSyntaxError) {
        while true {
            skipSpaces()
            try skipComment()
            if try !lineEnd() { return }
        }
    }

    /// After an expression: spaces, a comment, then the end of the line or of the file.
    mutating func endOfExpression() throws(TOMLSyntaxError) {
        skipSpaces()
        try skipComment()
        if peek == nil { return }
        if try !lineEnd() { throw fail("expected the end of the line, found \(found)") }
    }

    // MARK: Document

    mutating func document() throws(TOMLSyntaxError) -> TOMLTable {
        if b.starts(with: [0xEF, 0xBB, 0xBF]) {
            i = 3
            lineStart = 3
        }
        if let bad = TextPosition.firstNonUTF8Line(b[i...]) {
            throw TOMLSyntaxError(
                line: bad,
                column: 1,
                message: "the file is not UTF-8 (saved as GBK?); save it as UTF-8"
            )
        }
        let root = TableBuilder(.header, TOMLPosition(line: 1, column: 1))
        var current = root
        while true {
            try skipBlank()
            guard let c = peek else { break }
            if c == UInt8(ascii: "[") {
                current = try header(root)
            } else {
                try keyValue(into: current)
            }
            try endOfExpression()
        }
        return root.build()
    }

    /// `[a.b]` or `[[a.b]]`: the table later key/values go into.
    mutating func header(_ root: TableBuilder) throws(TOMLSyntaxError) -> TableBuilder {
        let start = position
        let isArray = peek(1) == UInt8(ascii: "[")
        i += isArray ? 2 : 1
        skipSpaces()
        let keys = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "]"), !isArray || peek(1) == UInt8(ascii: "]") else {
            throw fail("expected '\(isArray ? "]]" : "]")' to close the table header, found \(found)")
        }
        i += isArray ? 2 : 1
        var table = root
        for (n, (name, at)) in keys.enumerated() {
            let last = n == keys.count - 1
            if let existing = table.entries[name] {
                switch existing.value {
                case .table(let t):
                    if last {
                        if isArray {
                            throw fail(
                                "'\(dotted(keys))' is a table (line \(existing.key.line)); it cannot also be a list of [[tables]]",
                                at: at
                            )
                        }
                        if t.origin != .implicit {
                            throw fail(
                                "table [\(dotted(keys))] is already defined at line \(t.position.line)",
                                at: start
                            )
                        }
                        t.origin = .header
                        t.position = start
                    } else if t.origin == .inline {
                        throw fail(
                            "'\(name)' is an inline table (line \(existing.key.line)); it cannot be extended",
                            at: at
                        )
                    }
                    table = t
                case .tableArray(var list, let first):
                    if last {
                        guard isArray else {
                            throw fail(
                                "'\(dotted(keys))' is a list of [[tables]] (line \(first.line)); it cannot also be a [table]",
                                at: at
                            )
                        }
                        let element = TableBuilder(.arrayElement, start)
                        list.append(element)
                        table.set(name, .tableArray(list, first), at: existing.key)
                        table = element
                    } else {
                        table = list[list.count - 1]
                    }
                case .node(let node):
                    if node.table != nil {
                        throw fail(
                            "'\(name)' is an inline table (line \(existing.key.line)); it cannot be extended",
                            at: at
                        )
                    }
                    throw fail("'\(name)' is already \(node.typeName) (line \(existing.key.line)), not a table", at: at)
                }
            } else if last && isArray {
                let element = TableBuilder(.arrayElement, start)
                table.set(name, .tableArray([element], start), at: at)
                table = element
            } else {
                let t = TableBuilder(last ? .header : .implicit, last ? start : at)
                table.set(name, .table(t), at: at)
                table = t
            }
        }
        return table
    }

    func dotted(_ keys: [(String, TOMLPosition)]) -> String { keys.map(\.0).joined(separator: ".") }

    /// `key = value`, with a dotted key creating the tables on its way.
    mutating func keyValue(into table: TableBuilder) throws(TOMLSyntaxError) {
        let keys = try key()
        skipSpaces()
        guard peek == UInt8(ascii: "=") else {
            throw fail("expected '=' after the key '\(dotted(keys))', found \(found)")
        }
        i += 1
        skipSpaces()
        let value = try self.value()
        var target = table
        for (name, at) in keys.dropLast() {
            if let existing = target.entries[name] {
                // Only tables that dotted keys made can take more dotted keys (TOML 1.0: a table a header
                // made, even as a parent, cannot be extended this way).
                guard case .table(let t) = existing.value, t.origin == .dotted else {
                    throw fail(
                        "'\(name)' is already defined at line \(existing.key.line); a dotted key cannot add to it",
                        at: at
                    )
                }
                target = t
            } else {
                let t = TableBuilder(.dotted, at)
                target.set(name, .table(t), at: at)
                target = t
            }
        }
        let (name, at) = keys[keys.count - 1]
        if let existing = target.entries[name] {
            throw fail("the key '\(dotted(keys))' is already defined at line \(existing.key.line)", at: at)
        }
        target.set(name, .node(value), at: at)
    }

    /// A dotted key: bare, "basic" and 'literal' parts.
    mutating func key() throws(TOMLSyntaxError) -> [(String, TOMLPosition)] {
        var parts: [(String, TOMLPosition)] = []
        while true {
            skipSpaces()
            let at = position
            guard let c = peek else { throw fail("expected a key, found the end of the file") }
            if c == UInt8(ascii: "\"") {
                if peek(1) == c && peek(2) == c { throw fail("a key cannot be a multi-line string") }
                parts.append((try basicString(), at))
            } else if c == UInt8(ascii: "'") {
                if peek(1) == c && peek(2) == c { throw fail("a key cannot be a multi-line string") }
                parts.append((try literalString(), at))
            } else {
                let start = i
                while let d = peek, Parser.isBare(d) { i += 1 }
                if i == start {
                    throw fail("expected a key (letters, digits, '-' and '_', or a quoted name), found \(found)")
                }
                parts.append((String(decoding: b[start..<i], as: UTF8.self), at))
            }
            skipSpaces()
            if peek == UInt8(ascii: ".") {
                guard parts.count < Parser.maximumKeyParts else {
                    throw fail("a dotted key of more than \(Parser.maximumKeyParts) parts; use fewer levels")
                }
                i += 1
                continue
            }
            return parts
        }
    }

    static func isBare(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "_")
    }

    // MARK: Values

    mutating func value() throws(TOMLSyntaxError) -> TOMLNode {
        let at = position
        guard let c = peek else { throw fail("expected a value, found the end of the file") }
        switch c {
        case UInt8(ascii: "\""):
            if peek(1) == c && peek(2) == c { return TOMLNode(value: .string(try multiline(c)), position: at) }
            return TOMLNode(value: .string(try basicString()), position: at)
        case UInt8(ascii: "'"):
            if peek(1) == c && peek(2) == c { return TOMLNode(value: .string(try multiline(c)), position: at) }
            return TOMLNode(value: .string(try literalString()), position: at)
        case UInt8(ascii: "["):
            return TOMLNode(value: .array(try array()), position: at)
        case UInt8(ascii: "{"):
            return TOMLNode(value: .table(try inlineTable()), position: at)
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            if word("true") { return TOMLNode(value: .boolean(true), position: at) }
            if word("false") { return TOMLNode(value: .boolean(false), position: at) }
            throw fail(
                "expected a value (a string in quotes, a number, true, false, a date, [list] or {table}), found \(found)"
            )
        default:
            return try numberOrDate(at)
        }
    }

    mutating func word(_ w: String) -> Bool {
        let bytes = Array(w.utf8)
        guard i + bytes.count <= b.count, Array(b[i..<(i + bytes.count)]) == bytes else { return false }
        if let next = i + bytes.count < b.count ? b[i + bytes.count] : nil, Parser.isBare(next) { return false }
        i += bytes.count
        return true
    }

    /// Enters a list or inline table, refusing one nested deeper than `maximumDepth`.
    mutating func enter() throws(TOMLSyntaxError) {
        guard depth < Parser.maximumDepth else {
            throw fail("lists and inline tables nested more than \(Parser.maximumDepth) deep; use fewer levels")
        }
        depth += 1
    }

    mutating func array() throws(TOMLSyntaxError) -> [TOMLNode] {
        let open = position
        try enter()
        defer { depth -= 1 }
        i += 1
        var out: [TOMLNode] = []
        while true {
            try skipBlank()
            guard let c = peek else { throw fail("a list opened at line \(open.line) is never closed; add ']'") }
            if c == UInt8(ascii: "]") {
                i += 1
                return out
            }
            out.append(try value())
            try skipBlank()
            if peek == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard peek == UInt8(ascii: "]") else {
                if peek == nil { throw fail("a list opened at line \(open.line) is never closed; add ']'") }
                throw fail("expected ',' or ']' in the list opened at line \(open.line), found \(found)")
            }
        }
    }

    mutating func inlineTable() throws(TOMLSyntaxError) -> TOMLTable {
        let open = position
        try enter()
        defer { depth -= 1 }
        i += 1
        let table = TableBuilder(.inline, open)
        skipSpaces()
        if peek == UInt8(ascii: "}") {
            i += 1
            return table.build()
        }
        while true {
            skipSpaces()
            if peek == 0x0A || peek == 0x0D {
                throw fail("an inline table { … } must be on one line; use a [table] for more")
            }
            try keyValue(into: table)
            skipSpaces()
            if peek == UInt8(ascii: ",") {
                i += 1
                skipSpaces()
                if peek == UInt8(ascii: "}") { throw fail("no comma before '}' in an inline table") }
                continue
            }
            guard peek == UInt8(ascii: "}") else {
                if peek == 0x0A || peek == 0x0D || peek == nil {
                    throw fail("an inline table { … } must be closed on its line; use a [table] for more")
                }
                throw fail("expected ',' or '}' in the inline table opened at column \(open.column), found \(found)")
            }
            i += 1
            return freeze(table)
        }
    }

    /// Inline tables, and the tables their dotted keys make, cannot be extended later.
    func freeze(_ t: TableBuilder) -> TOMLTable {
        t.origin = .inline
        for (_, e) in t.entries {
            if case .table(let inner) = e.value { _ = freeze(inner) }
        }
        return t.build()
    }

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
        while let c = peek, Parser.isBare(c) || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") { i += 1 }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if text.isEmpty {
            throw fail(
                "expected a value (a string in quotes, a number, true, false, a date, [list] or {table}), found \(found)"
            )
        }
        if let v = Parser.integer(text) { return TOMLNode(value: .integer(v), position: at) }
        if let v = Parser.float(text) { return TOMLNode(value: .float(v), position: at) }
        let unsigned = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if let d = Parser.digits(unsigned), !d.hasPrefix("0") {
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
