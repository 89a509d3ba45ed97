import DutyCalendar
import Foundation

/// A bad CSV file: exit status 65, with the line and column.
package struct CSVError: Error, Sendable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int?
    package var message: String

    package init(file: String, line: Int, column: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    package var description: String { placed(message, file: file, line: line, column: column) }
}

/// RFC 4180 CSV as spreadsheets export it: UTF-8 with or without a byte-order mark, CRLF or LF,
/// fields in double quotes with `""` for a quote. Each record keeps the line it starts on.
package enum CSV {
    package struct Record: Sendable {
        package var line: Int
        package var fields: [String]
    }

    package static func parse(_ bytes: [UInt8], file: String) throws(CSVError) -> [Record] {
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        let body = bytes[start...]
        if let line = TextPosition.firstNonUTF8Line(body) {
            throw CSVError(
                file: file,
                line: line,
                "the file is not UTF-8 (a spreadsheet saved as GBK?); save it as \"CSV UTF-8\" and import again"
            )
        }
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let lf = UInt8(ascii: "\n")
        let cr = UInt8(ascii: "\r")
        var records: [Record] = []
        var fields: [String] = []
        var line = 1
        var recordLine = 1
        var lineStart = body.startIndex
        var i = body.startIndex
        let end = body.endIndex
        /// Column (in characters) of byte `k` on the current line.
        func column(_ k: Int) -> Int { TextPosition.column(of: k, lineStart: lineStart, in: body) }
        while i < end {
            // One field.
            if body[i] == quote {
                let opened = line
                var value: [UInt8] = []
                i += 1
                while true {
                    guard i < end else {
                        throw CSVError(
                            file: file,
                            line: opened,
                            "a quoted field is never closed; add the closing quote"
                        )
                    }
                    let b = body[i]
                    if b == quote {
                        if i + 1 < end && body[i + 1] == quote {
                            value.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if b == lf {
                        line += 1
                        lineStart = i + 1
                    }
                    value.append(b)
                    i += 1
                }
                if i < end && body[i] != comma && body[i] != lf && body[i] != cr {
                    throw CSVError(
                        file: file,
                        line: line,
                        column: column(i),
                        "expected a comma or the end of the line after a closing quote"
                    )
                }
                fields.append(String(decoding: value, as: UTF8.self))
            } else {
                let fieldStart = i
                while i < end && body[i] != comma && body[i] != lf {
                    if body[i] == quote {
                        throw CSVError(
                            file: file,
                            line: line,
                            column: column(i),
                            "a quote inside an unquoted field; quote the whole field and double the quote (\"\")"
                        )
                    }
                    i += 1
                }
                var fieldEnd = i
                if fieldEnd > fieldStart && body[fieldEnd - 1] == cr && (i == end || body[i] == lf) { fieldEnd -= 1 }
                fields.append(String(decoding: body[fieldStart..<fieldEnd], as: UTF8.self))
            }
            // After the field: a comma, the end of the line, or the end of the file.
            if i < end && body[i] == cr { i += 1 }
            if i < end && body[i] == comma {
                i += 1
                if i == end { fields.append("") }
                continue
            }
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            if i < end {  // a line feed
                i += 1
                line += 1
                lineStart = i
            }
            recordLine = line
        }
        return records
    }

    /// A line of CSV for a spreadsheet (reports): a text cell that starts with `=`, `+`, `-`, `@`, a tab
    /// or a carriage return gets a leading `'`, so a unit named `=HYPERLINK(…)` is shown as text and
    /// never run as a formula (OWASP, CSV injection). `numeric` cells are left as they are.
    package static func spreadsheetLine(_ fields: [String], numeric: Set<Int> = []) -> String {
        line(
            fields.enumerated().map { column, field in
                guard !numeric.contains(column), let first = field.unicodeScalars.first,
                    "=+-@\t\r".unicodeScalars.contains(first)
                else { return field }
                return "'" + field
            }
        )
    }

    /// One line of CSV: fields with a comma, a quote or a line break are quoted.
    package static func line(_ fields: [String]) -> String {
        fields.map { field in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || field.hasPrefix(" ")
                || field.hasSuffix(" ")
            {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: ",")
    }
}
