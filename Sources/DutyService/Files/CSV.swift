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

    package var description: String {
        "\(file):\(line)" + (column.map { ":\($0)" } ?? "") + ": " + message
    }
}

/// RFC 4180 CSV as spreadsheets export it: UTF-8 with or without a byte-order mark, CRLF or LF,
/// fields in double quotes with `""` for a quote. Each record keeps the line it starts on.
package enum CSV {
    package struct Record: Sendable {
        package var line: Int
        package var fields: [String]
    }

    package static func parse(_ bytes: [UInt8], file: String) throws(CSVError) -> [Record] {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            // Find the line of the first bad byte for the message.
            var line = 1
            var i = body.startIndex
            while i < body.endIndex {
                if String(validating: body[body.startIndex..<i], as: UTF8.self) == nil { break }
                if body[i] == 0x0A { line += 1 }
                i += 1
            }
            throw CSVError(
                file: file,
                line: max(1, line),
                "the file is not UTF-8 (a spreadsheet saved as GBK?); save it as \"CSV UTF-8\" and import again"
            )
        }
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var column = 1
        var quoted = false
        var wasQuoted = false
        var quoteLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    let after = next()
                    if after == "\"" {
                        field.unicodeScalars.append("\"")
                        column += 2
                        continue
                    }
                    quoted = false
                    column += 1
                    pending = after
                    if let a = after, a != ",", a != "\n", a != "\r" {
                        throw CSVError(file: file, line: line, column: column, "expected a comma or the end of the line after a closing quote")
                    }
                    continue
                }
                if c == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                field.unicodeScalars.append(c)
                continue
            }
            switch c {
            case "\"":
                if !field.isEmpty {
                    throw CSVError(file: file, line: line, column: column, "a quote inside an unquoted field; quote the whole field and double the quote (\"\")")
                }
                quoted = true
                wasQuoted = true
                quoteLine = line
                column += 1
            case ",":
                fields.append(field)
                field = ""
                wasQuoted = false
                column += 1
            case "\r":
                continue
            case "\n":
                fields.append(field)
                if !(fields.count == 1 && fields[0].isEmpty && !wasQuoted) {
                    records.append(Record(line: recordLine, fields: fields))
                }
                fields = []
                field = ""
                wasQuoted = false
                line += 1
                recordLine = line
                column = 1
            default:
                field.unicodeScalars.append(c)
                column += 1
            }
        }
        if quoted {
            throw CSVError(file: file, line: quoteLine, "a quoted field is never closed; add the closing quote")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted {
            fields.append(field)
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }

    /// One line of CSV: fields with a comma, a quote or a line break are quoted.
    package static func line(_ fields: [String]) -> String {
        fields.map { f in
            if f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || f.hasPrefix(" ")
                || f.hasSuffix(" ")
            {
                return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return f
        }.joined(separator: ",")
    }
}
