import DutyCalendar

/// A TOML 1.0 document as dutyd reads it: every key and value keeps the line and column it was
/// written at, so that a policy or settings mistake can be shown where it is.
///
/// ```swift
/// let root = try TOMLParser.parse("timezone = \"Asia/Shanghai\"")
/// root["timezone"]?.string  // "Asia/Shanghai"
/// ```
package struct TOMLPosition: Sendable, Hashable {
    package var line: Int
    package var column: Int
}

/// A date, a time, or both, with or without an offset (TOML's four date-time types).
package struct TOMLDateTime: Sendable, Hashable {
    package var year: Int?
    package var month: Int?
    package var day: Int?
    package var hour: Int?
    package var minute: Int?
    package var second: Int?
    /// Seconds east of UTC, for an offset date-time.
    package var offsetSeconds: Int?
    /// As written.
    package var text: String

    /// A date alone (`2026-11-29`).
    package var isLocalDate: Bool { year != nil && hour == nil }
}

package indirect enum TOMLValue: Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case dateTime(TOMLDateTime)
    case array([TOMLNode])
    case table(TOMLTable)
}

/// A value and where it starts.
package struct TOMLNode: Sendable {
    package var value: TOMLValue
    package var position: TOMLPosition

    package var string: String? {
        if case .string(let s) = value { return s }
        return nil
    }
    package var int: Int? {
        if case .integer(let i) = value { return i }
        return nil
    }
    package var bool: Bool? {
        if case .boolean(let b) = value { return b }
        return nil
    }
    package var date: TOMLDateTime? {
        if case .dateTime(let d) = value { return d }
        return nil
    }
    package var array: [TOMLNode]? {
        if case .array(let a) = value { return a }
        return nil
    }
    package var table: TOMLTable? {
        if case .table(let t) = value { return t }
        return nil
    }

    /// The kind of value, for "expected …, found integer".
    package var typeName: String {
        switch value {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a number with a fraction"
        case .boolean: return "true or false"
        case .dateTime: return "a date or time"
        case .array: return "a list"
        case .table: return "a table"
        }
    }
}

/// A table: its keys in the order written, each with the position of the key and its value.
package struct TOMLTable: Sendable {
    package struct Entry: Sendable {
        package var keyPosition: TOMLPosition
        package var node: TOMLNode
    }

    package var keys: [String] = []
    package var entries: [String: Entry] = [:]
    /// Where the table starts: its `[header]`, its `{`, or its first dotted key.
    package var position: TOMLPosition

    package init(position: TOMLPosition) { self.position = position }

    package subscript(key: String) -> TOMLNode? { entries[key]?.node }

    /// The position of a dotted path below this table (`obligation.report.ladder.1.after`): of the
    /// key, an array element, or the nearest ancestor that exists.
    package func locate(_ path: String) -> TOMLPosition? {
        var table: TOMLTable? = self
        var array: [TOMLNode]?
        var found: TOMLPosition? = nil
        for part in path.split(separator: ".", omittingEmptySubsequences: false).map(String.init) {
            if let t = table {
                guard let e = t.entries[part] else { return found }
                found = e.keyPosition
                table = e.node.table
                array = e.node.array
            } else if let a = array {
                guard let i = Int(part), i >= 0, i < a.count else { return found }
                found = a[i].position
                table = a[i].table
                array = a[i].array
            } else {
                return found
            }
        }
        return found
    }
}

/// A file that is not valid TOML: where, and what was expected.
package struct TOMLSyntaxError: Error, Sendable, CustomStringConvertible {
    package var line: Int
    package var column: Int
    package var message: String

    package var description: String { placed(message, file: nil, line: line, column: column) }
}
