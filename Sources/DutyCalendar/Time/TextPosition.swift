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
