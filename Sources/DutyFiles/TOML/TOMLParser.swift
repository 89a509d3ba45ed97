import DutyCalendar

/// A strict TOML 1.0 parser that keeps positions and never stops the process on bad input: every
/// mistake is a `TOMLSyntaxError` with line, column and what was expected.
///
/// dutyd used TOMLKit (toml++) before; toml++ 3.4 aborts the process on some malformed files
/// (`roles = ["a",} "b"]`), and a daemon must not die on a reload with a typo.
package enum TOMLParser {
    /// Parses a file's bytes: text that is not UTF-8 (a file saved as GBK) is refused at its line.
    package static func parse(bytes: [UInt8]) throws(TOMLSyntaxError) -> TOMLTable {
        var p = TOMLTextParser(bytes)
        return try p.document()
    }

    package static func parse(_ text: String) throws(TOMLSyntaxError) -> TOMLTable {
        try parse(bytes: Array(text.utf8))
    }
}

/// Tables while they are being built: headers, dotted keys and arrays of tables add to them.
final class TableBuilder {
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

/// The parser's state: the bytes, the cursor and its line. Strings, numbers and dates are read in
/// `TOMLParser+Scalars.swift`.
struct TOMLTextParser {
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
                while let d = peek, Self.isBare(d) { i += 1 }
                if i == start {
                    throw fail("expected a key (letters, digits, '-' and '_', or a quoted name), found \(found)")
                }
                parts.append((String(decoding: b[start..<i], as: UTF8.self), at))
            }
            skipSpaces()
            if peek == UInt8(ascii: ".") {
                guard parts.count < TOMLTextParser.maximumKeyParts else {
                    throw fail("a dotted key of more than \(TOMLTextParser.maximumKeyParts) parts; use fewer levels")
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
        if let next = i + bytes.count < b.count ? b[i + bytes.count] : nil, Self.isBare(next) { return false }
        i += bytes.count
        return true
    }

    /// Enters a list or inline table, refusing one nested deeper than `maximumDepth`.
    mutating func enter() throws(TOMLSyntaxError) {
        guard depth < TOMLTextParser.maximumDepth else {
            throw fail("lists and inline tables nested more than \(TOMLTextParser.maximumDepth) deep; use fewer levels")
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
}
