/// Terminal columns a string takes: East Asian wide and fullwidth characters (汉字, 全角) take two.
/// Used to line up carets under expressions and, later, table columns with Chinese text.
package func displayWidth(_ s: some StringProtocol) -> Int {
    s.unicodeScalars.reduce(0) { width, scalar in
        let v = scalar.value
        // Below U+0300 there are no combining marks, and wide characters are not marks: the Unicode
        // property lookup (a quarter of a national table's time) only for the rest.
        if v < 0x300 { return width + 1 }
        if isWide(v) { return width + 2 }
        if v == 0x200B || scalar.properties.generalCategory == .nonspacingMark { return width }
        return width + 1
    }
}

private func isWide(_ v: UInt32) -> Bool {
    (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v) || (0x3041...0x33FF).contains(v)
        || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
        || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v)
        || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
}
