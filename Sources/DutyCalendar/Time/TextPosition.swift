/// Positions in UTF-8 text as people count them, for the readers of holiday files, policy and
/// settings files and CSV: lines from 1, columns in characters (a 汉字 is one column, not three bytes).
package enum TextPosition {
    /// The column of byte `i` on a line that starts at byte `lineStart` (indices of `bytes`).
    @inline(__always)
    package static func column(of i: Int, lineStart: Int, in bytes: ArraySlice<UInt8>) -> Int {
        var n = 1
        for k in lineStart..<min(i, bytes.endIndex) where bytes[k] & 0xC0 != 0x80 { n += 1 }
        return n
    }

    /// Counts columns for a reader whose cursor only moves forward: each call continues from the
    /// previous one on the same line, so a reader that asks at every value of a 200,000-item line does
    /// linear work rather than counting the line from its start each time. A cursor that moved back
    /// (a reader that backtracked) is counted from the line's start again.
    package final class Counter {
        private var lineStart = -1
        private var index = 0
        private var column = 1

        package init() {}

        package func column(of i: Int, lineStart: Int, in bytes: ArraySlice<UInt8>) -> Int {
            if lineStart != self.lineStart || i < index {
                self.lineStart = lineStart
                index = lineStart
                column = 1
            }
            let end = min(i, bytes.endIndex)
            var k = index
            var n = column
            while k < end {
                if bytes[k] & 0xC0 != 0x80 { n += 1 }
                k += 1
            }
            if k > index {
                index = k
                column = n
            }
            return n
        }
    }

    /// The line of the first byte that is not UTF-8, or `nil` when the text is UTF-8 throughout.
    package static func firstNonUTF8Line(_ bytes: ArraySlice<UInt8>) -> Int? {
        if String(validating: bytes, as: UTF8.self) != nil { return nil }
        var line = 1
        var lineStart = bytes.startIndex
        for k in bytes.indices where bytes[k] == 0x0A {
            if String(validating: bytes[lineStart..<k], as: UTF8.self) == nil { break }
            line += 1
            lineStart = k + 1
        }
        return line
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (CSV fields, mail addresses, template lines). Returns
    /// `self` untouched in the common case, so a CSV import of a million lines pays nothing for it.
    package var trimmingSpaces: String {
        let u = utf8
        guard let f = u.first, let l = u.last,
            f == UInt8(ascii: " ") || f == UInt8(ascii: "\t") || l == UInt8(ascii: " ") || l == UInt8(ascii: "\t")
        else { return self }
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
